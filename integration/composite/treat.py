"""Outlier treatment the COINr way: winsorise up to ``winmax`` points, else a log transform.

References
----------
COINr ``Treat`` / ``winsorise`` / ``log_CT`` (bluefoxr/COINr @ b968203, R/treat.R), described in
``tests/data/asem/PIPELINE.md`` section 5. OECD/JRC (2008) Handbook, step 4 (outliers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import passes_skew_kurt, skew_kurt


@dataclass(frozen=True)
class ColumnTreatment:
    """What happened to one column."""

    status: str  # "unchanged", "winsorised", "log_ct", "log", "failed", "undefined"
    n_winsorised: int
    winsorised_high: tuple[int, ...]
    winsorised_low: tuple[int, ...]
    skew_before: float
    kurt_before: float
    skew_after: float
    kurt_after: float
    passes_after: bool


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: ln(x - min x + 0.01 (max x - min x)), min/max over present values."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def winsorise(
    x: np.ndarray,
    winmax: int = 5,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    force: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Winsorise one column until it passes the skew/kurtosis test or ``winmax`` points are treated.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Values; NaN = missing (kept).
    winmax : int
        Maximum number of winsorised points.
    force : bool
        Winsorise exactly up to ``winmax`` points even if the column passes (COINr ``force_win``).

    Returns
    -------
    w : ndarray
        Winsorised copy.
    high, low : ndarray of int
        Positions of the last high-side and last low-side set (COINr's counting: nwin = |high| + |low|).

    Notes
    -----
    At each step the side follows the sign of the current skew (>= 0: high side). All positions equal to the
    current extreme are set to the most extreme of the other values.
    """
    w = np.array(x, dtype=float)
    present = ~np.isnan(w)
    high = low = np.array([], dtype=int)

    def fails() -> bool:
        s, k = skew_kurt(w)
        ok = passes_skew_kurt(s, k, skew_threshold, kurtosis_threshold)
        return bool(ok == 0) or force

    while len(high) + len(low) < winmax and fails():
        s, _ = skew_kurt(w)
        vals = w[present]
        if np.isnan(s) or vals.min() == vals.max():
            break
        if s >= 0:
            high = np.flatnonzero(present & (w == vals.max()))
            w[high] = vals[vals != vals.max()].max()
        else:
            low = np.flatnonzero(present & (w == vals.min()))
            w[low] = vals[vals != vals.min()].min()
    return w, high, low


def treat_column(
    x: np.ndarray,
    method: str = "winsorise",
    winmax: int = 5,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    fallback: str = "log_ct",
) -> tuple[np.ndarray, ColumnTreatment]:
    """Treat one column: unchanged if it passes, else winsorise, else ``fallback`` on the original column."""
    x = np.asarray(x, dtype=float)
    s0, k0 = skew_kurt(x)
    ok0 = passes_skew_kurt(s0, k0, skew_threshold, kurtosis_threshold)

    def summary(status: str, y: np.ndarray, n: int, hi=(), lo=()) -> tuple[np.ndarray, ColumnTreatment]:
        s, k = skew_kurt(y)
        ok = passes_skew_kurt(s, k, skew_threshold, kurtosis_threshold)
        return y, ColumnTreatment(
            status,
            n,
            tuple(int(i) for i in hi),
            tuple(int(i) for i in lo),
            float(s0),
            float(k0),
            float(s),
            float(k),
            bool(ok == 1),
        )

    if np.isnan(ok0):
        return summary("undefined", x, 0)
    if ok0 == 1 or method == "none":
        return summary("unchanged", x, 0)
    w, hi, lo = winsorise(x, winmax, skew_threshold, kurtosis_threshold)
    s, k = skew_kurt(w)
    if passes_skew_kurt(s, k, skew_threshold, kurtosis_threshold) == 1:
        return summary("winsorised", w, len(hi) + len(lo), hi, lo)
    if fallback == "log_ct":
        return summary("log_ct", log_ct(x), 0)
    if fallback == "log":
        with np.errstate(invalid="ignore", divide="ignore"):
            return summary("log", np.log(x), 0)
    return summary("failed", w, len(hi) + len(lo), hi, lo)


def treat(
    values: pd.DataFrame, spec_for: dict[str, dict], default: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treat every column of ``values`` (loop per indicator; numpy over units).

    Returns
    -------
    treated : DataFrame
    summary : DataFrame
        One row per indicator: status, n_winsorised, side, skew/kurt before and after, pass after.
    """
    out, rows = values.copy(), []
    for code in values.columns:
        opts = {**default, **spec_for.get(code, {})}
        y, info = treat_column(values[code].to_numpy(), **opts)
        out[code] = y
        side = (
            "high"
            if info.winsorised_high and not info.winsorised_low
            else "low"
            if info.winsorised_low and not info.winsorised_high
            else "both"
            if info.n_winsorised
            else ""
        )
        rows.append(
            {
                "iCode": code,
                "status": info.status,
                "n_winsorised": info.n_winsorised,
                "side": side,
                "skew_before": info.skew_before,
                "kurt_before": info.kurt_before,
                "skew_after": info.skew_after,
                "kurt_after": info.kurt_after,
                "passes_after": info.passes_after,
            }
        )
    return out, pd.DataFrame(rows).set_index("iCode")
