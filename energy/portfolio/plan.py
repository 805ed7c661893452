"""Multi-year plans (and any ``max_*`` model with few coupling rows): LP rounding, reduced-cost fixing.

The plan's MILP couples the buildings only through a handful of rows (a budget and a project count per
year, a grant pool per programme and year, programme totals), so a vertex of its LP relaxation has at
most about as many fractional buildings as there are coupling rows. Hence:

1. Dominance: a package no better than another package of the same building in every respect (capex,
   every grant cap, every year's objective coefficient, the target quantities) is dropped (exact).
2. The LP relaxation (HiGHS simplex) gives the bound ``z_lp``; its integral part, with the fractional
   buildings dropped (which keeps every row feasible: a grant cap never exceeds the capex it funds), then
   the leftover budgets filled year by year by the greedy of :func:`energy.portfolio.greedy.mckp_choice`
   and the grants completed by an LP, is the warm start: feasible and usually within 0.1 % of ``z_lp``.
3. If that is not yet within ``gap_rel``, the LP reduced costs ``d`` fix every package-year whose
   ``|d| > z_lp - incumbent`` at its LP value (exact: any plan using it is worse than the incumbent) and
   HiGHS solves the rest from the warm start under the time left; its bound (or the incumbent's value,
   if higher) bounds the whole problem. Where that rest is large, HiGHS first gets neighbourhoods of the
   incumbent (the columns of smallest ``|d|``, growing 4x per round), which improve the incumbent fast
   and keep each solve small enough to honour the time limit. A time limit therefore returns the best
   plan and its proven gap (against the LP bound, or the exact MILP's bound once it ran).

References
----------
Nemhauser, G. L., Wolsey, L. A. (1988). Integer and Combinatorial Optimization, II.4 (reduced-cost
fixing). Wiley.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from energy.portfolio import backends
from energy.portfolio.greedy import mckp_choice
from energy.portfolio.model import ArrayModel
from energy.portfolio.problem import PortfolioProblem
from energy.portfolio.progress import Progress

# Columns of the first neighbourhood MILP (5,000 buildings x 8 packages x 5 years: 200,000 in all);
# up to EXACT_COLUMNS left by exact fixing HiGHS gets them all at once (1,000 x 8 x 5: 1-2 s to 0.5 %).
NEIGHBOURHOOD_COLUMNS = 20_000
EXACT_COLUMNS = 50_000


def applicable(problem: PortfolioProblem) -> bool:
    """max_* objectives (min_cost keeps the plain MILP)."""
    return problem.objective != "min_cost"


def dominated(cands: pd.DataFrame, model: ArrayModel) -> np.ndarray:
    """Boolean per candidate: another allowed package of the same building is at least as good everywhere."""
    n_c, n_y = len(cands), model.n_years
    if model.caps.shape[1] > 1 and not model.aggregate_grants:
        # per-building grants with grant_le_capex rows: a cheaper package can get less grant; no rule
        return np.zeros(n_c, bool)
    b_codes = pd.factorize(cands["building_id"])[0]
    slot = cands.groupby(b_codes).cumcount().to_numpy()
    n_b, n_k = b_codes.max() + 1, slot.max() + 1
    allowed = model.col_ub[: model.n_x].reshape(n_c, n_y).max(axis=1) > 0
    # "better" features: objective per year, grant caps, target quantities; "cheaper": capex
    feats = [model.c[: model.n_x].reshape(n_c, n_y), model.caps.reshape(n_c, -1)]
    for col in ("co2_reduction_t_per_year", "primary_energy_savings_kwh_per_year"):
        if col in cands and (model.row_group == _target_group(col)).any():
            feats.append(cands[col].to_numpy(float)[:, None])
    feats.append(-cands["capex_pln"].to_numpy(float)[:, None])
    f = np.concatenate(feats, axis=1)
    grid = np.full((n_b, n_k, f.shape[1]), -np.inf)
    grid[b_codes, slot] = np.where(allowed[:, None], f, -np.inf)
    ge = (grid[:, :, None, :] >= grid[:, None, :, :]).all(axis=3)  # ge[b, k, j]: k >= j everywhere
    gt = (grid[:, :, None, :] > grid[:, None, :, :]).any(axis=3)
    k_idx = np.arange(n_k)
    ok = np.isfinite(grid[:, :, 0])
    # k dominates j if k >= j everywhere and (k > j somewhere, or equal with a lower slot: keep one twin)
    dom = ge & (gt | (k_idx[:, None] < k_idx[None, :])) & ok[:, :, None] & ok[:, None, :]
    dom &= ~np.eye(n_k, dtype=bool)
    is_dominated = np.asarray(dom.any(axis=1))  # [b, j]: some k of the building dominates j
    return is_dominated[b_codes, slot] & allowed


def _target_group(col: str) -> str:
    return {
        "co2_reduction_t_per_year": "target_co2_reduction_t_per_year",
        "primary_energy_savings_kwh_per_year": "target_primary_energy_savings_kwh_per_year",
    }[col]


def _round_and_fill(cands: pd.DataFrame, model: ArrayModel, x_lp: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Feasible columns from the LP's: integral part kept, then fill rounds on the leftover budgets.

    Each round gives the free buildings, year by year, the budget and project slots left once the
    grants of the current plan are completed (the fill itself counts capex without grants, so every
    round stays feasible and the next round spends what the new grants freed).
    """
    n_c, n_y = len(cands), model.n_years
    x = (x_lp[: model.n_x].reshape(n_c, n_y) > 1 - 1e-6).astype(float)
    b_codes = pd.factorize(cands["building_id"])[0]
    slot = cands.groupby(b_codes).cumcount().to_numpy()
    n_b, n_k = b_codes.max() + 1, slot.max() + 1
    rows_of = np.full((n_b, n_k), -1)
    rows_of[b_codes, slot] = np.arange(n_c)
    cost = np.zeros((n_b, n_k))
    cost[b_codes, slot] = cands["capex_pln"].to_numpy(float)
    coef = model.c[: model.n_x].reshape(n_c, n_y)
    allowed = model.col_ub[: model.n_x].reshape(n_c, n_y) > 0
    groups = {g: np.flatnonzero(model.row_group == g) for g in ("yearly_budgets_pln", "budget_pln")}
    count_rows = np.flatnonzero(model.row_group == "max_projects_per_year")
    values = backends.complete_grants(model, x.reshape(-1))
    for _ in range(rounds):
        slack = model.row_ub - model.a @ values
        taken = np.zeros(n_b, bool)
        taken[b_codes[x.any(axis=1)]] = True
        added = 0
        for y in range(n_y):
            budget_rows = np.concatenate([groups["yearly_budgets_pln"][y : y + 1], groups["budget_pln"][:1]])
            cap = float(slack[budget_rows].min(initial=np.inf))
            count = slack[count_rows[y]] if len(count_rows) else None
            benefit = np.full((n_b, n_k), -np.inf)
            free = ~taken[b_codes] & allowed[:, y]
            benefit[b_codes[free], slot[free]] = coef[free, y]
            choice = mckp_choice(benefit, cost, max(cap, 0.0), np.zeros(n_b, bool), count)
            hit = np.flatnonzero(choice >= 0)
            j = rows_of[hit, choice[hit]]
            x[j, y] = 1.0
            taken[hit] = True
            spent = cost[hit, choice[hit]].sum()
            slack[groups["yearly_budgets_pln"][y : y + 1]] -= spent
            slack[groups["budget_pln"][:1]] -= spent
            slack[count_rows[y : y + 1]] -= len(j)
            added += len(j)
        values = backends.complete_grants(model, x.reshape(-1))
        if not added:
            break
    return values


