"""CSV and XLSX bytes that open cleanly in a spreadsheet, and stay safe there.

Two CSV dialects: ``plain`` for machines (comma, decimal point, full precision, API column names) and
``excel-pl`` for a Polish office (UTF-8 with BOM, semicolon, decimal comma, translated headers with
units, rounded figures) — what Polish Excel opens with a double click. XLSX workbooks are written for a
person: translated headers with units, rounded and formatted numbers, column widths, a frozen header
row, an autofilter. Every text cell is text: a CSV cell beginning with ``= + - @ TAB CR`` is prefixed
with an apostrophe, and XLSX text is stored as a string, never as a formula (CWE-1236).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from service.exports.labels import ColumnFormat, column_format, excel_number_format
from service.i18n import translator

Dialect = Literal["plain", "excel-pl"]
DIALECTS: tuple[str, ...] = ("plain", "excel-pl")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
# Columns whose values are codes a person reads translated (msgctxt = the column name).
CODED_COLUMNS = (
    "building_type",
    "heating_system",
    "dhw_system",
    "roof_type",
    "carrier",
    "ventilation_system",
)


def safe_text(value: str) -> str:
    """Neutralise a text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


@dataclass
class Sheet:
    """One table of a workbook: a translated sheet title and its rows."""

    title: str
    frame: pd.DataFrame
    plan_names: dict[str, str] = field(default_factory=dict)
    key_headers: bool = False  # API column names as headers (a file meant to be submitted again)


def _people_column(name: str, values: pd.Series, lang: str) -> list[Any]:
    """Cells for a person: coded values translated (``district_heating`` -> ``ciepło sieciowe``)."""
    cells = _column(values)
    context = "heating_system" if name == "dhw_system" else name
    if context in CODED_COLUMNS:
        t = translator(lang)
        return [t.pgettext(context, v) if isinstance(v, str) else v for v in cells]
    return cells


def _column(values: pd.Series) -> list[Any]:
    """Plain Python cells: floats stay floats, NaN/NA/None -> None, numpy scalars unwrapped."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.tolist()
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        return [None if not np.isfinite(v) else v for v in arr.tolist()]
    out: list[Any] = []
    for v in values.to_numpy(dtype=object):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, (list, tuple)):
            out.append("; ".join(map(str, v)))
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(v)
    return out


def _decimal_text(value: float, digits: int | None) -> str:
    text = f"{value:.{digits}f}" if digits is not None else f"{value:.15g}"
    return text.replace(".", ",")


def csv_bytes(
    frame: pd.DataFrame, dialect: Dialect = "plain", lang: str = "pl", key_headers: bool = False
) -> bytes:
    """A CSV of ``frame``: ``plain`` (machines) or ``excel-pl`` (a Polish spreadsheet); ``key_headers``
    keeps the API column names and codes (an inventory meant to be submitted again)."""
    buffer = io.StringIO()
    keys = [str(c) for c in frame.columns]
    columns = [_column(frame[c]) for c in frame.columns]
    if dialect == "excel-pl":
        formats = [column_format(k, lang) for k in keys]
        if key_headers:
            formats = [ColumnFormat(k, None) for k in keys]
        else:
            columns = [_people_column(k, frame[c], lang) for k, c in zip(keys, frame.columns, strict=True)]
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([safe_text(f.header) for f in formats])
        for row in zip(*columns, strict=True):
            writer.writerow([_pl_cell(v, f.digits) for v, f in zip(row, formats, strict=True)])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    writer = csv.writer(buffer, delimiter=",", lineterminator="\n")
    writer.writerow(keys)
    for row in zip(*columns, strict=True):
        writer.writerow([_plain_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _plain_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return safe_text(value) if isinstance(value, str) else value


def _pl_cell(value: Any, digits: int | None) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, (int, float)):
        return _decimal_text(float(value), digits) if isinstance(value, float) or digits else str(value)
    return safe_text(str(value))


def xlsx_bytes(sheets: Sequence[Sheet], lang: str = "pl") -> bytes:
    """A workbook a person reads: one sheet per :class:`Sheet`, formatted (see module doc)."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")


def _write_sheet(wb: Workbook, sheet: Sheet, lang: str) -> None:
    ws = wb.create_sheet(title=_sheet_title(sheet.title))
    keys = [str(c) for c in sheet.frame.columns]
    formats = [column_format(k, lang, sheet.plan_names) for k in keys]
    if sheet.key_headers:
        formats = [
            ColumnFormat(k, f.digits, f.is_ratio, f.is_year) for k, f in zip(keys, formats, strict=True)
        ]
        columns = [_column(sheet.frame[c]) for c in sheet.frame.columns]
    else:
        columns = [
            _people_column(k, sheet.frame[c], lang) for k, c in zip(keys, sheet.frame.columns, strict=True)
        ]
    for i, (fmt, values) in enumerate(zip(formats, columns, strict=True), start=1):
        ws.column_dimensions[_letter(i)].width = _width(fmt.header, values, fmt.digits)
    ws.freeze_panes = "A2"
    n_rows = len(sheet.frame)
    if keys:
        ws.auto_filter.ref = f"A1:{_letter(len(keys))}{max(n_rows + 1, 1)}"
    header = []
    for fmt in formats:
        cell = WriteOnlyCell(ws, value=fmt.header)
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    number_formats = [excel_number_format(f.digits, f.is_year) for f in formats]
    digits = [f.digits for f in formats]
    for row in zip(*columns, strict=True):
        ws.append([_xlsx_cell(ws, v, nf, d) for v, nf, d in zip(row, number_formats, digits, strict=True)])


def _xlsx_cell(ws: Any, value: Any, number_format: str, digits: int | None) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        # Rounded to what the column shows (a person never meets 57749.99999999169); JSON keeps it all.
        shown = round(value, digits + 1 if digits is not None else 6)
        cell = WriteOnlyCell(ws, value=int(shown) if digits == 0 and float(shown).is_integer() else shown)
        cell.number_format = number_format if number_format != "@" else "General"
        return cell
    cell = WriteOnlyCell(ws, value=str(value))
    cell.data_type = "s"  # text stays text: a name beginning with '=' is never a formula
    return cell


def _width(header: str, values: list[Any], digits: int | None) -> float:
    sample = values[:200]
    longest = max((len(str(v)) if isinstance(v, str) else 12 for v in sample if v is not None), default=6)
    header_words = max((len(w) for w in header.split()), default=6)
    return float(min(MAX_WIDTH, max(10, header_words + 2, min(longest, 40) + 2)))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _sheet_title(title: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if ch in bad else ch for ch in title)
    return clean[:31] or "Sheet"
