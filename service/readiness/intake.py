"""Indicator submissions (JSON or CSV) -> a validated long table, every error at once.

A submission is a list of values ``{indicator, value, year, source?, unit?}`` for one gmina, as JSON
(``{"values": [...]}`` or a bare list) or CSV (comma or semicolon separated; a semicolon file may use
a decimal comma, as Polish Excel writes it). Rows are numbered as the city sees them: JSON items from 1,
CSV data rows from 2 (the header is row 1). Checks run as vectorised masks over the whole table and
every failing (row, field) is reported together; nothing is stored when any check fails.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from integration.readiness.framework import Framework

FIELDS = ("indicator", "value", "year", "source", "unit")
YEAR_MIN, YEAR_MAX = 1990, 2100  # the public contract's vintage bounds (public_schema.DataVintage)
MAX_SOURCE_CHARS = 400


@dataclass
class SubmissionError(ValueError):
    """A rejected submission: ``errors`` holds one dict per (row, field) with value and reason."""

    detail: str
    errors: list[dict]

    def __str__(self) -> str:
        return self.detail


def _fail(detail: str, reason: str, field: str | None = None) -> SubmissionError:
    return SubmissionError(detail, [{"row": None, "field": field, "value": None, "reason": reason}])


def _read_json(content: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _fail("the body is not valid JSON", str(exc)) from None
    if isinstance(data, dict):
        data = data.get("values")
    if not isinstance(data, list) or not data:
        raise _fail("wrong JSON shape", 'expected {"values": [...]} or a non-empty list of values', "values")
    bad = [i + 1 for i, item in enumerate(data) if not isinstance(item, dict)]
    if bad:
        raise SubmissionError(
            "wrong JSON shape",
            [
                {"row": r, "field": None, "value": None, "reason": "each value must be a JSON object"}
                for r in bad
            ],
        )
    # A field holds a number, text or null, as a CSV cell would (an array or object has no meaning
    # here, and would reach the checks below as a value pandas cannot compare).
    nested = [
        {
            "row": r,
            "field": str(k),
            "value": None,
            "reason": f"expected a number or text, got {_KINDS[type(v)]}",
        }
        for r, item in enumerate(data, start=1)
        for k, v in item.items()
        if isinstance(v, (list, dict))
    ]
    if nested:
        raise SubmissionError("wrong JSON value types", nested[:100])
    # pd.DataFrame (not from_records) keeps one row per object, also for empty objects like {}.
    return pd.DataFrame(data, index=range(len(data))), np.arange(1, len(data) + 1)


_KINDS = {list: "an array", dict: "an object"}


def _read_csv(content: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("the CSV is not UTF-8", str(exc)) from None
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise _fail("the CSV cannot be parsed", str(exc)) from None
    if frame.empty:
        raise _fail("empty submission", "no data rows under the header")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.replace({"": None})
    if sep == ";":  # decimal comma of Polish spreadsheets
        for column in ("value", "year"):
            if column in frame.columns:
                frame[column] = frame[column].str.replace(",", ".", regex=False)
    return frame, np.arange(2, len(frame) + 2)


def read_submission(content: bytes, content_type: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Raw cells and row numbers of a JSON or CSV submission (415-worthy types raise ``LookupError``)."""
    if content_type in ("application/json", "") and content.lstrip()[:1] in (b"{", b"["):
        return _read_json(content)
    if content_type in ("text/csv", "application/csv", "text/plain"):
        return _read_csv(content)
    if content_type == "application/json":
        return _read_json(content)
    raise LookupError(f"content type {content_type!r}: send application/json or text/csv")


def _issues(mask: pd.Series, rows: np.ndarray, frame: pd.DataFrame, field: str, reason: str) -> list[dict]:
    hit = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    values = frame[field].to_numpy(dtype=object)[hit] if field in frame.columns else [None] * len(hit)
    return [
        {"row": int(rows[i]), "field": field, "value": None if pd.isna(v) else v, "reason": reason}
        for i, v in zip(hit, values, strict=True)
    ]


