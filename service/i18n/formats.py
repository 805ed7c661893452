"""Numbers, money, percentages and dates in the reader's locale, by Babel.

Every figure a person reads goes through these, so no page, report or spreadsheet shows float noise
(``57749.99999999169``) or an English separator in a Polish text.
"""

from __future__ import annotations

import datetime as dt
import math

from babel import dates as babel_dates
from babel import numbers as babel_numbers

BABEL_LOCALE = {"pl": "pl_PL", "en": "en_GB", "uk": "uk_UA"}


def _locale(lang: str) -> str:
    return BABEL_LOCALE.get(lang, "pl_PL")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


# Beyond 10^15 a grouped decimal is unreadable and Babel's rounding (28 significant digits) fails:
# such figures (a request's 1e300 budget) are shown in the locale's scientific notation.
SCIENTIFIC_FROM = 1e15


def _scientific(value: float, lang: str) -> str:
    return babel_numbers.format_scientific(value, format="0.00E0", locale=_locale(lang))


def fmt_number(value: float | int | None, lang: str = "pl", digits: int = 1, dash: str = "–") -> str:
    """``3945.25`` -> ``3 945,3`` (pl), ``3,945.3`` (en); None/NaN -> ``dash``; ``1e300`` -> ``1,00E300``."""
    if value is None or _missing(value) or not math.isfinite(float(value)):
        return dash
    if abs(float(value)) >= SCIENTIFIC_FROM:
        return _scientific(float(value), lang)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(float(value), format=pattern, locale=_locale(lang))


def fmt_int(value: float | int | None, lang: str = "pl", dash: str = "–") -> str:
    """A whole number with the locale's grouping: ``12345`` -> ``12 345``."""
    return fmt_number(value, lang, 0, dash)


def fmt_year(value: float | int | None, dash: str = "–") -> str:
    """A calendar year, never grouped (``1912``, not ``1 912``)."""
    return dash if _missing(value) else str(int(value))  # type: ignore[arg-type]


def fmt_money(
    value_pln: float | int | None, lang: str = "pl", compact: bool = False, digits: int = 0, dash: str = "–"
) -> str:
    """PLN in the locale: ``12 345 zł``; ``compact=True`` gives ``12,5 mln zł`` for large sums."""
    if value_pln is None or _missing(value_pln) or not math.isfinite(float(value_pln)):
        return dash
    if abs(float(value_pln)) >= SCIENTIFIC_FROM:
        return (
            _scientific(float(value_pln), lang)
            + "\u00a0"
            + babel_numbers.get_currency_symbol("PLN", _locale(lang))
        )
    if compact and abs(float(value_pln)) >= 10_000:
        return babel_numbers.format_compact_currency(
            float(value_pln), "PLN", locale=_locale(lang), fraction_digits=1
        )
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "\u00a0¤"
    if lang == "en":
        pattern = "¤#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_currency(
        float(value_pln), "PLN", format=pattern, locale=_locale(lang), currency_digits=False
    )


def fmt_percent(value_fraction: float | None, lang: str = "pl", digits: int = 0, dash: str = "–") -> str:
    """``0.125`` -> ``12,5%`` (pl) with ``digits=1``."""
    if value_fraction is None or _missing(value_fraction) or not math.isfinite(float(value_fraction)):
        return dash
    if abs(float(value_fraction)) * 100 >= SCIENTIFIC_FROM:
        return _scientific(float(value_fraction) * 100, lang) + "%"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_numbers.format_percent(float(value_fraction), format=pattern, locale=_locale(lang))


def fmt_date(value: dt.date | dt.datetime | str | None, lang: str = "pl", dash: str = "–") -> str:
    """``2026-12-02`` -> ``2 grudnia 2026`` (pl), ``2 December 2026`` (en), ``2 грудня 2026 р.`` (uk)."""
    if value is None:
        return dash
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return babel_dates.format_date(value, format="long", locale=_locale(lang))


def fmt_datetime(value: dt.datetime | str | None, lang: str = "pl", dash: str = "–") -> str:
    """Date and time (minutes) in the locale, e.g. ``2 grudnia 2026, 14:05``."""
    if value is None:
        return dash
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    day = babel_dates.format_date(value, format="long", locale=_locale(lang))
    return f"{day}, {value:%H:%M}"
