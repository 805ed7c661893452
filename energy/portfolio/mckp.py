"""Exact multiple-choice knapsack: convex-hull LP, reduced-cost fixing, a MILP on the remainder only.

Problem (one option per building, one resource row)::

    max sum_b P[b, j_b]  s.t.  sum_b W[b, j_b] <= capacity,  j_b in options(b) (+ "none" unless forced)

A single budget (``P`` = objective, ``W`` = capex) and a cost-minimising target (``P = -capex``,
``W = -CO2``, ``capacity = -target``) are both of this form.

Method
------
1. Per building, the options not dominated (less weight and more profit) and, among those, the upper
   convex hull in the (weight, profit) plane; the hull's increments sorted by slope solve the LP
   relaxation exactly (Sinha & Zoltners 1979): full increments until the capacity, one fractional.
   This part depends on the capacity only through a ``searchsorted``, so a frontier shares it.
2. Incumbent: the LP solution without its fractional increment, then fill passes on the leftover.
3. Lagrangian bound with the LP's price ``lam >= 0``: for any feasible choice
   ``value <= UB - sum_b r[b, j_b]``, ``UB = lam capacity + sum_b max_j (P - lam W)``,
   ``r = max_j (P - lam W) - (P - lam W) >= 0``. An option with ``r > UB - LB`` cannot be in any choice
   better than the incumbent ``LB``, so it is dropped (exact); a building with one option left is fixed.
4. The few buildings left (the "core": those near the LP's fractional price) go to HiGHS with their
   surviving options; its dual bound plus the fixed part, or LB, bounds the whole problem.

The reported bound is therefore proven for the whole problem, and the gap is measured against it.

References
----------
Sinha, P., Zoltners, A. A. (1979). The multiple-choice knapsack problem. Operations Research 27(3), 503-515.
Pisinger, D. (1995). A minimal algorithm for the multiple-choice knapsack problem. EJOR 83(2), 394-410.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np


@dataclass(frozen=True)
class Hull:
    """Capacity-independent part of the method (steps 1 and the reduced-cost inputs)."""

    profit: np.ndarray  # (n_b, n_k + 1), column n_k = "none"; -inf = unavailable
    weight: np.ndarray  # (n_b, n_k + 1)
    pareto: np.ndarray  # bool (n_b, n_k + 1): available and not dominated within the building
    base: np.ndarray  # option column of each building's lightest hull point
    order: np.ndarray  # option columns of each building sorted by (weight, -profit)
    inc_building: np.ndarray  # hull increments sorted by slope, decreasing
    inc_option: np.ndarray  # option column reached by the increment
    inc_rank: np.ndarray  # position of that option along its building's hull
    inc_profit: np.ndarray
    inc_weight: np.ndarray
    inc_slope: np.ndarray
    cum_weight: np.ndarray

    @property
    def n_options(self) -> int:
        return self.profit.shape[1] - 1

    @property
    def base_weight(self) -> float:
        return float(self.weight[np.arange(len(self.base)), self.base].sum())

    @property
    def base_profit(self) -> float:
        return float(self.profit[np.arange(len(self.base)), self.base].sum())


@dataclass
class McSolution:
    """Choice per building (option column, -1 = none) with its proven bound."""

    choice: np.ndarray
    objective: float
    bound: float
    lp_bound: float
    gap: float
    status: str
    n_core_buildings: int
    n_core_options: int
    time_s: float


def prepare(profit: np.ndarray, weight: np.ndarray, forced: np.ndarray) -> Hull:
    """Dominance and convex hull per building, hull increments sorted by slope.

    Parameters
    ----------
    profit, weight : ndarray, shape (n_buildings, n_options)
        Objective and resource use per option; ``-inf`` profit marks an unavailable option.
    forced : ndarray of bool, shape (n_buildings,)
        Buildings that must take an option (no "none"). Each needs one available option.
    """
    n_b, n_k = profit.shape
    none_p = np.where(forced, -np.inf, 0.0)[:, None]
    p = np.concatenate([np.asarray(profit, float), none_p], axis=1)
    w = np.concatenate([np.asarray(weight, float), np.zeros((n_b, 1))], axis=1)
    avail = np.isfinite(p)
    if not avail.any(axis=1).all():
        raise ValueError("a building has no available option")
    order = np.lexsort((-np.where(avail, p, -np.inf), np.where(avail, w, np.inf)), axis=1)
    ps, ws = np.take_along_axis(p, order, 1), np.take_along_axis(w, order, 1)
    prev_max = np.concatenate([np.full((n_b, 1), -np.inf), np.maximum.accumulate(ps, axis=1)[:, :-1]], 1)
    pareto_s = np.isfinite(ps) & (ps > prev_max)
    alive = pareto_s.copy()
    m = n_k + 1
    pos = np.broadcast_to(np.arange(m), (n_b, m))
    rows = np.arange(n_b)[:, None]
    while True:  # drop points on or below the segment of their alive neighbours (<= n_k passes)
        prev, nxt = _neighbours(alive, pos, m)
        inner = alive & (prev >= 0) & (nxt < m)
        pa, wa = ps[rows, np.maximum(prev, 0)], ws[rows, np.maximum(prev, 0)]
        pn, wn = ps[rows, np.minimum(nxt, m - 1)], ws[rows, np.minimum(nxt, m - 1)]
        with np.errstate(invalid="ignore"):
            below = inner & ((ps - pa) * (wn - wa) <= (pn - pa) * (ws - wa))
        if not below.any():
            break
        alive &= ~below
    prev, _ = _neighbours(alive, pos, m)
    first = np.argmax(alive, axis=1)
    step = alive & (prev >= 0)
    b_idx, k_idx = np.nonzero(step)
    pr = prev[b_idx, k_idx]
    dp = ps[b_idx, k_idx] - ps[b_idx, pr]
    dw = ws[b_idx, k_idx] - ws[b_idx, pr]
    slope = dp / dw
    sort = np.lexsort((k_idx, b_idx, -slope))
    pareto = np.zeros_like(pareto_s)
    np.put_along_axis(pareto, order, pareto_s, 1)
    return Hull(
        profit=p,
        weight=w,
        pareto=pareto,
        base=order[np.arange(n_b), first],
        order=order,
        inc_building=b_idx[sort],
        inc_option=order[b_idx, k_idx][sort],
        inc_rank=k_idx[sort],
        inc_profit=dp[sort],
        inc_weight=dw[sort],
        inc_slope=slope[sort],
        cum_weight=np.cumsum(dw[sort]),
    )


def _neighbours(alive: np.ndarray, pos: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of the previous / next alive position in each row (-1 / m where there is none)."""
    left = np.maximum.accumulate(np.where(alive, pos, -1), axis=1)
    prev = np.concatenate([np.full((len(alive), 1), -1), left[:, :-1]], axis=1)
    right = np.minimum.accumulate(np.where(alive, pos, m)[:, ::-1], axis=1)[:, ::-1]
    nxt = np.concatenate([right[:, 1:], np.full((len(alive), 1), m)], axis=1)
    return prev, nxt


