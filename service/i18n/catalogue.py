"""Load the ``.po`` files of each language into one catalogue and translate with it.

The ``.po`` files are read with Babel's ``read_po`` at first use (no compiled ``.mo`` step, so a
translator's edit is live after a restart). A message missing from a language falls back to the
Polish text, then to the English msgid, so a page never shows an empty label; the catalogue test
keeps that fallback from ever being needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS: tuple[str, ...] = ("pl", "en", "uk")
DEFAULT_LANG = "pl"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


@dataclass(frozen=True)
class Catalogue:
    """Messages of one language: msgid -> text, and (msgid, context) -> text for ``pgettext``."""

    lang: str
    messages: dict[tuple[str, str | None], str | tuple[str, ...]] = field(default_factory=dict)
    plural_forms: str = ""


def _read(lang: str) -> Catalogue:
    cat = Catalogue(lang)
    for path in sorted((LOCALES_DIR / lang).glob("*.po")):
        with path.open("rb") as fh:
            po = read_po(fh, locale=lang if lang != "uk" else "uk_UA")
        for msg in po:
            if not msg.id:
                continue
            key_id = msg.id[0] if isinstance(msg.id, (tuple, list)) else msg.id
            text = tuple(msg.string) if isinstance(msg.string, (tuple, list)) else (msg.string or "")
            cat.messages[(key_id, msg.context)] = text
    return cat


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> Catalogue:
    """The merged catalogue of ``lang`` (one of :data:`LANGS`)."""
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not offered; use one of {', '.join(LANGS)}")
    return _read(lang)


def negotiate(lang: object = None, accept_language: str | None = None) -> str:
    """The language to answer in: ``lang`` if offered, else the first offered of ``Accept-Language``,
    else Polish. Never raises: a portal's frame gets a Polish page, not an error."""
    if isinstance(lang, str):
        short = lang.strip().lower().replace("_", "-").split("-")[0]
        if short in LANGS:
            return short
    if accept_language:
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower().split("-")[0]
            if tag in LANGS:
                return tag
    return DEFAULT_LANG


def _plural_index(lang: str, n: int) -> int:
    if lang == "en":
        return 0 if n == 1 else 1
    # pl and uk share the East-Slavic/Polish three-form rule of their gettext Plural-Forms headers.
    if n == 1 and lang == "pl":
        return 0
    if lang == "uk" and n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


@dataclass(frozen=True)
class Translator:
    """gettext-style callables bound to one language (what Jinja2's i18n extension installs)."""

    lang: str

    def _lookup(self, msgid: str, context: str | None = None) -> str | tuple[str, ...] | None:
        for lang in (self.lang, DEFAULT_LANG):
            text = catalogue(lang).messages.get((msgid, context))
            if text:
                return text
        return None

    def gettext(self, msgid: str, **params: object) -> str:
        text = self._lookup(msgid)
        out = text if isinstance(text, str) else msgid
        return out.format(**params) if params else out

    def pgettext(self, context: str, msgid: str, **params: object) -> str:
        text = self._lookup(msgid, context)
        out = text if isinstance(text, str) else msgid
        return out.format(**params) if params else out

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        forms = self._lookup(singular)
        if isinstance(forms, tuple) and forms:
            idx = _plural_index(self.lang, int(n))
            out = forms[min(idx, len(forms) - 1)] or (singular if n == 1 else plural)
        else:
            out = singular if n == 1 else plural
        return out.format(n=n, **params)

    __call__ = gettext


@lru_cache(maxsize=len(LANGS))
def translator(lang: str) -> Translator:
    """The :class:`Translator` of ``lang`` (negotiated: an unknown language gives Polish)."""
    return Translator(negotiate(lang))
