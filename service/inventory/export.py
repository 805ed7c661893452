"""Exports of a canonical inventory: CSV bytes, XLSX bytes and JSON-ready records.

Every export writes the canonical columns (``columns.COLUMNS``) in order, so that what a city
downloads can be edited and submitted again unchanged; ``parse_inventory`` reads all three back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from service.exports import Dialect, Sheet, csv_bytes, xlsx_bytes
from service.inventory.columns import COLUMNS

SHEET_NAME = "buildings"


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns first in their order, any extra columns after them."""
    extra = [c for c in df.columns if c not in COLUMNS]
    return df.reindex(columns=[*COLUMNS, *extra])


def to_records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (NaN, NA and None -> None), ready for ``json.dumps``."""
    frame = _canonical(df)
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_float_dtype(col.dtype):
            values = col.to_numpy(dtype=float)
            out[name] = [float(v) if np.isfinite(v) else None for v in values]
        elif pd.api.types.is_integer_dtype(col.dtype):
            out[name] = [None if v is None else int(v) for v in col.to_numpy(dtype=object, na_value=None)]
        else:
            out[name] = [None if v is None or v is pd.NA or v != v else v for v in col.to_numpy(dtype=object)]
    names = list(out)
    return [dict(zip(names, row, strict=True)) for row in zip(*out.values(), strict=True)]


def to_csv_bytes(df: pd.DataFrame, dialect: Dialect = "plain") -> bytes:
    """CSV of the canonical columns (API names, so the file can be submitted again); ``excel-pl``
    gives what a Polish Excel opens with a double click (BOM, semicolon, decimal comma)."""
    return csv_bytes(_canonical(df), dialect, key_headers=True)


def to_xlsx_bytes(df: pd.DataFrame) -> bytes:
    """One sheet named ``buildings`` with the canonical header in row 1; missing cells are empty;
    text cells are text (never formulas), numbers formatted, header frozen and filterable."""
    return xlsx_bytes([Sheet(SHEET_NAME, _canonical(df), key_headers=True)])
