"""One message catalogue for everything a person reads, and locale-aware numbers, money and dates.

Languages: Polish first (the fallback), English and Ukrainian. Messages live in gettext ``.po`` files
under ``locales/<lang>/<domain>.po``; the English source text is the msgid. Each domain file (``web``,
``reports``, ``exports``, ``charts``, ``public``, ...) belongs to one part of the service, and all
domain files of a language are merged into one catalogue at load, so any page can use any message.
``tests/service/test_i18n_catalogue.py`` fails when a msgid is in one language and not in another, or
when a ``{placeholder}`` differs between translations.

Numbers, money and dates are formatted by Babel in the reader's locale (``3 945,2``, ``12,5 mln zł``,
``2 grudnia 2026``), never by hand.
"""

from __future__ import annotations

from service.i18n.catalogue import (
    DEFAULT_LANG,
    LANGS,
    Translator,
    catalogue,
    negotiate,
    translator,
)
from service.i18n.formats import (
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_percent,
)

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Translator",
    "catalogue",
    "fmt_date",
    "fmt_datetime",
    "fmt_int",
    "fmt_money",
    "fmt_number",
    "fmt_percent",
    "negotiate",
    "translator",
]
