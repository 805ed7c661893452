"""The language of the charts being drawn: labels through the one catalogue (domain ``charts``),
numbers in that language's locale (Babel).

A caller draws in a language with ``with chart_language("pl"): ...``; the chart functions call
:func:`tr` for every visible label and :func:`service.charts.svg.num` formats numbers in the same
language. A context variable (not a global) so that concurrent requests in threads or tasks never
see each other's language. The default is English, the language the chart code is written in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from service.i18n import negotiate, translator

_LANG: ContextVar[str] = ContextVar("chart_language", default="en")


@contextmanager
def chart_language(lang: str | None) -> Iterator[str]:
    """Draw the charts of the ``with`` block in ``lang`` (pl, en, uk; anything else gives Polish)."""
    token = _LANG.set(negotiate(lang))
    try:
        yield _LANG.get()
    finally:
        _LANG.reset(token)


def current_language() -> str:
    return _LANG.get()


def tr(msgid: str, **params: object) -> str:
    """``msgid`` (English) in the current chart language, placeholders filled."""
    return translator(_LANG.get()).gettext(msgid, **params)


def type_name(building_type: object) -> str:
    """A building type's name for a chart label, capitalised (``Szkoła``, ``Hala sportowa``)."""
    text = translator(_LANG.get()).pgettext("building_type", str(building_type))
    return text[:1].upper() + text[1:]
