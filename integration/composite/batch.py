"""Batched evaluation of a composite index for many weight sets and method choices at once.

Used by the Monte Carlo uncertainty analysis: runs that share a normalisation and an aggregation choice
are evaluated together, either as one matrix product with per-run effective weights (complete data, the
same mean at every level) or level by level with stacked weight matrices (missing values, mixed means).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import weighted_mean
from .config import AggregateSpec, NormaliseSpec, parse_config
from .errors import CompositeInputError
from .normalise import normalise
from .pipeline import IndexResult


@dataclass
class BatchPlan:
    """Everything fixed across runs."""

    result: IndexResult
    target: str
    norm_values: list[np.ndarray]
    agg_specs: list[AggregateSpec]
    node_codes: list[str]
    noisy: np.ndarray
    levels: list[tuple[np.ndarray, list[str], np.ndarray, bool]]
    paths: list[tuple[int, np.ndarray]]


def make_plan(
    result: IndexResult,
    normalisations: tuple[dict[str, Any], ...],
    aggregations: tuple[str | dict[str, Any], ...],
    target: str | None = None,
    weight_levels: tuple[int, ...] | None = None,
) -> BatchPlan:
    """Precompute the normalised matrices and tree structure shared by every run.

    Raises
    ------
    CompositeInputError
        Unknown target, empty or invalid alternatives, or non-positive values for a geometric/harmonic mean.
    """
    tree = result.tree
    target = target or tree.root
    if target not in tree.nodes.index or tree.nodes.at[target, "Level"] == 1:
        raise CompositeInputError.at("target is not an aggregate of the tree", key=f"target.{target}")
    if not normalisations or not aggregations:
        raise CompositeInputError.at(
            "need at least one normalisation and one aggregation", key="alternatives"
        )
    x = result.pre_normalised[tree.indicators]
    norm_specs: list[NormaliseSpec] = [parse_config({"normalise": n}).normalise for n in normalisations]
    agg_specs = [
        parse_config({"aggregate": a if isinstance(a, dict) else {"method": a}}).aggregate
        for a in aggregations
    ]
    targets = pd.to_numeric(tree.nodes["Target"], errors="coerce")
    norm_values = [
        normalise(x, tree.nodes["Direction"], n.method, n.params, n.per_indicator, targets).to_numpy()
        for n in norm_specs
    ]
    for i, v in enumerate(norm_values):
        if any(a.method != "arithmetic" or a.per_level for a in agg_specs) and np.nanmin(v) <= 0:
            raise CompositeInputError.at(
                "normalisation gives values <= 0 but a geometric/harmonic mean is among the "
                "aggregations; use a positive range such as minmax [1, 100]",
                key=f"normalisations[{i}]",
            )
    nodes = tree.nodes.index.tolist()
    pos = {c: i for i, c in enumerate(nodes)}
    levels = tree.nodes["Level"].to_numpy()
    noisy = np.isin(levels, weight_levels) if weight_levels else np.ones(len(nodes), bool)
    ind_pos = {c: i for i, c in enumerate(tree.indicators)}
    plan_levels = []
    for level in tree.levels:
        kids, parents, w = tree.structure(level)
        plan_levels.append(
            (
                np.array([pos[k] for k in kids]),
                parents,
                (w > 0).astype(float),
                all(k in ind_pos for k in kids),
            )
        )
    paths = []  # per indicator under the target: node positions from the indicator up to the target
    for i, code in enumerate(tree.indicators):
        chain, node = [], code
        while node is not None and node != target:
            chain.append(pos[node])
            node = tree.nodes.at[node, "Parent"]
        if node == target:
            paths.append((i, np.array(chain)))
    return BatchPlan(result, target, norm_values, agg_specs, nodes, noisy, plan_levels, paths)


def _collapsible(plan: BatchPlan, a: int, g: int) -> bool:
    """With no missing value and one mean at every level, the tree is a single weighted mean."""
    spec = plan.agg_specs[g]
    methods = {spec.method_at(level) for level in plan.result.tree.levels}
    used = [i for i, _ in plan.paths]
    return len(methods) == 1 and spec.min_share is None and not np.isnan(plan.norm_values[a][:, used]).any()


def _evaluate_collapsed(plan: BatchPlan, x: np.ndarray, method: str, w_runs: np.ndarray) -> np.ndarray:
    """Scores (runs x units) as one matrix product with each run's effective indicator weights.

    Notes
    -----
    A mean of means of the same kind is that mean with effective weights: the product of the weight
    shares along the path from the indicator to the target (arithmetic: sum w x; geometric:
    exp(sum w ln x); harmonic: 1 / sum(w / x)).
    """
    share = np.zeros_like(w_runs)
    for kid_pos, _, structure, _ in plan.levels:
        w = w_runs[:, kid_pos]
        share[:, kid_pos] = w / ((w @ structure) @ structure.T)
    cols = np.array([i for i, _ in plan.paths])
    eff = np.column_stack([share[:, path].prod(axis=1) for _, path in plan.paths])
    sub = x[:, cols]
    if method == "arithmetic":
        return eff @ sub.T
    if method == "geometric":
        return np.exp(eff @ np.log(sub).T)
    return 1.0 / (eff @ (1.0 / sub).T)


def evaluate(
    plan: BatchPlan, norm_idx: np.ndarray, agg_idx: np.ndarray, mult: np.ndarray, chunk: int
) -> np.ndarray:
    """Target scores (runs x units) for each run's choices and weight multipliers."""
    tree = plan.result.tree
    w0 = tree.nodes["Weight"].to_numpy(dtype=float)
    ind_pos = {c: i for i, c in enumerate(tree.indicators)}
    out = np.empty((len(norm_idx), plan.norm_values[0].shape[0]))
    for a in np.unique(norm_idx):
        x = plan.norm_values[a]
        for g in np.unique(agg_idx):
            runs = np.flatnonzero((norm_idx == a) & (agg_idx == g))
            collapse = _collapsible(plan, a, g)
            for start in range(0, len(runs), chunk):  # loop per batch of runs, not per run
                sel = runs[start : start + chunk]
                if collapse:
                    method = plan.agg_specs[g].method_at(tree.levels[0])
                    out[sel] = _evaluate_collapsed(plan, x, method, w0 * mult[sel])
                    continue
                known: dict[str, np.ndarray] = {}
                for level, (kid_pos, parents, structure, leaf_only) in zip(
                    tree.levels, plan.levels, strict=True
                ):
                    w = (w0[kid_pos] * mult[np.ix_(sel, kid_pos)])[:, :, None] * structure[None]
                    kids = [plan.node_codes[k] for k in kid_pos]
                    if leaf_only:
                        vals = x[:, [ind_pos[k] for k in kids]]
                    else:
                        vals = np.stack(
                            [
                                known[k]
                                if k in known
                                else np.broadcast_to(x[:, ind_pos[k]], (len(sel), x.shape[0]))
                                for k in kids
                            ],
                            axis=-1,
                        )
                    y = weighted_mean(
                        vals, w, plan.agg_specs[g].method_at(level), plan.agg_specs[g].min_share
                    )
                    known.update({p: y[:, :, j] for j, p in enumerate(parents)})
                out[sel] = known[plan.target]
    return out


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """Descending rank of each unit within each run (row), ties share the best rank, NaN kept."""
    filled = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-filled, axis=1, kind="stable")
    ordered = np.take_along_axis(filled, order, axis=1)
    positions = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    new_value = np.ones(scores.shape, dtype=bool)
    new_value[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(new_value, positions, 0), axis=1)  # first position of each tie
    ranks = np.empty(scores.shape)
    np.put_along_axis(ranks, order, first + 1.0, axis=1)
    return np.where(np.isnan(scores), np.nan, ranks)


def column_quantiles(values: np.ndarray, probs: tuple[float, ...]) -> np.ndarray:
    """Per-column quantiles ignoring NaN (linear interpolation, as numpy's default), fully vectorised.

    ``np.nanpercentile`` loops over columns in Python; this sorts once (NaN sort last).
    """
    ordered = np.sort(values, axis=0)
    count = (~np.isnan(values)).sum(axis=0)
    out = []
    for p in probs:
        pos = p * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        low_v = np.take_along_axis(ordered, lo[None], axis=0)[0]
        high_v = np.take_along_axis(ordered, hi[None], axis=0)[0]
        out.append(np.where(count > 0, low_v + (pos - lo) * (high_v - low_v), np.nan))
    return np.array(out)
