"""Monte Carlo uncertainty and variance-based sensitivity of a composite indicator.

Uncertain inputs: the weights (each multiplied by U(1 - noise, 1 + noise) around its nominal value), the
normalisation method (one of a list) and the aggregation method (one of a list). Treated data stay fixed.
Runs are evaluated in batches as matrix products (``composite.aggregate.weighted_mean`` with a stack of
weight sets), one batch per (normalisation, aggregation) choice: no Python loop per run or per unit.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, step 7 (uncertainty and sensitivity).
Saltelli A. et al. (2010), Variance based sensitivity analysis of model output, Comput. Phys. Commun.
181(2), 259-270 (first-order estimator, eq. (b) of Table 2; Jansen total-effect estimator, eq. (f)).
COINr ``get_sensitivity`` / ``get_noisy`` (noise factor 0.25 in its vignette): engineering default here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .composite.aggregate import weighted_mean
from .composite.config import AggregateSpec, NormaliseSpec, parse_config
from .composite.errors import CompositeInputError
from .composite.normalise import normalise
from .composite.pipeline import IndexResult

#: Default alternatives (engineering default): min-max and percentile rank, both on [1, 100] so that the
#: geometric/harmonic means are defined and the score scales are comparable; a z-score can be listed too
#: (it may go negative, which the geometric mean rejects).
DEFAULT_NORMALISATIONS = ({"method": "minmax", "range": [1, 100]}, {"method": "prank", "range": [1, 100]})
DEFAULT_AGGREGATIONS = ("arithmetic", "geometric")


@dataclass(frozen=True)
class UncertaintySpec:
    """What varies in the Monte Carlo and how many runs.

    Parameters
    ----------
    n_runs : int
        Base sample size N (score/rank intervals use these N runs). With ``sensitivity`` the model is
        evaluated N (d + 2) times, d = number of varying factors (Saltelli design).
    weight_noise : float
        Half-width of the uniform multiplier on every weight [fraction of nominal weight].
    weight_levels : tuple of int, optional
        Levels whose node weights are perturbed (1 = indicator weights); default every level.
    normalisations : tuple of dict
        Normalise sections (same keys as the pipeline configuration).
    aggregations : tuple of str or dict
        Aggregation methods (or aggregate sections).
    target : str, optional
        Code whose score is studied; default the root (index).
    sensitivity : bool
        Also estimate first-order and total sensitivity indices.
    seed : int
    chunk_runs : int
        Runs per batch (bounds memory: chunk x units x children floats).
    """

    n_runs: int = 1000
    weight_noise: float = 0.25
    weight_levels: tuple[int, ...] | None = None
    normalisations: tuple[dict[str, Any], ...] = DEFAULT_NORMALISATIONS
    aggregations: tuple[str | dict[str, Any], ...] = DEFAULT_AGGREGATIONS
    target: str | None = None
    sensitivity: bool = True
    seed: int = 0
    chunk_runs: int = 500


@dataclass
class UncertaintyResult:
    """Score and rank intervals per unit, and each factor's share of the variance.

    Attributes
    ----------
    scores : DataFrame
        Units by [nominal, mean, median, p05, p95] of the target score.
    ranks : DataFrame
        Units by [nominal, median, p05, p95, best, worst] of the target rank.
    sensitivity : DataFrame or None
        Factors by [first_order, total]: variance-weighted over units (share of the summed variance).
    sensitivity_by_unit : DataFrame or None
        Units by (factor, index) first-order and total indices of each unit's score.
    run_scores : ndarray, shape (n_runs, n_units)
    run_choices : DataFrame
        Per run: normalisation and aggregation index.
    run_weights : DataFrame
        Per run (rows) the weight of every tree node (columns) used.
    n_evaluations : int
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    sensitivity: pd.DataFrame | None
    sensitivity_by_unit: pd.DataFrame | None
    run_scores: np.ndarray
    run_choices: pd.DataFrame
    run_weights: pd.DataFrame
    n_evaluations: int
    factors: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """Everything fixed across runs."""

    result: IndexResult
    target: str
    norm_values: list[np.ndarray]
    agg_specs: list[AggregateSpec]
    node_codes: list[str]
    noisy: np.ndarray
    levels: list[tuple[np.ndarray, list[str], np.ndarray, bool]]
    paths: list[tuple[int, np.ndarray]]