def lp_solution(hull: Hull, capacity: float) -> tuple[np.ndarray, float, float] | None:
    """Integral part of the LP optimum (option column per building), LP bound and price ``lam``.

    None if even the lightest choice exceeds ``capacity``.
    """
    n_b = len(hull.base)
    need = capacity - hull.base_weight
    tol = 1e-9 * (1.0 + abs(capacity))
    if need < -tol:
        return None
    k = int(np.searchsorted(hull.cum_weight, need + tol, side="right"))
    rank = np.full(n_b, -1)
    np.maximum.at(rank, hull.inc_building[:k], hull.inc_rank[:k])
    choice = hull.base.copy()
    took = np.flatnonzero(rank >= 0)  # the highest hull point reached in each building
    choice[took] = hull.order[took, rank[took]]
    value = hull.base_profit + float(hull.inc_profit[:k].sum())
    if k < len(hull.inc_slope):
        used = float(hull.cum_weight[k - 1]) if k else 0.0
        frac = min(max((need - used) / hull.inc_weight[k], 0.0), 1.0)
        return choice, value + frac * float(hull.inc_profit[k]), float(hull.inc_slope[k])
    return choice, value, 0.0


def fill(hull: Hull, choice: np.ndarray, capacity: float, passes: int = 20) -> np.ndarray:
    """Improve ``choice`` with the best profit-per-weight upgrades that fit the leftover capacity."""
    idx = np.arange(len(choice))
    p, w = hull.profit, hull.weight
    choice = choice.copy()
    for _ in range(passes):
        left = capacity - float(w[idx, choice].sum())
        d_p = p - p[idx, choice][:, None]
        d_w = w - w[idx, choice][:, None]
        fits = hull.pareto & (d_p > 0) & (d_w <= left)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(d_w > 0, d_p / np.where(d_w > 0, d_w, 1.0), np.inf)
        ratio = np.where(fits, ratio, -np.inf)
        best = np.argmax(ratio, axis=1)
        gain = ratio[idx, best]
        order = np.argsort(-gain, kind="stable")
        order = order[fits[order, best[order]]]
        if not len(order):
            break
        extra = np.cumsum(d_w[order, best[order]])
        ok = order[extra <= left + 1e-9 * (1 + abs(capacity))]
        if not len(ok):
            break
        choice[ok] = best[ok]
    return choice


