"""Format readers: bytes -> raw text cells with the city's own headers and row numbers.

Each reader returns ``(raw, rows, decimal_comma, header_row)``: ``raw`` holds str/None cells under
the headers as written, ``rows`` the row number of each record (see ``parsing.py``),
``decimal_comma`` whether ``12,5`` means 12.5, ``header_row`` the row of the header (None for JSON).
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from energy.inventory.parsing import SHEET_NAMES, decode_text, loads_json, read_csv_text
from energy.inventory.validation import FieldIssue, InventoryFormatError, InventoryTooLarge

Read = tuple[pd.DataFrame, np.ndarray, bool, int | None]


def _header_frame(cells: pd.DataFrame, header_row: int) -> pd.DataFrame:
    """Use the first record as the header; empty header cells get a placeholder name."""
    headers = [
        str(h).strip() if h is not None and str(h).strip() else f"column {i + 1}"
        for i, h in enumerate(cells.iloc[0].tolist())
    ]
    body = cells.iloc[1:].reset_index(drop=True)
    body.columns = pd.Index(headers)
    return body


def read_csv(content: bytes) -> Read:
    """Comma-, semicolon- or tab-separated UTF-8 (BOM optional); decimal comma in ``;`` files."""
    text, _ = decode_text(content)
    cells, sep = read_csv_text(text)
    if cells.empty:
        raise InventoryFormatError("empty submission", [FieldIssue(None, None, None, "no header row")])
    raw = _header_frame(cells, 1)
    rows = np.arange(2, len(raw) + 2, dtype=np.int64)
    return raw, rows, sep == ";", 1


def read_json(content: bytes) -> Read:
    """A list of building objects, or an object ``{"buildings": [...]}``."""
    data = loads_json(content)
    if isinstance(data, dict) and "buildings" in data:
        data = data["buildings"]
    if not isinstance(data, list):
        raise InventoryFormatError(
            "wrong JSON shape",
            [FieldIssue(None, None, None, 'expected a list of buildings or {"buildings": [...]}')],
        )
    not_objects = [i + 1 for i, item in enumerate(data) if not isinstance(item, dict)]
    if not_objects:
        issues = [FieldIssue(r, None, None, "each building must be a JSON object") for r in not_objects[:100]]
        raise InventoryFormatError("wrong JSON shape", issues)
    raw = pd.DataFrame.from_records(data) if data else pd.DataFrame()
    rows = np.arange(1, len(raw) + 1, dtype=np.int64)
    return _json_scalars(raw, rows), rows, False, None


def _json_scalars(raw: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Reject nested objects, arrays and booleans as cell values (one pass per column)."""
    issues: list[FieldIssue] = []
    for name in raw.columns:
        kinds = raw[name].map(type)
        bad = kinds.isin([dict, list, bool]).to_numpy()
        if bad.any():
            names = kinds[bad].map({dict: "an object", list: "an array", bool: "a boolean"})
            issues += [
                FieldIssue(int(r), str(name), None, f"expected a number or text, got {k}")
                for r, k in zip(rows[bad], names, strict=True)
            ]
    if issues:
        raise InventoryFormatError("wrong JSON value types", issues)
    return raw.astype(object).where(raw.notna(), None)


# Bounds checked on the zip directory before openpyxl inflates anything (a 1 MB workbook can hold a
# 1 GB shared string). A 50,000-building sheet of 40 columns inflates to about 60 MB of XML and its
# shared strings (names, addresses) to a few MB; the bounds leave twice that room.
MAX_INFLATED_BYTES = 160_000_000
MAX_SHARED_STRINGS_BYTES = 32_000_000
MAX_COLUMNS = 500
SHARED_STRINGS = "xl/sharedstrings.xml"


def _too_large(reason: str, value: str | None = None) -> InventoryTooLarge:
    return InventoryTooLarge("workbook too large", [FieldIssue(None, None, value, reason)])


