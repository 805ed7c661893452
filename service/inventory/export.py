"""Exports of a canonical inventory: CSV bytes, XLSX bytes and JSON-ready records.

Every export writes the canonical columns (``columns.COLUMNS``) in order, so that what a city
downloads can be edited and submitted again unchanged; ``parse_inventory`` reads all three back.
"""

from __future__ import annotations

import pandas as pd

from energy.inventory.columns import COLUMNS
from service.exports import Dialect, Sheet, csv_bytes, xlsx_bytes
from service.jsonsafe import frame_records

SHEET_NAME = "buildings"


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns first in their order, any extra columns after them."""
    extra = [c for c in df.columns if c not in COLUMNS]
    return df.reindex(columns=[*COLUMNS, *extra])


def to_records(df: pd.DataFrame) -> list[dict]:
    """Rows of the canonical columns as dicts of plain Python values (NaN, NA and inf -> None), ready
    for ``json.dumps`` (:func:`service.jsonsafe.frame_records`)."""
    return frame_records(_canonical(df))


def to_csv_bytes(df: pd.DataFrame, dialect: Dialect = "plain") -> bytes:
    """CSV of the canonical columns (API names, so the file can be submitted again); ``excel-pl``
    gives what a Polish Excel opens with a double click (BOM, semicolon, decimal comma)."""
    return csv_bytes(_canonical(df), dialect, key_headers=True)


def to_xlsx_bytes(df: pd.DataFrame) -> bytes:
    """One sheet named ``buildings`` with the canonical header in row 1; missing cells are empty;
    text cells are text (never formulas), numbers formatted, header frozen and filterable."""
    return xlsx_bytes([Sheet(SHEET_NAME, _canonical(df), key_headers=True)])