def _reduced_costs(h, model: ArrayModel) -> np.ndarray:
    """Reduced cost of every column in the model's own sense (objective change per unit increase)."""
    row_dual = np.asarray(h.getSolution().row_dual)
    return model.c - model.a.T @ row_dual


def solve_plan(
    cands: pd.DataFrame,
    model: ArrayModel,
    problem: PortfolioProblem,
    *,
    start: np.ndarray | None = None,
    options: dict | None = None,
    progress: Progress | None = None,
) -> tuple[backends.RawSolution, dict]:
    """Best plan within ``problem.gap_rel`` of a proven bound, or the best found by the time limit.

    ``start`` (e.g. the greedy by year) is kept when better than the LP rounding. Returns the solution
    (values over all model columns; objective, bound and gap in the model's sense) and figures of the
    steps (``n_dominated, lp_bound, lp_time_s, incumbent_start, n_fixed, milp_time_s``). ``progress``
    hears the LP bound, the warm start and the MILP's incumbents and bounds.
    """
    progress = progress or Progress(None, problem.time_limit_s, problem.gap_rel)
    t0 = time.perf_counter()
    deadline = t0 + problem.time_limit_s
    drop = dominated(cands, model)
    col_ub = model.col_ub.copy()
    col_ub[: model.n_x] = np.where(np.repeat(drop, model.n_years), 0.0, col_ub[: model.n_x])
    reduced = replace(model, col_ub=col_ub)
    h = backends.to_highs(reduced, relax=True, time_limit_s=problem.time_limit_s)
    h.run()
    info = h.getInfo()
    figures: dict = {"n_dominated": int(drop.sum())}
    lp_status = h.modelStatusToString(h.getModelStatus())
    if lp_status != "Optimal":
        if model.satisfied_by(start):  # the time limit hit the LP: the warm start, without a bound
            best = float(model.c @ start)
            return backends.RawSolution(lp_status, start, best, None, None, 0.0, 0.0), figures
        raw = backends.solve(model, "highspy", problem.gap_rel, max(deadline - time.perf_counter(), 1.0))
        return raw, figures
    z_lp = float(info.objective_function_value)
    x_lp = np.asarray(h.getSolution().col_value)
    d = _reduced_costs(h, reduced)
    t_lp = time.perf_counter() - t0
    values: np.ndarray | None = _round_and_fill(cands, reduced, x_lp)
    if not model.satisfied_by(values):
        values = start
    if (
        start is not None
        and model.satisfied_by(start)
        and (values is None or model.c @ start > model.c @ values)
    ):
        values = start
    best = float(model.c @ values) if values is not None else -np.inf
    progress.report("lp", None, z_lp, None)
    if values is not None:
        progress.report("warm_start", best, z_lp, _gap(z_lp, best))
    figures.update(lp_bound=z_lp, lp_time_s=t_lp, incumbent_start=best, n_fixed=0, milp_time_s=0.0)
    if values is not None and _gap(z_lp, best) <= problem.gap_rel:
        return _raw("Optimal", values, best, z_lp, t0), figures
    t1 = time.perf_counter()
    if values is None:  # no warm start to fix around: the whole MILP, bounded by the LP as well
        raw = backends.solve_highspy(
            reduced,
            gap_rel=problem.gap_rel,
            time_limit_s=max(deadline - t1, 1.0),
            options=options,
            progress=progress,
        )
        figures["milp_time_s"] = time.perf_counter() - t1
        if raw.values is None or raw.objective is None:
            return raw, figures
        bound = z_lp if raw.best_bound is None else min(z_lp, float(raw.best_bound))
        status = "Optimal" if _gap(bound, raw.objective) <= problem.gap_rel + 1e-12 else raw.status
        return _raw(status, raw.values, float(raw.objective), bound, t0), figures
    values, best, bound, status = _fix_and_solve(
        reduced, problem, x_lp, d, z_lp, values, best, deadline, options, progress, figures
    )
    figures["milp_time_s"] = time.perf_counter() - t1
    return _raw(status, values, best, bound, t0), figures


