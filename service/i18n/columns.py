"""Whole columns of numbers in the reader's locale, with Babel, for tables of thousands of rows
(the workspace's building table, the PDF annex).

``service.i18n.fmt_number`` parses its Babel pattern and locale on every call; a 5,000-building
table calls it 30,000 times. :func:`format_column` parses them once per column and applies the same
pattern to every value, so the text is identical to ``fmt_number`` (a test checks that).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from babel import Locale
from babel.numbers import parse_pattern

from service.i18n.formats import BABEL_LOCALE, fmt_number


@lru_cache(maxsize=32)
def _pattern(lang: str, digits: int):
    return parse_pattern("#,##0" + ("." + "0" * digits if digits > 0 else ""))


def format_column(values: np.ndarray, lang: str, digits: int, dash: str = "–") -> list[str]:
    """``values`` [any unit] as text with ``digits`` decimals in ``lang``; NaN/None -> ``dash``."""
    numbers = np.asarray(values, dtype=float)
    locale = Locale.parse(BABEL_LOCALE.get(lang, "pl_PL"))  # the locale fmt_number uses
    pattern = _pattern(lang, digits)
    finite = np.isfinite(numbers)
    return [
        pattern.apply(v, locale) if ok else dash
        for v, ok in zip(numbers.tolist(), finite.tolist(), strict=True)
    ]


__all__ = ["fmt_number", "format_column"]
