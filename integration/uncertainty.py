"""Monte Carlo uncertainty and variance-based sensitivity of a composite indicator.

Uncertain inputs: the weights (each multiplied by U(1 - noise, 1 + noise) around its nominal value), the
normalisation method (one of a list) and the aggregation method (one of a list). Treated data stay fixed.
Runs are evaluated in batches as matrix products (``composite.batch``: one product with per-run effective
weights, or level by level with stacked weight sets), one batch per (normalisation, aggregation) choice:
no Python loop per run or per unit.

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

from .composite.batch import BatchPlan, column_quantiles, evaluate, make_plan, rank_rows
from .composite.errors import CompositeInputError
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


def _draw(
    rng: np.random.Generator, plan: BatchPlan, spec: UncertaintySpec, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mult = np.ones((n, len(plan.node_codes)))
    mult[:, plan.noisy] = rng.uniform(
        1 - spec.weight_noise, 1 + spec.weight_noise, size=(n, int(plan.noisy.sum()))
    )
    return rng.integers(len(plan.norm_values), size=n), rng.integers(len(plan.agg_specs), size=n), mult


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
    if spec.n_runs < 2:
        raise CompositeInputError.at("need at least 2 runs", key="n_runs")
    if not 0 <= spec.weight_noise < 1:
        raise CompositeInputError.at("weight noise must be in [0, 1)", key="weight_noise")
    plan = make_plan(result, spec.normalisations, spec.aggregations, spec.target, spec.weight_levels)
    rng = np.random.default_rng(spec.seed)
    a = _draw(rng, plan, spec, spec.n_runs)
    y_a = evaluate(plan, *a, spec.chunk_runs)
    units = result.scores.index
    nominal = result.scores[plan.target]
    q = column_quantiles(y_a, (0.05, 0.5, 0.95))
    scores = pd.DataFrame(
        {"nominal": nominal, "mean": np.nanmean(y_a, axis=0), "median": q[1], "p05": q[0], "p95": q[2]},
        index=units,
    )
    r_a = rank_rows(y_a)
    rq = column_quantiles(r_a, (0.05, 0.5, 0.95))
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
    y_b = evaluate(plan, *b, spec.chunk_runs)
    both = np.concatenate([y_a, y_b])
    var = np.nanvar(both, axis=0)
    centre = np.nanmean(both, axis=0)  # centring cuts the estimator's noise; E[f(AB_i) - f(A)] = 0
    by_unit, summary = {}, {}
    for f in factors:
        slot = {"weights": 2, "normalisation": 0, "aggregation": 1}[f]
        ab = list(a)
        ab[slot] = b[slot]
        y_ab = evaluate(plan, ab[0], ab[1], ab[2], spec.chunk_runs)
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
