"""Weighted aggregation per level with missing children dropped and weights re-normalised.

Written as matrix products so the same code aggregates one weight set (units x children) or a batch of
Monte Carlo weight sets (runs x units x children) in one call.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, section 1.6 (aggregation).
COINr R/aggregate.R: ``a_amean``, ``a_gmean``, ``a_hmean`` (bluefoxr/COINr @ b968203).
"""

from __future__ import annotations

import numpy as np

from .errors import CompositeInputError


def weighted_mean(
    values: np.ndarray,
    weights: np.ndarray,
    method: str = "arithmetic",
    min_share: float | None = None,
    label: str = "",
) -> np.ndarray:
    """Weighted arithmetic, geometric or harmonic mean of children, ignoring missing children.

    Parameters
    ----------
    values : ndarray, shape (..., n_units, n_children)
        Child scores; NaN = missing.
    weights : ndarray, shape (..., n_children, n_parents)
        Weight of each child in each parent (0 where not a child); broadcasts against ``values``.
    method : {"arithmetic", "geometric", "harmonic"}
    min_share : float, optional
        Minimum share of present children (by count) for a score; else NaN (COINr ``dat_thresh``).

    Returns
    -------
    ndarray, shape (..., n_units, n_parents)
        NaN where every child is missing.

    Notes
    -----
    With present-child mask m and weights w re-normalised over present children:
    arithmetic sum(w x) / sum(w m); geometric exp(sum(w ln x) / sum(w m));
    harmonic sum(w m) / sum(w / x).

    Raises
    ------
    CompositeInputError
        Geometric or harmonic mean of a non-positive value.
    """
    present = ~np.isnan(values)
    if method in ("geometric", "harmonic") and np.any(values[present] <= 0):
        raise CompositeInputError.at(
            f"{method} mean needs positive values; normalise to a positive range "
            "(e.g. minmax range [1, 100])",
            key=label or "aggregate",
        )
    filled = np.where(present, values, 1.0 if method != "arithmetic" else 0.0)
    mask = present.astype(float)
    mul = _shared_matmul if values.ndim == 2 and weights.ndim == 3 else np.matmul
    complete = bool(present.all())
    total_w = weights.sum(axis=-2, keepdims=True) if complete else mul(mask, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            out = mul(filled, weights) / total_w
        elif method == "geometric":
            out = np.exp(mul(np.log(filled) if complete else np.log(filled) * mask, weights) / total_w)
        elif method == "harmonic":
            out = total_w / mul(1.0 / filled if complete else mask / filled, weights)
        else:
            raise CompositeInputError.at(f"unknown aggregation method {method!r}", key=label or "aggregate")
    out = np.where(total_w > 0, out, np.nan)
    if min_share is not None:
        counts = mul(mask, (weights > 0).astype(float))
        share = counts / np.maximum((weights > 0).sum(axis=-2, keepdims=True), 1)
        out = np.where(share >= min_share, out, np.nan)
    return out


def _shared_matmul(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(n, k) @ (R, k, m) -> (R, n, m) as one BLAS product: the values are shared by every run."""
    runs, k, m = weights.shape
    flat = weights.transpose(0, 2, 1).reshape(runs * m, k) @ values.T
    return flat.reshape(runs, m, values.shape[0]).transpose(0, 2, 1)
