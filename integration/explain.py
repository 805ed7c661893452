"""Explain a composite score: contributions, strengths and weaknesses, and marginal effects.

All tables are computed for every unit at once (numpy over units, a loop per tree node); ``explain_unit``
then reads one row.

Notes
-----
The three means are homogeneous of degree 1, so by Euler's theorem a score S of aggregate A equals
sum_i x_i dS/dx_i over its indicators i. That sum is used as the contribution of each indicator: for an
arithmetic tree it is (effective weight of i in A, re-normalised over the unit's present indicators) x x_i;
for a geometric mean every present child's contribution is its weight share of S.
The marginal effect dS/dx_i is the product of the local partial derivatives along the path from i to A:
arithmetic w_i/sum(w), geometric S w_i/(sum(w) x_i), harmonic S^2 w_i/(sum(w) x_i^2) (missing children: 0).

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, step 9 (back to the data / decomposition).
COINr ``get_str_weak`` (strengths and weaknesses by indicator rank), bluefoxr/COINr @ b968203.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .composite.config import NormaliseSpec
from .composite.errors import CompositeInputError
from .composite.pipeline import IndexResult
from .composite.rank import rank_desc


def _check_code(result: IndexResult, code: str | None) -> str:
    code = code or result.tree.root
    if code not in result.scores.columns:
        raise CompositeInputError.at("not an aggregate of the index", key=code)
    return code


def marginal_effects(result: IndexResult, code: str | None = None) -> pd.DataFrame:
    """dS/dx_i: change of aggregate ``code`` per normalised point of each indicator, for every unit.

    Returns
    -------
    DataFrame
        Units by indicators [score points per normalised point]; 0 for indicators outside ``code``.
    """
    code = _check_code(result, code)
    tree, values = result.tree, result.datasets["Aggregated"]
    n = len(values)
    deriv: dict[str, np.ndarray] = {code: np.ones(n)}
    for level in reversed(tree.levels):  # top-down: d(code)/d(child) = d(code)/d(parent) * d(parent)/d(child)
        method = result.config.aggregate.method_at(level)
        for parent in tree.codes_at(level):
            if parent not in deriv:
                continue
            kids = tree.children(parent)
            x = values[kids].to_numpy(dtype=float)
            w = np.where(np.isnan(x), 0.0, tree.nodes.loc[kids, "Weight"].to_numpy(dtype=float))
            share = w / w.sum(axis=1, keepdims=True)
            s = values[parent].to_numpy(dtype=float)[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                local = {"arithmetic": share, "geometric": s * share / x, "harmonic": s**2 * share / x**2}[
                    method
                ]
            local = np.where(np.isnan(x), 0.0, local)
            for j, kid in enumerate(kids):
                deriv[kid] = deriv[parent] * local[:, j]
    return pd.DataFrame({i: deriv.get(i, np.zeros(n)) for i in tree.indicators}, index=values.index)


def contributions(result: IndexResult, code: str | None = None) -> pd.DataFrame:
    """Contribution of each indicator to aggregate ``code`` for every unit (rows sum to the score).

    Returns
    -------
    DataFrame
        Units by indicators [score points]; 0 for missing indicators and indicators outside ``code``.
    """
    x = result.normalised[result.tree.indicators]
    return (marginal_effects(result, code) * x).fillna(0.0)


def indicator_ranks(result: IndexResult, group: str | None = None) -> pd.DataFrame:
    """Rank of every unit on every normalised indicator (1 = best), overall or within a group column."""
    groups = None
    if group is not None:
        if group not in result.units.groups.columns:
            raise CompositeInputError.at("not a group column of the data", key=group)
        groups = result.units.groups[group]
    return rank_desc(result.normalised[result.tree.indicators], groups)


def normalisation_slope(result: IndexResult) -> pd.Series:
    """d(normalised)/d(value entering normalisation) per indicator, column statistics held fixed.

    NaN for rank-based methods (prank, rank, dist2ref), whose slope is not defined. For goalposts the slope
    inside the posts is returned (it is 0 for a unit beyond them; see ``marginal_table``). Outlier treatment
    is not differentiated: a winsorised unit is credited the slope of the untreated scale.
    """
    tree, spec = result.tree, result.config.normalise
    x = result.pre_normalised[tree.indicators]
    out = {}
    for code in tree.indicators:
        own = spec.per_indicator.get(code, {})
        method = own.get("method", spec.method)
        p = {**(spec.params if method == spec.method else {}), **own}
        d = float(tree.nodes.at[code, "Direction"])
        v = x[code] * d
        targ = p.get("target", tree.nodes.at[code, "Target"])
        # minmax & co. scale x * d; goalposts and dist2targ measure from the far post for d = -1: both give slope * d
        out[code] = _slope(method, p, v, x[code], d, targ) * d
    return pd.Series(out)


def _slope(method: str, p: dict, v: pd.Series, x: pd.Series, d: float, targ: float) -> float:
    lo, hi = v.min(), v.max()
    if method == "minmax":
        low, high = p.get("range", (0, 100))
        return (high - low) / (hi - lo)
    if method == "zscore":
        return p.get("mean_sd", (0, 1))[1] / v.std(ddof=1)
    if method == "goalposts":
        return p["goalposts"][2] / (p["goalposts"][1] - p["goalposts"][0])
    if method == "scaled":
        a, b = p.get("scale", (0, 1))
        return 100 / (b - a)
    if method == "fracmax":
        return 1 / hi
    if method == "dist2max":
        return 1 / (hi - lo)
    if method == "dist2targ":
        return 1 / (float(targ) - x.min()) if d > 0 else 1 / (x.max() - float(targ))
    return 1.0 if method == "none" else np.nan


def marginal_table(result: IndexResult, code: str | None = None) -> dict[str, pd.DataFrame]:
    """Marginal effect of each indicator on ``code`` per normalised point, per raw unit and per standard deviation.

    Returns
    -------
    dict
        ``per_point`` [score per normalised point], ``per_raw_unit`` [score per unit of the indicator as it
        entered normalisation, e.g. after denomination], ``per_sd`` [score per one cross-unit standard
        deviation of that indicator]; each units by indicators.
    """
    per_point = marginal_effects(result, code)
    slope = normalisation_slope(result)
    raw = result.pre_normalised[result.tree.indicators]
    per_raw = per_point * slope
    gp = [
        c
        for c in result.tree.indicators
        if (
            result.config.normalise.per_indicator.get(c, {}).get("method", result.config.normalise.method)
            == "goalposts"
        )
    ]
    if gp:  # beyond a goalpost the score no longer responds
        norm = result.normalised[gp]
        top = pd.Series({c: _goalposts(result.config.normalise, c)[2] for c in gp})
        per_raw[gp] = per_raw[gp].where((norm > 0) & (norm < top), 0.0)
    return {"per_point": per_point, "per_raw_unit": per_raw, "per_sd": per_raw.abs() * raw.std(ddof=1)}


def _goalposts(spec: NormaliseSpec, code: str) -> Sequence[float]:
    """``[low, high, scale]`` goalposts of ``code``: its own, else the common ones of the configuration."""
    own = spec.per_indicator.get(code, {})
    return own["goalposts"] if "goalposts" in own else spec.params["goalposts"]


@dataclass
class UnitExplanation:
    """Why one unit scores what it scores.

    Attributes
    ----------
    unit : str
    score, rank : float
        Score and rank of the explained aggregate.
    table : DataFrame
        Per indicator: parent pillar, raw (pre-normalisation) and normalised value, imputed flag, rank among
        peers, contribution to the pillar and to the explained aggregate [score points], marginal effect per
        normalised point, per raw unit and per standard deviation.
    strengths, weaknesses : DataFrame
        The ``top_n`` best- and worst-ranked indicators among peers.
    best_lever : str
        Indicator whose one-point improvement (normalised scale) raises the score most, among indicators not
        already at the best observed value.
    """

    unit: str
    code: str
    score: float
    rank: float
    table: pd.DataFrame
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame
    best_lever: str | None


def explain_unit(
    result: IndexResult, unit: str, code: str | None = None, group: str | None = None, top_n: int = 3
) -> UnitExplanation:
    """Explain the score of ``unit`` on aggregate ``code`` (default the index).

    Parameters
    ----------
    group : str, optional
        Peer group column (e.g. a size class); default all units are peers.

    Raises
    ------
    CompositeInputError
        Unknown unit, aggregate or group column.
    """
    code = _check_code(result, code)
    if unit not in result.scores.index:
        raise CompositeInputError.at("unit is not among the scored units", row=unit)
    tree = result.tree
    ind = tree.indicators
    marg = marginal_table(result, code)
    pillar_contrib = {i: np.nan for i in ind}
    for level in tree.levels[:1]:
        for pillar in tree.codes_at(level):
            c = contributions(result, pillar).loc[unit]
            pillar_contrib.update({i: c[i] for i in tree.children(pillar) if i in c.index})
    ranks = indicator_ranks(result, group).loc[unit]
    norm = result.normalised.loc[unit, ind]
    table = pd.DataFrame(
        {
            "parent": tree.nodes.loc[ind, "Parent"],
            "value": result.pre_normalised.loc[unit, ind],
            "normalised": norm,
            "imputed": result.imputed.loc[unit, ind] if result.imputed is not None else False,
            "peer_rank": ranks,
            "contribution_to_parent": pd.Series(pillar_contrib),
            "contribution": contributions(result, code).loc[unit],
            "per_point": marg["per_point"].loc[unit],
            "per_raw_unit": marg["per_raw_unit"].loc[unit],
            "per_sd": marg["per_sd"].loc[unit],
        }
    )
    ordered = table.dropna(subset=["peer_rank"]).sort_values(
        ["peer_rank", "normalised"], ascending=[True, False]
    )
    headroom = table[(norm < result.normalised[ind].max()) & (table["per_point"] > 0)]
    lever = str(headroom["per_point"].idxmax()) if len(headroom) else None
    return UnitExplanation(
        unit,
        code,
        float(result.scores.at[unit, code]),
        float(result.ranks.at[unit, code]),
        table,
        ordered.head(top_n),
        ordered.tail(top_n).iloc[::-1],
        lever,
    )