def solve(
    hull: Hull,
    capacity: float,
    *,
    gap_rel: float = 1e-4,
    time_limit_s: float = 60.0,
) -> McSolution | None:
    """Optimal choice within ``gap_rel`` of the proven bound (None if infeasible)."""
    t0 = time.perf_counter()
    lp = lp_solution(hull, capacity)
    if lp is None:
        return None
    choice, lp_bound, lam = lp
    choice = fill(hull, choice, capacity)
    idx = np.arange(len(choice))
    best = float(hull.profit[idx, choice].sum())
    reduced = np.where(np.isfinite(hull.profit), hull.profit - lam * hull.weight, -np.inf)
    top = reduced.max(axis=1)
    lagrange = lam * capacity + float(top.sum())  # = lp_bound up to rounding; valid for any lam >= 0
    bound = min(lagrange, lp_bound)
    tol = 1e-9 * (1.0 + abs(lagrange))
    if _gap(bound, best) <= gap_rel:
        return _solution(hull, choice, best, bound, lp_bound, gap_rel, "Optimal", 0, 0, t0)
    keep = hull.pareto & ((top[:, None] - reduced) <= lagrange - best + tol)
    keep[idx, choice] = True
    core = keep.sum(axis=1) >= 2
    fixed_p = float(hull.profit[idx[~core], choice[~core]].sum())
    fixed_w = float(hull.weight[idx[~core], choice[~core]].sum())
    status = "Optimal"
    if core.any():
        status, sub_choice, sub_value, sub_bound = _core_milp(
            hull, keep, core, choice, capacity - fixed_w, best, gap_rel, time_limit_s
        )
        if sub_choice is not None and fixed_p + sub_value > best:
            choice = choice.copy()
            choice[core] = sub_choice
            best = float(hull.profit[idx, choice].sum())
        bound = min(bound, max(best, fixed_p + sub_bound))
    else:
        bound = best  # every building kept only the incumbent's option
    n_core = int(core.sum())
    n_opts = int(keep[core, : hull.n_options].sum())
    final = "Optimal" if _gap(bound, best) <= gap_rel + 1e-12 else status
    return _solution(hull, choice, best, bound, lp_bound, gap_rel, final, n_core, n_opts, t0)


def _gap(bound: float, value: float) -> float:
    return abs(bound - value) / max(abs(value), 1e-9)


def _solution(hull, choice, best, bound, lp_bound, gap_rel, status, n_core, n_opts, t0) -> McSolution:
    out = np.where(choice == hull.n_options, -1, choice)
    return McSolution(
        out, best, bound, lp_bound, _gap(bound, best), status, n_core, n_opts, time.perf_counter() - t0
    )


def _core_milp(hull, keep, core, choice, capacity, total_value, gap_rel, time_limit_s):
    """HiGHS on the core buildings' surviving options; (status, choice, value, dual bound) of the core."""
    n_k = hull.n_options
    b_core = np.flatnonzero(core)
    sel = keep[b_core, :n_k]
    cb, ck = np.nonzero(sel)  # cb indexes b_core
    n_col = len(cb)
    p = hull.profit[b_core[cb], ck]
    w = hull.weight[b_core[cb], ck]
    must = ~keep[b_core, n_k]  # "none" dropped (or forced): exactly one option
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    h.setOptionValue("mip_abs_gap", max(1e-6, float(gap_rel) * abs(total_value)))
    h.setOptionValue("time_limit", float(time_limit_s))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, len(b_core) + 1
    lp.col_cost_ = p
    lp.col_lower_, lp.col_upper_ = np.zeros(n_col), np.ones(n_col)
    lp.row_lower_ = np.concatenate([np.where(must, 1.0, -highspy.kHighsInf), [-highspy.kHighsInf]])
    lp.row_upper_ = np.concatenate([np.ones(len(b_core)), [capacity]])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n_col + 1, 2)
    lp.a_matrix_.index_ = np.column_stack([cb, np.full(n_col, len(b_core))]).ravel()
    lp.a_matrix_.value_ = np.column_stack([np.ones(n_col), w]).ravel()
    lp.integrality_ = np.full(n_col, highspy.HighsVarType.kInteger)
    h.passModel(lp)
    start = (choice[b_core][cb] == ck).astype(float)
    h.setSolution(n_col, np.arange(n_col, dtype=np.int32), start)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if info.primal_solution_status != 2:
        return status, None, -np.inf, float(info.mip_dual_bound)
    x = np.asarray(h.getSolution().col_value) > 0.5
    sub_choice = np.full(len(b_core), n_k)
    sub_choice[cb[x]] = ck[x]
    return status, sub_choice, float(p[x].sum()), float(info.mip_dual_bound)