def check_xlsx_archive(content: bytes) -> None:
    """Refuse a workbook whose members inflate beyond the bounds, from the zip directory alone
    (the sizes it declares bound what zipfile will ever inflate: it stops at ``file_size``)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InventoryFormatError(
            "unreadable XLSX", [FieldIssue(None, None, None, f"not a readable .xlsx workbook ({err})")]
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED_BYTES:
        raise _too_large(
            f"the workbook inflates to {total / 1e6:,.0f} MB; at most {MAX_INFLATED_BYTES / 1e6:,.0f} MB",
            str(total),
        )
    shared = sum(i.file_size for i in infos if i.filename.lower() == SHARED_STRINGS)
    if shared > MAX_SHARED_STRINGS_BYTES:
        raise _too_large(
            f"the workbook's shared texts inflate to {shared / 1e6:,.0f} MB; "
            f"at most {MAX_SHARED_STRINGS_BYTES / 1e6:,.0f} MB",
            str(shared),
        )


def read_xlsx(content: bytes, max_rows: int) -> Read:
    """First sheet, or the one named ``buildings``/``budynki``; header in row 1.

    Numbers stored as numbers are kept exactly (``repr``); text cells may use a decimal comma.
    The archive is checked first (:func:`check_xlsx_archive`), then the sheet's declared dimension,
    then rows are streamed (openpyxl read-only) and the reading stops past the row cap: a header,
    ``max_rows`` buildings and as many blank padding rows.
    """
    from openpyxl import load_workbook

    check_xlsx_archive(content)
    row_cap = 2 * max_rows + 1
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InventoryFormatError(
            "unreadable XLSX", [FieldIssue(None, None, None, f"not a readable .xlsx workbook ({err})")]
        ) from None
    try:
        by_name = {ws.title.strip().lower(): ws for ws in book.worksheets}
        sheet = next((by_name[n] for n in SHEET_NAMES if n in by_name), None)
        if sheet is None:
            if not book.worksheets:
                raise InventoryFormatError(
                    "no sheet", [FieldIssue(None, None, None, "the workbook has no sheet")]
                )
            sheet = book.worksheets[0]
        _check_dimension(sheet, row_cap, max_rows)
        records = list(sheet.iter_rows(values_only=True, max_row=row_cap + 1))
        if len(records) > row_cap:
            raise _too_large(f"the sheet '{sheet.title}' has more than {max_rows:,} buildings")
    finally:
        book.close()
    if not records or all(v is None for v in records[0]):
        raise InventoryFormatError(
            "empty sheet", [FieldIssue(None, None, None, f"sheet '{sheet.title}' has no header in row 1")]
        )
    width = max(len(r) for r in records)
    if width > MAX_COLUMNS:
        raise _too_large(
            f"the sheet '{sheet.title}' has {width:,} columns; at most {MAX_COLUMNS}", str(width)
        )
    # rows padded here: pandas 3.1 deprecates padding rows of different lengths itself
    records = [(*r, *(None,) * (width - len(r))) for r in records]
    cells = pd.DataFrame.from_records(records, columns=range(width))
    raw = _header_frame(cells.astype(object).where(cells.notna(), None), 1)
    raw = raw.apply(_xlsx_text)
    rows = np.arange(2, len(raw) + 2, dtype=np.int64)
    return raw, rows, True, 1


def _check_dimension(sheet, row_cap: int, max_rows: int) -> None:
    """The size the sheet declares (``<dimension ref="A1:AN50001"/>``), before reading a row."""
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if declared_rows is not None and declared_rows > row_cap:
        raise _too_large(
            f"the sheet '{sheet.title}' declares {declared_rows:,} rows; at most {max_rows:,} buildings "
            "are accepted",
            str(declared_rows),
        )
    if declared_columns is not None and declared_columns > MAX_COLUMNS:
        raise _too_large(
            f"the sheet '{sheet.title}' declares {declared_columns:,} columns; at most {MAX_COLUMNS}",
            str(declared_columns),
        )


def _xlsx_text(col: pd.Series) -> pd.Series:
    """Cell values -> text: floats that are whole print without ``.0``; booleans stay visible."""

    def text(v):
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return col.map(text)
