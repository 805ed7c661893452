"""The table's column formatter gives exactly the text of service.i18n.fmt_number (Babel)."""

from __future__ import annotations

import numpy as np
import pytest

from service.i18n import fmt_number
from service.web.numbers import format_column

VALUES = np.array([0.0, 0.04, 1.25, 3945.25, -1234567.891, 1e9, np.nan, np.inf, 12.5])


@pytest.mark.parametrize("lang", ["pl", "en", "uk"])
@pytest.mark.parametrize("digits", [0, 1, 3])
def test_format_column_matches_fmt_number(lang: str, digits: int) -> None:
    expected = [fmt_number(float(v), lang, digits) for v in VALUES]
    assert format_column(VALUES, lang, digits) == expected


def test_polish_grouping_and_decimal_comma() -> None:
    # the example: 3945.25 -> "3 945,2" (no-break space groups, decimal comma, Babel's
    # half-even rounding)
    assert format_column(np.array([3945.25, 12345.6]), "pl", 1) == ["3\u00a0945,2", "12\u00a0345,6"]
