"""Read a city's inventory (JSON, CSV or XLSX bytes) into canonical columns and validate it.

Row numbers in every :class:`FieldIssue` are the ones the city sees:

- CSV and XLSX: the header is row 1, the first data row is row 2 (blank lines count, as in a
  spreadsheet; a quoted cell spanning several lines is one row, as Excel shows it);
- JSON: the position in the list of buildings, starting at 1;
- ``row=None``: the finding is about the whole file, ``row=1`` in CSV/XLSX: about a header.

Readers keep every cell as text (JSON numbers too, so ``1e309`` is reported as written), map the
headers onto canonical names (``columns.HEADER_ALIASES``), and hand the frame to
:func:`energy.inventory.validation.validate_frame`.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from energy.inventory.columns import FIELD_BY_NAME, HEADER_ALIASES, REQUIRED, normalise_header
from energy.inventory.validation import (
    FieldIssue,
    InventoryFormatError,
    InventoryTooLarge,
    InventoryValidationError,
    blank_cells,
    validate_frame,
)

__all__ = [
    "CSV",
    "JSON",
    "XLSX",
    "FieldIssue",
    "InventoryFormatError",
    "InventoryTooLarge",
    "InventoryValidationError",
    "ParsedInventory",
    "parse_inventory",
]

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTENT_TYPES = {JSON: "json", CSV: "csv", "application/csv": "csv", XLSX: "xlsx"}
_EXTENSIONS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
SHEET_NAMES = ("buildings", "budynki")


@dataclass
class ParsedInventory:
    """A parsed submission: canonical buildings and every finding about them.

    Attributes
    ----------
    buildings : DataFrame
        One row per building, columns ``columns.COLUMNS`` in order; dtypes ``string`` (text and
        enums), ``Int64`` (years, storeys) and ``float64``. Cells that failed validation are missing.
    errors, warnings : list of FieldIssue
    source_rows : ndarray of int
        Row number (as in the file) of each building.
    source_format : str
        ``json``, ``csv`` or ``xlsx``.
    """

    buildings: pd.DataFrame
    errors: list[FieldIssue] = field(default_factory=list)
    warnings: list[FieldIssue] = field(default_factory=list)
    source_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    source_format: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`InventoryValidationError` carrying every error, if there is any."""
        if self.errors:
            raise InventoryValidationError(
                f"{len(self.errors)} invalid value(s) in the inventory", self.errors
            )


