"""Validation of a parsed inventory: every error of the whole submission at once, vectorised.

Input is a frame of raw text cells (canonical column names, ``None``/empty for "not given") as the
readers in ``parsing.py`` produce it. Each column is converted and checked with pandas operations
(a loop over columns, never over rows); only the failing cells become :class:`FieldIssue` objects.
Hard violations (type, bounds, enum, duplicates, retrofit before construction, a point outside
Poland) are errors; possible-but-odd values (see ``plausibility.py``) are warnings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from energy.errors import EnergyError
from energy.geo import in_poland, tolerance_m
from energy.inventory.columns import (
    FIELDS,
    METERED_VALUES,
    RETROFIT_YEARS,
    FieldSpec,
    enum_lookup,
    normalise_enum,
)


@dataclass(frozen=True)
class FieldIssue:
    """One finding about one cell (or one column, or the whole file).

    ``row`` is the row number as the city sees it in its file (CSV/XLSX: header = 1, first data
    row = 2; JSON: list index + 1), or None for a finding about the whole file. ``field`` is the
    canonical field name (or the header as written for an unknown column), ``value`` the cell as
    written, ``reason`` a sentence a city clerk can act on.
    """

    row: int | None
    field: str | None
    value: str | None
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


class InventoryError(EnergyError):
    """Base of intake errors; carries the list of :class:`FieldIssue` that explain it."""

    def __init__(self, message: str, issues: list[FieldIssue] | None = None) -> None:
        self.issues = list(issues or [])
        detail = "; ".join(_describe(i) for i in self.issues[:3])
        super().__init__(f"{message}: {detail}" if detail else message)


class InventoryFormatError(InventoryError):
    """The submission cannot be read at all (content type, quoting, empty, sheet, columns, JSON)."""


class InventoryTooLarge(InventoryError):
    """The submission has more rows (or bytes) than the limit allows (the service answers 413)."""


class InventoryValidationError(InventoryError):
    """Raised by :meth:`ParsedInventory.raise_for_errors` when cells fail validation."""


def _describe(issue: FieldIssue) -> str:
    where = [
        f"row {issue.row}" if issue.row is not None else "",
        f"field '{issue.field}'" if issue.field else "",
    ]
    prefix = ", ".join(w for w in where if w)
    return f"{prefix}: {issue.reason}" if prefix else issue.reason


class IssueCollector:
    """Turn boolean masks over rows into FieldIssue lists; only failing rows are visited."""

    def __init__(self, rows: np.ndarray, raw: pd.DataFrame) -> None:
        self.rows = rows
        self.raw = raw
        self.errors: list[FieldIssue] = []
        self.warnings: list[FieldIssue] = []
        self._blank: dict[str, np.ndarray] = {}

    def add(self, mask, field: str, reason, *, warning: bool = False, value_field: str | None = None) -> None:
        """Record an issue for every True in ``mask``; ``reason`` is a string or an array per row."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if idx.size == 0:
            return
        col = self.raw.get(value_field or field)
        values = col.to_numpy(dtype=object)[idx] if col is not None else [None] * idx.size
        reasons = (
            np.asarray(reason, dtype=object)[idx] if not isinstance(reason, str) else [reason] * idx.size
        )
        target = self.warnings if warning else self.errors
        target.extend(
            FieldIssue(int(r), field, None if v is None or v == "" else str(v), str(why))
            for r, v, why in zip(self.rows[idx], values, reasons, strict=True)
        )

    def raw_missing(self, name: str) -> np.ndarray:
        """True where the raw cell was empty (so that a derived error is not reported twice)."""
        if name not in self._blank:
            col = self.raw.get(name)
            self._blank[name] = (
                np.ones(len(self.raw), bool) if col is None else blank_cells(col.to_numpy(dtype=object))
            )
        return self._blank[name]


def null_cells(cells: np.ndarray) -> np.ndarray:
    """True for None and NaN in an object array (faster than ``pd.isna`` on mostly-None columns)."""
    # numpy's stubs reject None as an operand; on an object array it compares elementwise.
    return np.equal(cells, None) | (cells != cells)  # type: ignore[call-overload]


