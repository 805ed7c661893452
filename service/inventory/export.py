"""Exports of a canonical inventory: CSV bytes, XLSX bytes and JSON-ready records.

Every export writes the canonical columns (``columns.COLUMNS``) in order, so that what a city
downloads can be edited and submitted again unchanged; ``parse_inventory`` reads all three back.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

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


def to_csv_bytes(df: pd.DataFrame, *, sep: str = ",", decimal: str = ".", bom: bool = False) -> bytes:
    """CSV as UTF-8 bytes; missing cells are empty.

    The default is the API's own format (comma, decimal point). ``sep=";", decimal=",", bom=True``
    gives what a Polish Excel opens directly with a double click.
    """
    if sep == decimal:
        raise ValueError(f"separator and decimal mark must differ, both are {sep!r}")
    text = _canonical(df).to_csv(
        index=False, sep=sep, decimal=decimal, lineterminator="\n", float_format="%.15g"
    )
    return ("\ufeff" + text if bom else text).encode("utf-8")


def to_xlsx_bytes(df: pd.DataFrame) -> bytes:
    """One sheet named ``buildings`` with the canonical header in row 1; missing cells are empty."""
    frame = _canonical(df).astype(object)
    frame = frame.where(frame.notna(), None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=SHEET_NAME, index=False)
    return buffer.getvalue()