def _plan(result: IndexResult, spec: UncertaintySpec) -> _Plan:
    tree = result.tree
    if spec.n_runs < 2:
        raise CompositeInputError.at("need at least 2 runs", key="n_runs")
    if not 0 <= spec.weight_noise < 1:
        raise CompositeInputError.at("weight noise must be in [0, 1)", key="weight_noise")
    target = spec.target or tree.root
    if target not in tree.nodes.index or tree.nodes.at[target, "Level"] == 1:
        raise CompositeInputError.at("target is not an aggregate of the tree", key=f"target.{target}")
    if not spec.normalisations or not spec.aggregations:
        raise CompositeInputError.at(
            "need at least one normalisation and one aggregation", key="alternatives"
        )
    x = result.pre_normalised[tree.indicators]
    norm_specs: list[NormaliseSpec] = [parse_config({"normalise": n}).normalise for n in spec.normalisations]
    agg_specs = [
        parse_config({"aggregate": a if isinstance(a, dict) else {"method": a}}).aggregate
        for a in spec.aggregations
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
    noisy = np.isin(levels, spec.weight_levels) if spec.weight_levels else np.ones(len(nodes), bool)
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
    return _Plan(result, target, norm_values, agg_specs, nodes, noisy, plan_levels, paths)


def _collapsible(plan: _Plan, a: int, g: int) -> bool:
    """With no missing value and one mean at every level, the tree is a single weighted mean."""
    spec = plan.agg_specs[g]
    methods = {spec.method_at(level) for level in plan.result.tree.levels}
    used = [i for i, _ in plan.paths]
    return len(methods) == 1 and spec.min_share is None and not np.isnan(plan.norm_values[a][:, used]).any()


def _evaluate_collapsed(plan: _Plan, x: np.ndarray, method: str, w_runs: np.ndarray) -> np.ndarray:
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


def _evaluate(
    plan: _Plan, norm_idx: np.ndarray, agg_idx: np.ndarray, mult: np.ndarray, chunk: int
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


def _draw(
    rng: np.random.Generator, plan: _Plan, spec: UncertaintySpec, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mult = np.ones((n, len(plan.node_codes)))
    mult[:, plan.noisy] = rng.uniform(
        1 - spec.weight_noise, 1 + spec.weight_noise, size=(n, int(plan.noisy.sum()))
    )
    return rng.integers(len(plan.norm_values), size=n), rng.integers(len(plan.agg_specs), size=n), mult


def _ranks(scores: np.ndarray) -> np.ndarray:
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


def _quantiles(values: np.ndarray, probs: tuple[float, ...]) -> np.ndarray:
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


def run_uncertainty(result: IndexResult, spec: UncertaintySpec | None = None) -> UncertaintyResult:
    """Monte Carlo over weights, normalisation and aggregation for one pipeline result.

    Parameters
    ----------
    result : IndexResult
        Output of ``run_pipeline``; its treated data and tree (nominal weights) are reused.
    spec : UncertaintySpec, optional

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    Sensitivity uses the Saltelli design: matrices A and B of N independent draws, and for each factor i
    the matrix AB_i (A with factor i taken from B). With V the variance of f over A and B,
    S_i = mean(f(B) (f(AB_i) - f(A))) / V and ST_i = mean((f(A) - f(AB_i))^2) / (2 V). The weights form one
    factor (a group of inputs).
    """
    spec = spec or UncertaintySpec()
    plan = _plan(result, spec)
    rng = np.random.default_rng(spec.seed)
    a = _draw(rng, plan, spec, spec.n_runs)
    y_a = _evaluate(plan, *a, spec.chunk_runs)
    units = result.scores.index
    nominal = result.scores[plan.target]
    q = _quantiles(y_a, (0.05, 0.5, 0.95))
    scores = pd.DataFrame(
        {"nominal": nominal, "mean": np.nanmean(y_a, axis=0), "median": q[1], "p05": q[0], "p95": q[2]},
        index=units,
    )
    r_a = _ranks(y_a)
    rq = _quantiles(r_a, (0.05, 0.5, 0.95))
    ranks = pd.DataFrame(
        {
            "nominal": result.ranks[plan.target],
            "median": rq[1],
            "p05": rq[0],
            "p95": rq[2],
            "best": np.nanmin(r_a, axis=0),
            "worst": np.nanmax(r_a, axis=0),
        },
        index=units,
    )
    factors = [
        name
        for name, varies in (
            ("weights", spec.weight_noise > 0 and plan.noisy.any()),
            ("normalisation", len(plan.norm_values) > 1),
            ("aggregation", len(plan.agg_specs) > 1),
        )
        if varies
    ]
    choices = pd.DataFrame({"normalisation": a[0], "aggregation": a[1]})
    weights = pd.DataFrame(a[2] * result.tree.nodes["Weight"].to_numpy(dtype=float), columns=plan.node_codes)
    if not spec.sensitivity or not factors:
        return UncertaintyResult(scores, ranks, None, None, y_a, choices, weights, spec.n_runs, factors)
    b = _draw(rng, plan, spec, spec.n_runs)
    y_b = _evaluate(plan, *b, spec.chunk_runs)
    both = np.concatenate([y_a, y_b])
    var = np.nanvar(both, axis=0)
    centre = np.nanmean(both, axis=0)  # centring cuts the estimator's noise; E[f(AB_i) - f(A)] = 0
    by_unit, summary = {}, {}
    for f in factors:
        slot = {"weights": 2, "normalisation": 0, "aggregation": 1}[f]
        ab = list(a)
        ab[slot] = b[slot]
        y_ab = _evaluate(plan, *ab, spec.chunk_runs)
        first = np.nanmean((y_b - centre) * (y_ab - y_a), axis=0)
        total = 0.5 * np.nanmean((y_a - y_ab) ** 2, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            by_unit[(f, "first_order")], by_unit[(f, "total")] = first / var, total / var
        summary[f] = {
            "first_order": np.nansum(first) / np.nansum(var),
            "total": np.nansum(total) / np.nansum(var),
        }
    sens = pd.DataFrame(summary).T.rename_axis("factor")
    return UncertaintyResult(
        scores,
        ranks,
        sens,
        pd.DataFrame(by_unit, index=units),
        y_a,
        choices,
        weights,
        spec.n_runs * (2 + len(factors)),
        factors,
    )
