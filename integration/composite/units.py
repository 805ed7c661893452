"""Unit data (COINr ``iData`` shape): split into indicator values, groups and denominators."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import CompositeInputError, InputProblem
from .tree import RESERVED_COLUMNS, UNIT_ID, UNIT_NAME, IndicatorTree


@dataclass(frozen=True)
class UnitTable:
    """Validated unit data, sorted by unit code (as COINr's ``new_coin``).

    Attributes
    ----------
    values : DataFrame
        Units (index ``uCode``) by indicators, float; NaN = missing.
    groups : DataFrame
        Units by group columns (text).
    denominators : DataFrame
        Units by denominator columns, float.
    names : Series
        Display name per unit (``uName``; the code when absent).
    """

    values: pd.DataFrame
    groups: pd.DataFrame
    denominators: pd.DataFrame
    names: pd.Series

    @classmethod
    def from_data(cls, data: pd.DataFrame, tree: IndicatorTree) -> UnitTable:
        """Validate ``iData`` against the tree.

        Raises
        ------
        CompositeInputError
            No ``uCode`` column, a unit twice, a non-numeric indicator or denominator value, a column
            that is not in the metadata, or an indicator of the metadata that is not in the data.
        """
        if UNIT_ID not in data.columns:
            raise CompositeInputError.at("data has no unit code column", key=UNIT_ID)
        codes = data[UNIT_ID].astype(str)
        problems = [
            InputProblem(c, UNIT_ID, "unit appears more than once")
            for c in codes[codes.duplicated()].unique()
        ]
        problems += [
            InputProblem(None, UNIT_ID, "unit code is empty") for _ in range(int(data[UNIT_ID].isna().sum()))
        ][:1]
        known = set(tree.indicators) | set(tree.groups) | set(tree.denominators) | set(RESERVED_COLUMNS)
        known |= set(tree.nodes.index)  # aggregate columns given in data are ignored (recomputed)
        problems += [
            InputProblem(None, str(c), "column is in the data but not in the metadata")
            for c in data.columns
            if c not in known
        ]
        problems += [
            InputProblem(None, c, "indicator is in the metadata but not in the data")
            for c in tree.indicators
            if c not in data.columns
        ]
        problems += [
            InputProblem(None, c, "group column is in the metadata but not in the data")
            for c in tree.groups
            if c not in data.columns
        ]
        if problems:
            raise CompositeInputError(problems)
        frame = data.set_index(codes.rename(UNIT_ID)).sort_index()
        numeric_cols = tree.indicators + [c for c in tree.denominators if c in frame.columns]
        numeric = frame[numeric_cols].apply(pd.to_numeric, errors="coerce").astype(float)
        text_cols = [
            c for c in numeric_cols if not pd.api.types.is_numeric_dtype(frame[c])
        ]  # only these can hold text
        raw = frame[text_cols]
        bad = numeric[text_cols].isna() & raw.notna() & (raw.astype(str).apply(lambda s: s.str.strip()) != "")
        if bad.any().any():
            stacked = bad.stack()
            problems = [
                InputProblem(u, c, f"value {frame.at[u, c]!r} is not numeric")
                for (u, c) in stacked[stacked].index
            ]
            raise CompositeInputError(problems)
        names = frame[UNIT_NAME].astype(str) if UNIT_NAME in frame.columns else frame.index.to_series()
        groups = frame[tree.groups].astype(object).where(frame[tree.groups].notna(), None)
        return cls(
            numeric[tree.indicators],
            groups,
            numeric[numeric_cols[len(tree.indicators) :]],
            names.rename(UNIT_NAME),
        )
