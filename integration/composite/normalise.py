"""Normalisation of indicator columns (COINr ``n_*`` functions), vectorised over units.

Every method returns values where higher = better: the column is multiplied by its direction first,
except for ``goalposts`` and ``dist2targ`` which take the direction as an argument (as COINr does).

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, section 1.5 (normalisation).
COINr R/normalise.R (bluefoxr/COINr @ b968203).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import CompositeInputError


def minmax(x: np.ndarray, range_: tuple[float, float] = (0.0, 100.0)) -> np.ndarray:
    """(x - min)/(max - min) (u - l) + l; NaN for a zero-range column."""
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - lo) / (hi - lo) * (range_[1] - range_[0]) + range_[0]


def zscore(x: np.ndarray, mean_sd: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """(x - mean)/sd * s + m with the sample standard deviation (n - 1)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0, ddof=1) * mean_sd[1] + mean_sd[0]


def goalposts(x: np.ndarray, posts: tuple[float, float, float], direction: float = 1.0) -> np.ndarray:
    """Target-based: clamp((x - low)/(high - low), 0, 1) * scale; direction -1 measures from ``high``."""
    low, high, scale = posts
    y = (x - low) / (high - low) if direction > 0 else (high - x) / (high - low)
    return np.clip(y, 0.0, 1.0) * scale


def dist2targ(x: np.ndarray, target: float, direction: float = 1.0, cap_max: bool = False) -> np.ndarray:
    """Distance to target: (x - min)/(target - min), or (max - x)/(max - target) for direction -1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if direction > 0:
            y = (x - np.nanmin(x)) / (target - np.nanmin(x))
        else:
            y = (np.nanmax(x) - x) / (np.nanmax(x) - target)
    return np.minimum(y, 1.0) if cap_max else y


def dist2ref(x: np.ndarray, ref_value: float, cap_max: bool = False) -> np.ndarray:
    """1 - (x_ref - x)/(x_ref - min): 1 at the reference unit, 0 at the worst."""
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref_value - x) / (ref_value - np.nanmin(x))
    return np.minimum(y, 1.0) if cap_max else y


def rank_min(x: np.ndarray) -> np.ndarray:
    """Ascending rank per column, ties get the minimum, NaN kept (1 = smallest)."""
    return pd.DataFrame(x).rank(method="min", na_option="keep").to_numpy()


def normalise_column(
    x: np.ndarray,
    method: str,
    direction: float,
    params: dict[str, Any],
    target: float = np.nan,
    ref_value: float = np.nan,
    code: str = "",
) -> np.ndarray:
    """Normalise one column [normalised score] with ``method`` and its ``params``."""
    if method == "goalposts":
        if "goalposts" not in params:
            raise CompositeInputError.at(
                "goalposts normalisation needs 'goalposts: [low, high, scale]'", key=code
            )
        return goalposts(x, params["goalposts"], direction)
    if method == "dist2targ":
        targ = float(params.get("target", target))
        if np.isnan(targ):
            raise CompositeInputError.at(
                "dist2targ needs a target (config 'target' or iMeta Target)", key=code
            )
        return dist2targ(x, targ, direction, bool(params.get("cap_max", False)))
    v = x * direction
    if method == "minmax":
        return minmax(v, params.get("range", (0.0, 100.0)))
    if method == "zscore":
        return zscore(v, params.get("mean_sd", (0.0, 1.0)))
    if method == "prank":
        r = rank_min(v[:, None])[:, 0]
        share = (r - 1) / (np.count_nonzero(~np.isnan(v)) - 1)
        low, high = params.get("range", (0.0, 1.0))  # COINr's n_prank is [0, 1]; a range is an extension
        return low + (high - low) * share
    if method == "rank":
        return rank_min(v[:, None])[:, 0] - 1
    if method == "scaled":
        a, b = params.get("scale", (0.0, 1.0))
        return (v - a) / (b - a) * 100
    if method == "fracmax":
        return v / np.nanmax(v)
    if method == "dist2max":
        return 1 - (np.nanmax(v) - v) / (np.nanmax(v) - np.nanmin(v))
    if method == "dist2ref":
        return dist2ref(v, ref_value * direction, bool(params.get("cap_max", False)))
    if method == "none":
        return np.array(x, dtype=float)
    raise CompositeInputError.at(f"unknown normalisation method {method!r}", key=code)


def normalise(
    values: pd.DataFrame,
    directions: pd.Series,
    method: str,
    params: dict[str, Any],
    per_indicator: dict[str, dict[str, Any]] | None = None,
    targets: pd.Series | None = None,
) -> pd.DataFrame:
    """Normalise every column (loop per indicator, numpy over units).

    Parameters
    ----------
    values : DataFrame
        Units by indicators.
    directions : Series
        +1 / -1 per indicator.
    method, params : str, dict
        Default method and parameters (see ``NormaliseSpec``).
    per_indicator : dict, optional
        Code -> {method, params...} overriding the default for that indicator.
    targets : Series, optional
        iMeta Target per indicator (for ``dist2targ``).
    """
    per_indicator = per_indicator or {}
    out = {}
    for code in values.columns:
        own = per_indicator.get(code, {})
        m = own.get("method", method)
        p = {**(params if m == method else {}), **{k: v for k, v in own.items() if k != "method"}}
        ref = np.nan
        if m == "dist2ref":
            unit = p.get("reference")
            if unit not in values.index:
                raise CompositeInputError.at(
                    f"dist2ref reference unit {unit!r} is not among the units", key=code
                )
            ref = values.at[unit, code]
        targ = targets.get(code, np.nan) if targets is not None else np.nan
        out[code] = normalise_column(
            values[code].to_numpy(dtype=float),
            m,
            float(directions[code]),
            p,
            float(targ) if pd.notna(targ) else np.nan,
            ref,
            code,
        )
    return pd.DataFrame(out, index=values.index)
