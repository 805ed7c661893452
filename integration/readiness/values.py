"""Indicator values in long format: the packaged reference dataset, validation, latest-value pick.

Long format, one row per observation: ``teryt`` (7-digit gmina code, string), ``indicator``
(framework code), ``value`` (float, in the indicator's unit), ``year`` (int, may be missing),
``source`` (text). Extra columns (``unit``, ``confidence``, ``note``, ``imputed``) are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from integration.readiness.framework import DATA_DIR, Framework, ReadinessInputError

LONG_COLUMNS = ("teryt", "indicator", "value", "year", "source")

# size classes of Polish gminas by population [persons]; the GUS convention for cities
SIZE_CLASS_EDGES = (0, 20_000, 100_000, 200_000, 500_000, np.inf)
SIZE_CLASS_LABELS = ("<20k", "20-100k", "100-200k", "200-500k", ">=500k")


def load_reference_data() -> pd.DataFrame:
    """The packaged reference dataset for Polish cities (long format, source and year per value).

    Returns
    -------
    pandas.DataFrame
        Columns ``teryt, indicator, value, year, source, unit, reference_date, confidence, note``.
        See ``integration/data/readiness/SOURCES.md``; blanks are "not found", never zero.
    """
    frame = pd.read_csv(DATA_DIR / "reference_values.csv", dtype={"teryt": str, "reference_date": str})
    frame["year"] = frame["year"].astype("Int64")
    return frame[list(LONG_COLUMNS) + ["unit", "reference_date", "confidence", "note"]]


def load_cities() -> pd.DataFrame:
    """Reference cities: ``teryt`` (index), ``city``, ``ump_member``, BDL unit ids (level 5 and 6)."""
    return pd.read_csv(DATA_DIR / "cities.csv", dtype=str).set_index("teryt")


def validate_values(values_long: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Check a long table and return a clean copy (typed columns).

    Raises
    ------
    ReadinessInputError
        Naming the first offending row and field: missing column, TERYT not 7 digits,
        unknown indicator, non-numeric value or year, the same (teryt, indicator, year) twice.
    """
    if not isinstance(values_long, pd.DataFrame):
        raise ReadinessInputError("values_long: expected a pandas DataFrame")
    missing = [c for c in ("teryt", "indicator", "value") if c not in values_long.columns]
    if missing:
        raise ReadinessInputError(f"values_long: missing column(s) {missing}")
    frame = values_long.reset_index(drop=True).copy()
    for column in ("year", "source"):
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["teryt"] = frame["teryt"].astype(str)
    bad = ~frame["teryt"].str.fullmatch(r"\d{7}")
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ReadinessInputError(
            f"row {row}, field 'teryt': {frame.at[row, 'teryt']!r} is not a 7-digit TERYT code"
        )
    unknown = ~frame["indicator"].isin(framework.indicators.index)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise ReadinessInputError(
            f"row {row}, field 'indicator': {frame.at[row, 'indicator']!r} is not in framework {framework.version}"
        )
    for column in ("value", "year"):
        numeric = pd.to_numeric(frame[column], errors="coerce")
        bad = numeric.isna() & frame[column].notna()
        if column == "value":
            bad |= ~np.isfinite(numeric.fillna(0.0))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ReadinessInputError(
                f"row {row}, field {column!r}: {frame.at[row, column]!r} is not a number"
            )
        frame[column] = numeric
    frame["year"] = frame["year"].astype("Int64")
    dup = frame.duplicated(["teryt", "indicator", "year"], keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise ReadinessInputError(
            f"row {row}: teryt {frame.at[row, 'teryt']} indicator {frame.at[row, 'indicator']!r} "
            f"year {frame.at[row, 'year']} appears twice"
        )
    return frame


def latest_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the most recent observation per (teryt, indicator); undated values rank last."""
    order = frame.assign(_y=frame["year"].astype("float").fillna(-np.inf))
    order = order.sort_values(["teryt", "indicator", "_y"], kind="stable")
    return order.drop_duplicates(["teryt", "indicator"], keep="last").drop(columns="_y")


def size_class(population: pd.Series) -> pd.Series:
    """Size class label of each unit from its population [persons]; NaN stays NaN."""
    return pd.cut(population, bins=SIZE_CLASS_EDGES, labels=SIZE_CLASS_LABELS, right=False).astype("string")