def blank_cells(cells: np.ndarray, *, strip: bool = True) -> np.ndarray:
    """True for None/NaN and empty text; with ``strip`` also for whitespace-only text."""
    blank = null_cells(cells) | (cells == "")
    if strip:
        candidates = np.flatnonzero(~blank)
        if candidates.size:
            stripped = pd.Series(cells[candidates], dtype=object).astype(str).str.strip()
            blank[candidates[(stripped == "").to_numpy()]] = True
    return blank


def _bounds_reason(spec: FieldSpec, upper: float | None) -> str:
    lo = "" if spec.minimum is None else ("> " if spec.min_exclusive else ">= ") + f"{spec.minimum:g}"
    hi = "" if upper is None else ("< " if spec.max_exclusive else "<= ") + f"{upper:g}"
    unit = f" [{spec.unit}]" if spec.unit and spec.unit not in ("-", "year") else ""
    return "must be " + " and ".join(p for p in (lo, hi) if p) + unit


def _to_numbers(cells: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """Parse text cells to float [NaN where not a number]; only cells the fast path rejects are cleaned."""
    number = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    retry = np.flatnonzero(~np.isfinite(number) & ~blank_cells(cells, strip=False))
    if retry.size:
        text = pd.Series(cells[retry], dtype=object).astype(str)
        if decimal_comma:
            text = text.str.replace(",", ".", regex=False)
        # Thousands separators a spreadsheet may export: space, no-break and narrow no-break space.
        for sep in (" ", "\u00a0", "\u202f"):
            text = text.str.replace(sep, "", regex=False)
        number[retry] = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    return number


def _classify_unparsed(values: np.ndarray) -> list[str]:
    """Say why each failing cell is not a usable number; loops over distinct bad values only."""
    reasons = {}
    for value in pd.unique(values):
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            reasons[value] = "not a number (text in a numeric column)"
        else:
            reasons[value] = "not a finite number (NaN, infinity and overflowing values are rejected)"
            if np.isfinite(number):
                reasons[value] = "not a number in this file's format"
    return [reasons[v] for v in values]


def _fold_enum(cells: np.ndarray, lookup: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Map enum spellings to canonical values, folding each *distinct* spelling once.

    Returns the canonical values and a mask of blank cells (None, empty or whitespace).
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    folded = [normalise_enum(str(u)) for u in uniques]
    canonical = np.array([lookup.get(f) for f in folded] + [None], dtype=object)
    blank = np.array([f == "" for f in folded] + [True], dtype=bool)
    return pd.Series(canonical[codes], dtype="string"), blank[codes]


def _check_column(spec: FieldSpec, raw: pd.Series | None, n: int, out: IssueCollector, decimal_comma: bool):
    """Convert one column to its canonical dtype and record its cell-level errors."""
    cells = np.full(n, None, dtype=object) if raw is None else raw.to_numpy(dtype=object)
    if spec.kind == "str":
        text = pd.Series(cells, dtype=object).astype(str).str.strip()
        given = ~(null_cells(cells) | (text == "").to_numpy())
        text = text.where(given, None).astype("string")
    elif spec.kind == "enum":
        canonical, blank = _fold_enum(cells, enum_lookup(spec))
        given = ~blank
    else:
        values = _to_numbers(cells, decimal_comma)
        given = ~blank_cells(cells, strip=False)
        maybe_blank = given & ~np.isfinite(values)
        if maybe_blank.any():
            given[maybe_blank] = ~blank_cells(cells[maybe_blank])
    if spec.required:
        out.add(~given, spec.name, "required field is missing")
    if spec.kind == "str":
        if spec.max_length:
            too_long = (text.str.len() > spec.max_length).fillna(False).to_numpy(dtype=bool)
            out.add(given & too_long, spec.name, f"longer than {spec.max_length} characters")
        return text
    if spec.kind == "enum":
        unknown = given & canonical.isna().to_numpy()
        out.add(unknown, spec.name, f"unknown value; expected one of: {', '.join(spec.choices)}")
        return canonical
    finite = np.isfinite(values)
    unparsed = given & ~finite
    if unparsed.any():
        reasons = np.empty(n, dtype=object)
        reasons[unparsed] = _classify_unparsed(cells[unparsed])
        out.add(unparsed, spec.name, reasons)
    ok = finite.copy()
    if spec.integer:
        with np.errstate(invalid="ignore"):
            fractional = finite & (np.mod(values, 1.0) != 0)
        out.add(fractional, spec.name, "must be a whole number")
        ok &= ~fractional
    upper = spec.upper_bound()
    with np.errstate(invalid="ignore"):
        too_low = np.zeros(n, bool)
        if spec.minimum is not None:
            too_low = values <= spec.minimum if spec.min_exclusive else values < spec.minimum
        too_high = np.zeros(n, bool)
        if upper is not None:
            too_high = values >= upper if spec.max_exclusive else values > upper
    out_of_range = ok & (too_low | too_high)
    out.add(out_of_range, spec.name, _bounds_reason(spec, upper))
    number = pd.Series(np.where(ok & ~out_of_range, values, np.nan))
    return number.round().astype("Int64") if spec.integer else number


def validate_frame(raw: pd.DataFrame, rows: np.ndarray, *, decimal_comma: bool = False):
    """Validate raw text cells; return ``(buildings, errors, warnings)``.

    Parameters
    ----------
    raw : DataFrame
        Raw cells (str or None), columns named canonically; absent optional columns are allowed.
    rows : ndarray of int
        Source row number of each frame row (see :class:`FieldIssue`).
    decimal_comma : bool
        Accept ``12,5`` as 12.5 (semicolon CSV, XLSX text cells).

    Returns
    -------
    buildings : DataFrame
        All canonical columns in canonical order and dtypes (``string``, ``Int64``, ``float64``);
        cells that failed validation are missing.
    errors, warnings : list of FieldIssue
        Sorted by row, then by field order.
    """
    raw = raw.reset_index(drop=True)
    n = len(raw)
    out = IssueCollector(np.asarray(rows, dtype=np.int64), raw)
    columns = {spec.name: _check_column(spec, raw.get(spec.name), n, out, decimal_comma) for spec in FIELDS}
    buildings = pd.DataFrame(columns)
    _check_rows(buildings, out)

    from energy.inventory.plausibility import plausibility_warnings

    plausibility_warnings(buildings, out)
    order = {spec.name: i for i, spec in enumerate(FIELDS)}

    def key(issue: FieldIssue):
        return (issue.row if issue.row is not None else -1, order.get(issue.field or "", len(order)))

    return buildings, sorted(out.errors, key=key), sorted(out.warnings, key=key)


def _check_rows(b: pd.DataFrame, out: IssueCollector) -> None:
    """Cross-field errors: duplicate ids, retrofit years, coordinates, heat recovery, metering year."""
    ids = b["building_id"]
    dup = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    if dup.any():
        first_row = pd.Series(out.rows, index=b.index).groupby(ids.to_numpy(), dropna=True).transform("first")
        reasons = "duplicate building_id: first used in row " + first_row.astype("Int64").astype(str)
        out.add(dup, "building_id", reasons.reindex(b.index).to_numpy(dtype=object))
    built = b["construction_year"]
    for name in RETROFIT_YEARS:
        before = (b[name] < built).fillna(False).to_numpy()
        out.add(before, name, "retrofit year is before construction_year")
    lat, lon = b["lat"], b["lon"]
    lat_given, lon_given = lat.notna().to_numpy(), lon.notna().to_numpy()
    out.add(lat_given & ~lon_given & out.raw_missing("lon"), "lon", "lat is given without lon")
    out.add(lon_given & ~lat_given & out.raw_missing("lat"), "lat", "lon is given without lat")
    both = lat_given & lon_given
    outside = both & ~in_poland(lat.to_numpy(), lon.to_numpy())
    where = f") is not in Poland (WGS84 lat/lon; GUGiK PRG state border, {tolerance_m():.0f} m tolerance)"
    reasons = "point (" + lat.astype(str) + ", " + lon.astype(str) + where
    out.add(outside, "lat", reasons.to_numpy(dtype=object))
    recovery = (b["heat_recovery_efficiency"] > 0).fillna(False).to_numpy()
    no_unit = (
        b["ventilation_system"].notna().to_numpy() & (b["ventilation_system"] != "balanced_hr").to_numpy()
    )
    out.add(recovery & no_unit, "heat_recovery_efficiency",
            "heat recovery needs ventilation_system balanced_hr (or leave ventilation_system empty)")  # fmt: skip
    metered_any = np.zeros(len(b), bool)
    for name in METERED_VALUES:
        metered_any |= b[name].notna().to_numpy()
    no_year = metered_any & b["metered_year"].isna().to_numpy() & out.raw_missing("metered_year")
    out.add(no_year, "metered_year", "metered consumption is given without metered_year")