def _fix_and_solve(reduced, problem, x_lp, d, z_lp, values, best, deadline, options, progress, figures):
    """MILPs on growing neighbourhoods of the incumbent, the last one exact by reduced-cost fixing.

    Exact fixing: any plan that moves column ``j`` off its LP value loses at least ``|d_j|``, so with
    ``|d_j| > z_lp - best`` the column keeps the incumbent's (= the LP's) value in every better plan, and
    the MILP over the other columns bounds the whole problem. When that leaves more than
    :data:`NEIGHBOURHOOD_COLUMNS` columns, the smallest ``|d|`` ones go first (a heuristic neighbourhood,
    which only improves the incumbent), 4x more each round while time is left.
    """
    n_x = reduced.n_x
    abs_d = np.abs(d[:n_x])
    movable = reduced.col_ub[:n_x] > reduced.col_lb[:n_x]
    size, status, bound = NEIGHBOURHOOD_COLUMNS, "Time limit reached", z_lp
    figures["neighbourhoods"] = []
    while True:
        slack = z_lp - best + 1e-9 * (1 + abs(z_lp))
        candidates = movable & (abs_d <= slack)
        exact = int(candidates.sum()) <= max(size, EXACT_COLUMNS)
        tau = slack if exact else float(np.partition(abs_d[candidates], size)[size])
        if not figures["neighbourhoods"]:
            figures["n_fixed"] = int((movable & ~candidates).sum())
        free = (movable & (abs_d <= tau)) | (values[:n_x] > 0.5)
        lb, ub = reduced.col_lb.copy(), reduced.col_ub.copy()
        pinned = np.round(values[:n_x])
        lb[:n_x] = np.where(free, lb[:n_x], pinned)
        ub[:n_x] = np.where(free, ub[:n_x], pinned)
        left = deadline - time.perf_counter()
        if left <= 0.05:
            break
        raw = backends.solve_highspy(
            replace(reduced, col_lb=lb, col_ub=ub),
            gap_rel=problem.gap_rel,
            time_limit_s=left,
            start=values,
            options=options,
            progress=progress,
            stop_at=z_lp - problem.gap_rel * abs(z_lp) / (1 + problem.gap_rel),
        )
        figures["neighbourhoods"].append((int(free.sum()), exact, raw.status))
        if raw.values is not None and raw.objective is not None and raw.objective > best:
            values, best = raw.values, float(raw.objective)
        status = raw.status
        if exact:
            if raw.best_bound is not None:
                bound = min(z_lp, max(best, float(raw.best_bound)))
            break
        if _gap(z_lp, best) <= problem.gap_rel or raw.status not in ("Optimal", "Interrupted by user"):
            break
        size *= 4
    final = "Optimal" if _gap(bound, best) <= problem.gap_rel + 1e-12 else status
    return values, best, bound, final


def _gap(bound: float, value: float) -> float:
    return abs(bound - value) / max(abs(value), 1e-9)


def _raw(status: str, values, best: float, bound: float, t0: float) -> backends.RawSolution:
    return backends.RawSolution(status, values, best, bound, _gap(bound, best), 0.0, time.perf_counter() - t0)


__all__ = ["applicable", "dominated", "solve_plan"]