def detect_format(content_type: str | None, filename: str | None = None) -> str:
    """Return ``json``, ``csv`` or ``xlsx`` for a Content-Type (parameters ignored) or a file name.

    ``application/octet-stream`` (what browsers send for unknown uploads) falls back to the file
    name's extension. Anything else raises :class:`InventoryFormatError`.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _CONTENT_TYPES:
        return _CONTENT_TYPES[media]
    ext = "." + filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    if media in ("", "application/octet-stream") and ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    raise InventoryFormatError(
        "unsupported content type",
        [FieldIssue(None, None, content_type, f"content type must be one of {JSON}, {CSV}, {XLSX}")],
    )


def parse_inventory(
    content: bytes,
    *,
    content_type: str,
    filename: str | None = None,
    max_rows: int,
    max_bytes: int | None = None,
) -> ParsedInventory:
    """Parse and validate an inventory submission.

    Parameters
    ----------
    content : bytes
        The uploaded file.
    content_type : str
        ``application/json``, ``text/csv`` or the XLSX media type (see :func:`detect_format`).
    filename : str, optional
        Used only to recognise the format of an ``application/octet-stream`` upload.
    max_rows : int
        Largest accepted number of buildings; more raises :class:`InventoryTooLarge`.
    max_bytes : int, optional
        Largest accepted size; more raises :class:`InventoryTooLarge` before parsing.

    Returns
    -------
    ParsedInventory
        Errors are returned, not raised: call :meth:`ParsedInventory.raise_for_errors`.

    Raises
    ------
    InventoryFormatError
        Unreadable submission: content type, encoding, broken CSV quoting, empty file, no data rows,
        missing sheet or required columns, malformed JSON or a JSON shape other than a list of objects.
    InventoryTooLarge
        More than ``max_rows`` buildings or ``max_bytes`` bytes.
    """
    fmt = detect_format(content_type, filename)
    if max_bytes is not None and len(content) > max_bytes:
        raise InventoryTooLarge(
            "submission too large",
            [FieldIssue(None, None, str(len(content)), f"more than {max_bytes} bytes")],
        )
    if not content or not content.strip():
        raise InventoryFormatError("empty submission", [FieldIssue(None, None, None, "the file is empty")])
    from energy.inventory import readers

    if fmt == "xlsx":  # streamed with the row cap: a sheet can declare a million rows in 700 KB
        raw, rows, decimal_comma, header_row = readers.read_xlsx(content, max_rows)
    else:
        reader = {"json": readers.read_json, "csv": readers.read_csv}[fmt]
        raw, rows, decimal_comma, header_row = reader(content)
    keep = ~_blank_rows(raw)
    raw, rows = raw.loc[keep].reset_index(drop=True), rows[keep]
    if len(raw) == 0:
        raise InventoryFormatError(
            "no buildings", [FieldIssue(None, None, None, "the file has no data rows")]
        )
    if len(raw) > max_rows:
        raise InventoryTooLarge(
            "too many buildings",
            [FieldIssue(None, None, str(len(raw)), f"{len(raw)} buildings; at most {max_rows} are accepted")],
        )
    raw, header_warnings = map_headers(raw, header_row)
    buildings, errors, warnings = validate_frame(raw, rows, decimal_comma=decimal_comma)
    return ParsedInventory(buildings, errors, header_warnings + warnings, rows, fmt)


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """True for rows whose every cell is empty (spreadsheet padding, blank CSV lines)."""
    empty = np.ones(len(raw), bool)
    for position in range(raw.shape[1]):  # by position: two headers may be spelt alike
        empty &= blank_cells(raw.iloc[:, position].to_numpy(dtype=object), strip=False)
    return empty


def map_headers(raw: pd.DataFrame, header_row: int | None) -> tuple[pd.DataFrame, list[FieldIssue]]:
    """Rename headers to canonical names; unknown ones are dropped with a warning.

    Raises :class:`InventoryFormatError` if two headers mean the same field or a required column is
    absent. ``header_row`` is 1 for CSV/XLSX and None for JSON (keys have no row).
    """
    mapping: dict[str, str] = {}
    warnings: list[FieldIssue] = []
    problems: list[FieldIssue] = []
    seen: dict[str, str] = {}
    for header in raw.columns:
        canonical = HEADER_ALIASES.get(normalise_header(header))
        if canonical is None:
            warnings.append(FieldIssue(header_row, str(header), None, "unknown column, ignored"))
        elif canonical in seen:
            problems.append(
                FieldIssue(
                    header_row, canonical, str(header), f"column given twice (also as '{seen[canonical]}')"
                )
            )
        else:
            seen[canonical] = str(header)
            mapping[header] = canonical
    problems += [
        FieldIssue(header_row, name, None, f"required column '{name}' is missing")
        for name in REQUIRED
        if name not in seen
    ]
    if problems:
        raise InventoryFormatError("missing or ambiguous columns", problems)
    assert all(name in FIELD_BY_NAME for name in mapping.values())
    return raw[list(mapping)].rename(columns=mapping), warnings


_PANDAS_LINE = re.compile(r"(?:line|row) (\d+)")


def parser_error_issue(message: str, *, zero_based: bool) -> FieldIssue:
    """Turn a pandas CSV tokenizer message into a FieldIssue with the file's row number."""
    match = _PANDAS_LINE.search(message)
    row = int(match.group(1)) + (1 if zero_based else 0) if match else None
    if "EOF inside string" in message:
        reason = "broken quoting: a quoted cell is never closed"
    elif "Expected" in message:
        reason = "broken quoting or separators: " + message.split("C error: ")[-1]
    else:
        reason = "unreadable CSV: " + message
    return FieldIssue(row, None, None, reason)


def decode_text(content: bytes) -> tuple[str, list[FieldIssue]]:
    """Decode UTF-8 (BOM optional); fall back to Windows-1250, the legacy Polish Excel encoding."""
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        try:
            return content.decode("cp1250"), []
        except UnicodeDecodeError:
            raise InventoryFormatError(
                "unreadable text encoding",
                [FieldIssue(None, None, None, f"the file is not UTF-8 text (byte {err.start})")],
            ) from None


def sniff_separator(text: str) -> str:
    """Pick ``;`` or ``,`` (or tab) by counting them in the header line outside quotes."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s]) if max(counts.values()) else ","


def read_csv_text(text: str) -> tuple[pd.DataFrame, str]:
    """Tokenise CSV text into raw string cells (pandas C engine, nothing inferred)."""
    sep = sniff_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            header=None,
            keep_default_na=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
        )
    except pd.errors.ParserError as err:
        message = str(err)
        zero_based = "EOF inside string" in message
        raise InventoryFormatError(
            "unreadable CSV", [parser_error_issue(message, zero_based=zero_based)]
        ) from None
    except pd.errors.EmptyDataError:
        raise InventoryFormatError(
            "empty submission", [FieldIssue(None, None, None, "no header row")]
        ) from None
    return frame, sep


def loads_json(content: bytes):
    """json.loads keeping every number as its text (``1e309`` stays ``"1e309"``, NaN stays ``"NaN"``)."""
    try:
        return json.loads(content.decode("utf-8-sig"), parse_float=str, parse_int=str, parse_constant=str)
    except UnicodeDecodeError as err:
        issue = FieldIssue(None, None, None, f"JSON must be UTF-8 (bad byte at {err.start})")
    except json.JSONDecodeError as err:
        issue = FieldIssue(
            None, None, None, f"malformed JSON: {err.msg} at line {err.lineno} column {err.colno}"
        )
    raise InventoryFormatError("malformed JSON", [issue])
