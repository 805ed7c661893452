"""A Jinja2 environment with autoescaping, the catalogue's gettext and the locale filters.

The workspace (``service/web``) and the PDF reports (``service/reports``) both build their
environment here, so a template can use ``{{ _("Buildings") }}``, ``{{ _("{n} buildings", n=3) }}``
(``str.format`` placeholders, the same as in Python code), ``{{ ngettext("{n} building",
"{n} buildings", n) }}``, ``{{ pgettext("menu", "Plans") }}``, and the filters ``number``, ``int``,
``money``, ``pct``, ``date``, ``datetime`` in the page's language (``lang`` global). The translated
text is escaped like any other value (placeholders are filled before escaping).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2

from service.i18n.catalogue import translator
from service.i18n.formats import (
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_year,
)


def make_environment(template_dirs: Sequence[Path | str]) -> jinja2.Environment:
    """An autoescaping environment over ``template_dirs``; call :func:`for_lang` per render."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render(env: jinja2.Environment, template: str, lang: str, **context: object) -> str:
    """Render ``template`` in ``lang`` with gettext and locale filters bound to that language."""
    t = translator(lang)
    lang = t.lang

    def number(v: float | None, digits: int = 1) -> str:
        return fmt_number(v, lang, digits)

    def money(v: float | None, compact: bool = False, digits: int = 0) -> str:
        return fmt_money(v, lang, compact, digits)

    def pct(v: float | None, digits: int = 0) -> str:
        return fmt_percent(v, lang, digits)

    filters: dict[str, Callable[..., str]] = {
        "number": number,
        "int": lambda v: fmt_int(v, lang),
        "year": lambda v: fmt_year(v),
        "money": money,
        "pct": pct,
        "date": lambda v: fmt_date(v, lang),
        "datetime": lambda v: fmt_datetime(v, lang),
    }
    overlay = env.overlay()
    overlay.filters.update(filters)
    overlay.globals.update(_=t.gettext, gettext=t.gettext, ngettext=t.ngettext, pgettext=t.pgettext)
    return overlay.get_template(template).render(lang=lang, **context)