def validate_submission(
    frame: pd.DataFrame, rows: np.ndarray, framework: Framework, default_source: str
) -> pd.DataFrame:
    """Check every row and field; return ``indicator, value, year, source`` (typed) or raise.

    Raises
    ------
    SubmissionError
        Listing every (row, field, value, reason): unknown field, missing or unknown indicator, a
        headroom indicator (computed from the scenario, not reported), value that is text, not finite
        or negative, year not a whole number in [1990, 2100], unit differing from the framework's,
        source too long, the same (indicator, year) twice.
    """
    unknown = [c for c in frame.columns if c not in FIELDS]
    errors: list[dict] = [
        {"row": None, "field": c, "value": None, "reason": f"unknown field; expected {list(FIELDS)}"}
        for c in unknown
    ]
    for column in FIELDS:
        if column not in frame.columns:
            frame[column] = None
    ind = frame["indicator"].astype("string").str.strip()
    known = framework.indicators
    errors += _issues(ind.isna(), rows, frame, "indicator", "missing")
    errors += _issues(
        ind.notna() & ~ind.isin(known.index), rows, frame, "indicator",
        f"not an indicator of framework {framework.version}",
    )  # fmt: skip
    headroom = known.index[known["role"] == "headroom"]
    errors += _issues(
        ind.isin(headroom), rows, frame, "indicator",
        "a headroom ratio is computed from the arrival scenario; report its inputs instead",
    )  # fmt: skip
    value = pd.to_numeric(frame["value"], errors="coerce")
    is_bool = frame["value"].map(lambda v: isinstance(v, bool))
    errors += _issues(frame["value"].isna(), rows, frame, "value", "missing")
    errors += _issues((frame["value"].notna() & value.isna()) | is_bool, rows, frame, "value", "not a number")
    errors += _issues(value.notna() & ~np.isfinite(value.fillna(0)), rows, frame, "value", "not finite")
    errors += _issues(
        value < 0, rows, frame, "value", "must be >= 0 (every readiness indicator is a count or rate)"
    )
    year = pd.to_numeric(frame["year"], errors="coerce")
    errors += _issues(
        frame["year"].isna(), rows, frame, "year", "missing (every value needs its reference year)"
    )
    bad_year = frame["year"].notna() & (year.isna() | (year % 1 != 0) | (year < YEAR_MIN) | (year > YEAR_MAX))
    errors += _issues(bad_year, rows, frame, "year", f"not a whole year in [{YEAR_MIN}, {YEAR_MAX}]")
    unit = frame["unit"].astype("string").str.strip()
    expected_unit = ind.map(known["unit"]).astype("string")
    errors += _issues(
        unit.notna() & expected_unit.notna() & (unit != expected_unit), rows, frame, "unit",
        "differs from the framework's unit for this indicator (see GET /v1/public/methodology)",
    )  # fmt: skip
    # a source is a citation, text as in a CSV cell (a JSON number or boolean is not one)
    not_text = frame["source"].map(lambda v: v is not None and not isinstance(v, str) and not pd.isna(v))
    errors += _issues(not_text, rows, frame, "source", "not text")
    source = frame["source"].astype("string").str.strip()
    errors += _issues(
        source.str.len() > MAX_SOURCE_CHARS, rows, frame, "source", f"longer than {MAX_SOURCE_CHARS}"
    )
    dup = ind.notna() & year.notna() & pd.DataFrame({"i": ind, "y": year}).duplicated(keep="first")
    errors += _issues(dup, rows, frame, "year", "the same indicator and year appear twice")
    if errors:
        errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0, e["field"] or ""))
        raise SubmissionError(f"{len(errors)} problem(s) in the submission; nothing was stored", errors)
    return pd.DataFrame(
        {
            "indicator": ind.astype(str).to_numpy(),
            "value": value.astype(float).to_numpy(),
            "year": year.astype(int).to_numpy(),
            "source": source.fillna(default_source).replace("", default_source).astype(str).to_numpy(),
        }
    )
