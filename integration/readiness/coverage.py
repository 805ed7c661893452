"""Data coverage and vintage: what each score rests on, what was imputed, how old the data are.

Everything is computed on unit x indicator matrices (no loop per unit); the per-unit lists for a
JSON payload come from :meth:`Coverage.detail`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from integration.readiness.framework import ReadinessInputError


@dataclass(frozen=True)
class Coverage:
    """Coverage of the indicators expected by a score.

    Attributes
    ----------
    present : DataFrame[bool]
        Units x expected indicators: a reported value exists.
    imputed : DataFrame[bool]
        Units x expected indicators: the value was filled by imputation.
    year : DataFrame[float]
        Units x expected indicators: year of the value (NaN if missing or undated).
    methods : dict
        Indicator code -> imputation method used for it.
    pillar_of : Series
        Indicator code -> pillar.
    reference_year : int
        Year against which ages are measured.
    max_age_years : int
        Values older than this are stale.
    """

    present: pd.DataFrame
    imputed: pd.DataFrame
    year: pd.DataFrame
    methods: dict
    pillar_of: pd.Series
    reference_year: int
    max_age_years: int

    @property
    def age_years(self) -> pd.DataFrame:
        """Age of each value [years] = reference_year - year."""
        return self.reference_year - self.year

    @property
    def stale(self) -> pd.DataFrame:
        """Units x indicators: value present and older than ``max_age_years``."""
        return self.present & (self.age_years > self.max_age_years)

    @property
    def undated(self) -> pd.DataFrame:
        return self.present & self.year.isna()

    def summary(self) -> pd.DataFrame:
        """Per unit: counts, share present, oldest/newest year, stale and undated counts."""
        expected = self.present.shape[1]
        return pd.DataFrame(
            {
                "n_expected": expected,
                "n_present": self.present.sum(axis=1),
                "n_imputed": self.imputed.sum(axis=1),
                "n_missing": (~self.present & ~self.imputed).sum(axis=1),
                "coverage_share": self.present.sum(axis=1) / max(expected, 1),
                "oldest_year": self.year.min(axis=1),
                "newest_year": self.year.max(axis=1),
                "n_stale": self.stale.sum(axis=1),
                "n_undated": self.undated.sum(axis=1),
            }
        )

    def pillar_summary(self) -> pd.DataFrame:
        """Per unit and pillar: ``n_expected``, ``n_present`` (columns MultiIndex (count, pillar))."""
        present = self.present.T.groupby(self.pillar_of).sum().T
        expected = self.present.notna().T.groupby(self.pillar_of).sum().T
        return pd.concat({"n_expected": expected, "n_present": present}, axis=1)

    def detail(self, teryt: str) -> dict:
        """JSON-ready coverage of one unit (lists of missing, imputed, stale indicators)."""
        if teryt not in self.present.index:
            raise ReadinessInputError(f"teryt {teryt!r}: no such unit in this result")
        row = self.summary().loc[teryt]
        present, imputed = self.present.loc[teryt], self.imputed.loc[teryt]
        missing = present.index[~present & ~imputed].tolist()
        pillars = self.pillar_summary().loc[teryt]
        return {
            "indicators_expected": int(row["n_expected"]),
            "indicators_present": int(row["n_present"]),
            "coverage_share": round(float(row["coverage_share"]), 4),
            "missing": missing,
            "imputed": {code: self.methods.get(code, "unknown") for code in imputed.index[imputed]},
            "stale": self.stale.loc[teryt].pipe(lambda s: s.index[s].tolist()),
            "undated": self.undated.loc[teryt].pipe(lambda s: s.index[s].tolist()),
            "max_age_years": self.max_age_years,
            "by_pillar": {
                pillar: {
                    "indicators_expected": int(pillars["n_expected"][pillar]),
                    "indicators_present": int(pillars["n_present"][pillar]),
                }
                for pillar in pillars["n_expected"].index
            },
        }

    def vintage(self, teryt: str) -> dict:
        """JSON-ready data vintage of one unit: oldest, newest and per-indicator year."""
        years = self.year.loc[teryt].dropna()
        return {
            "reference_year": self.reference_year,
            "oldest_year": int(years.min()) if len(years) else None,
            "newest_year": int(years.max()) if len(years) else None,
            "by_indicator": {code: int(y) for code, y in years.items()},
        }


def compute_coverage(
    present: pd.DataFrame,
    year: pd.DataFrame,
    imputed: pd.DataFrame | None,
    methods: dict,
    pillar_of: pd.Series,
    reference_year: int,
    max_age_years: int,
) -> Coverage:
    """Build a :class:`Coverage` from aligned unit x indicator matrices.

    Parameters
    ----------
    present : DataFrame[bool]
        Reported (not imputed) value exists.
    year : DataFrame[float]
        Year of each reported value [year].
    imputed : DataFrame[bool] or None
        Filled by imputation (None = nothing imputed).
    methods : dict
        Indicator -> imputation method.
    pillar_of : Series
        Indicator -> pillar.
    reference_year : int
    max_age_years : int
        Must be >= 0.
    """
    if max_age_years < 0:
        raise ReadinessInputError(f"max_age_years: must be >= 0, got {max_age_years}")
    if imputed is None:
        imputed = pd.DataFrame(False, index=present.index, columns=present.columns)
    year = year.where(present).astype(float)
    return Coverage(
        present=present.astype(bool),
        imputed=imputed.reindex_like(present).fillna(False).astype(bool) & ~present.astype(bool),
        year=year,
        methods=dict(methods),
        pillar_of=pillar_of.reindex(present.columns),
        reference_year=int(reference_year),
        max_age_years=int(max_age_years),
    )


def stale_mask(year: np.ndarray, reference_year: int, max_age_years: int) -> np.ndarray:
    """True where ``reference_year - year > max_age_years`` (NaN years are not stale)."""
    with np.errstate(invalid="ignore"):
        return (reference_year - np.asarray(year, dtype=float)) > max_age_years
