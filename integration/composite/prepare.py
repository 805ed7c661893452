"""Data preparation steps: denomination, imputation, screening of units by data availability.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, step 3 (imputation of missing data).
COINr R/denominate.R, R/impute.R, R/screen_units.R (bluefoxr/COINr @ b968203).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import CompositeInputError, InputProblem


def denominate(
    values: pd.DataFrame,
    denominators: pd.DataFrame,
    mapping: dict[str, str],
    scale_factors: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Divide indicators by a denominator of the same unit: x / (d / scale_factor).

    Parameters
    ----------
    values : DataFrame
        Units by indicators.
    denominators : DataFrame
        Units by denominator columns.
    mapping : dict
        Indicator code -> denominator column; indicators not listed are unchanged.
    scale_factors : dict, optional
        Indicator code -> factor (e.g. 1000 for "per 1,000 inhabitants"); default 1.

    Raises
    ------
    CompositeInputError
        A mapped indicator or denominator column that does not exist.
    """
    scale_factors = scale_factors or {}
    problems = [
        InputProblem(None, c, "denominated indicator is not in the data")
        for c in mapping
        if c not in values.columns
    ]
    problems += [
        InputProblem(None, d, f"denominator of {c!r} is not a denominator column")
        for c, d in mapping.items()
        if d not in denominators.columns
    ]
    if problems:
        raise CompositeInputError(problems)
    out = values.copy()
    for code, denom in mapping.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[code] = values[code] / (denominators[denom] / scale_factors.get(code, 1.0))
    return out.replace([np.inf, -np.inf], np.nan)


def impute(
    values: pd.DataFrame,
    method: str,
    groups: pd.Series | None = None,
    per_indicator: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Fill missing values column by column; present values are never changed.

    Parameters
    ----------
    method : {"none", "mean", "median", "group_mean", "group_median"}
        Group methods fill with the statistic of the unit's group (units without a group label stay
        missing, as in COINr's ``i_mean_grp``); a group with no present value stays missing.
    groups : Series, optional
        Group label per unit; required for group methods.
    per_indicator : dict, optional
        Indicator code -> method overriding ``method``.
    """
    per_indicator = per_indicator or {}
    out = values.copy()
    for m in {method, *per_indicator.values()}:
        cols = [c for c in values.columns if per_indicator.get(c, method) == m]
        if m == "none" or not cols:
            continue
        block = values[cols]
        if m in ("mean", "median"):
            fill = block.agg(m)
            out[cols] = block.fillna(fill)
        elif m in ("group_mean", "group_median"):
            if groups is None:
                raise CompositeInputError.at(f"{m} imputation needs a group column", key="impute.group")
            stat = "mean" if m == "group_mean" else "median"
            fill = block.groupby(groups.reindex(block.index), dropna=True).transform(stat)
            out[cols] = block.fillna(fill)
        else:
            raise CompositeInputError.at(f"unknown imputation method {m!r}", key="impute.method")
    return out


def availability(values: pd.DataFrame) -> pd.DataFrame:
    """Per unit: missing count, zero count, data availability and non-zero share (COINr ``get_data_avail``)."""
    n = values.shape[1]
    missing = values.isna().sum(axis=1)
    zeros = (values == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        nonzero = 1 - zeros / (n - missing)
    return pd.DataFrame(
        {"n_missing": missing, "n_zeros": zeros, "availability": 1 - missing / n, "nonzero_share": nonzero}
    )


def screen_units(
    values: pd.DataFrame,
    min_availability: float,
    min_nonzero: float | None = None,
    force_include: tuple[str, ...] = (),
    force_exclude: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Screen units by data availability: keep if availability >= threshold (removed only if below).

    Returns
    -------
    DataFrame
        ``availability`` table plus a boolean ``kept`` column.
    """
    unknown = [u for u in (*force_include, *force_exclude) if u not in values.index]
    if unknown:
        raise CompositeInputError([InputProblem(u, "screen.force", "unit not in the data") for u in unknown])
    table = availability(values)
    kept = table["availability"] >= min_availability
    if min_nonzero is not None:
        kept &= table["nonzero_share"] >= min_nonzero
    kept[list(force_include)] = True
    kept[list(force_exclude)] = False
    return table.assign(kept=kept)
