"""Pareto frontiers by the epsilon-constraint method (Haimes et al. 1971).

* cost vs CO2: minimise the own contribution subject to a yearly CO2 reduction >= eps_k,
  eps_k = k / (N - 1) x the largest reduction the allowed packages reach, k = 0..N-1;
* cost vs NPV: maximise NPV subject to own contribution <= b_k, b_k = k / N x the cost of the
  unconstrained NPV optimum, k = 1..N.

Without programmes and with one plan year every point is a multiple-choice knapsack
(:mod:`energy.portfolio.fast`): the dominance and convex-hull work is done once for the whole frontier and
each point only places its epsilon on the sorted hull increments, fixes by reduced cost and solves the
few remaining buildings exactly (each point's gap proven against its own bound).

Otherwise the model is built and passed to HiGHS once; between points only the epsilon row's bound changes (``Highs.changeRowBounds``) and each point starts from the previous solution,
which stays feasible because the points are visited from the loosest side: CO2 targets in decreasing
order, NPV budgets in increasing order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import NoReturn

import highspy
import numpy as np
import pandas as pd

from energy.measures import load_catalogue
from energy.portfolio import backends, fast
from energy.portfolio.model import allowed_mask, build_model
from energy.portfolio.problem import (
    PortfolioInfeasibleError,
    PortfolioInputError,
    PortfolioProblem,
    validate_candidates,
    validate_problem,
)
from energy.portfolio.solve import PortfolioResult, _diagnose, _precheck, _results, optimise

# HiGHS presolve takes ~90 % of a point's time on these knapsack-like models (1,000 buildings: 0.9 s of
# 0.93 s) and removes only dominated packages; without it the root LP + rounding closes the gap at once.
SWEEP_HIGHS_OPTIONS = {"presolve": "off"}


def _point(result, eps) -> dict:
    t = result.totals
    return {
        "epsilon": eps,
        "own_contribution_pln": t["own_contribution_pln"],
        "capex_pln": t["capex_pln"],
        "co2_reduction_t_per_year": t["co2_reduction_t_per_year"],
        "npv_pln": t["npv_pln"],
        "n_projects": t["n_projects"],
        "status": result.status,
        "gap": result.gap,
        "time_s": result.time_s,
    }


def _shared_model(cands, problems: list[PortfolioProblem], params):
    """The first point's problem, checked, and the model every point shares (with its start time)."""
    first = problems[0]
    validate_problem(first, cands)
    _precheck(cands, first, params)
    t0 = time.perf_counter()
    return first, build_model(cands, first, params), t0


def _group(problem: PortfolioProblem) -> str:
    """The row a frontier point's epsilon bounds: the CO2 target (min cost) or the budget (max NPV)."""
    return "target_co2_reduction_t_per_year" if problem.objective == "min_cost" else "budget_pln"


class PointSweep:
    """The points of one MILP frontier on one HiGHS model, solved one at a time in any order.

    The model is built once (from the first point's problem, checked as :func:`_shared_model` does);
    each point changes only the bound of its epsilon row (``Highs.changeRowBounds``) and starts from
    the last solution whenever that one is feasible for it, i.e. when the point is no tighter than the
    last one (a smaller CO2 target, a larger budget). :func:`_sweep` visits the points from the tightest
    side so that every point starts warm; a worker solving some of a frontier's points
    (:func:`solve_point`) keeps one of these for the frontier and so solves its run of neighbouring
    points as the same sweep. A point tighter than every point checked before gets the cheap
    infeasibility proofs of ``_precheck`` first, as the first point of a sweep does.
    """

    def __init__(self, cands, first: PortfolioProblem, params) -> None:
        self.cands, self.params, self.group = cands, params, _group(first)
        first, self.model, self.t0 = _shared_model(cands, [first], params)
        self._checked = self._bound(first)
        self.row = int(np.flatnonzero(self.model.row_group == self.group)[0])
        self.h = backends.to_highs(
            self.model, gap_rel=first.gap_rel, time_limit_s=first.time_limit_s, options=SWEEP_HIGHS_OPTIONS
        )
        self.t_build = time.perf_counter() - self.t0
        self._start: np.ndarray | None = None
        self._start_bound: float | None = None
        self.n_solved = 0

    def _bound(self, p: PortfolioProblem) -> float:
        bound = p.target_co2_reduction_t_per_year if self.group.startswith("target") else p.budget_pln
        if bound is None:
            raise PortfolioInputError(f"a point of the {self.group} sweep has no bound")
        return float(bound)

    def _tighter(self, a: float, b: float) -> bool:
        """Is a point with bound ``a`` tighter than one with bound ``b``?"""
        return a > b if self.group.startswith("target") else a < b

    def solve(self, p: PortfolioProblem, done: int = 1, total: int = 1, on_progress=None) -> PortfolioResult:
        """Solve the point ``p`` (the first point's problem up to its epsilon row's bound);
        ``done``/``total`` count the points for the progress event ``on_progress`` receives."""
        bound = self._bound(p)
        if self._tighter(bound, self._checked):
            _precheck(self.cands, p, self.params)
            self._checked = bound
        t1 = time.perf_counter()
        model, h, sign = self.model, self.h, (1.0 if self.model.maximize else -1.0)
        lb = bound if self.group.startswith("target") else -highspy.kHighsInf
        ub = highspy.kHighsInf if self.group.startswith("target") else bound
        start = self._start
        if start is not None and self._start_bound is not None and self._tighter(bound, self._start_bound):
            start = None  # the last solution misses this tighter point's bound: no use as a start
        h.clearSolver()  # keep the model, drop the last MIP's state (re-runs on it are 10x slower)
        h.changeRowBounds(self.row, float(lb), float(ub))
        backends.set_start(h, start)
        h.run()
        raw = backends._highs_result(h, 0.0, time.perf_counter() - t1, mip=True, maximize=model.maximize)
        if raw.values is None or raw.objective is None:  # both are set when HiGHS has a solution
            m = replace(model, row_lb=model.row_lb.copy(), row_ub=model.row_ub.copy())
            m.row_lb[self.row], m.row_ub[self.row] = lb, ub
            _infeasible(m, p, raw)
        if start is not None and sign * (model.c @ start - raw.objective) > 1e-9 * (1 + abs(raw.objective)):
            raw = replace(raw, values=start, objective=float(model.c @ start))  # keep the better start
        self._start, self._start_bound = raw.values, bound
        out: list[PortfolioResult] = []
        # the shared build time goes to the first point this sweep solves
        t_build = self.t_build if self.n_solved == 0 else 0.0
        self.n_solved += 1
        _append_point(out, self.cands, p, model, raw, self.params, (self.t0, t1, t_build), total, None)
        if on_progress is not None:
            on_progress(_point_event(done, total, raw, self.t0))
        return out[0]


def _sweep(
    cands, problems: list[PortfolioProblem], group: str, params, on_progress=None
) -> list[PortfolioResult]:
    """Solve ``problems`` (same model up to the bound of row ``group``) in order on one HiGHS instance."""
    sweep = PointSweep(cands, problems[0], params)
    if sweep.group != group:
        raise PortfolioInputError(f"a {group} sweep over points that bound {sweep.group}")
    return [sweep.solve(p, k + 1, len(problems), on_progress) for k, p in enumerate(problems)]


def _knapsack_points(
    cands, problems: list[PortfolioProblem], params, on_progress=None
) -> list[PortfolioResult]:
    """Solve ``problems`` (same options, capacities differ) on one shared knapsack hull."""
    first, model, t0 = _shared_model(cands, problems, params)
    knapsack = fast.prepare(cands, first)
    t_build = time.perf_counter() - t0
    out: list[PortfolioResult] = []
    for p in problems:
        t1 = time.perf_counter()
        raw = fast.solve_knapsack(knapsack, p, model.n_var)
        if raw.values is None:
            _infeasible(build_model(cands, p, params), p, raw)
        _append_point(
            out, cands, p, model, raw, params, (t0, t1, t_build), len(problems), on_progress, "mckp"
        )
    return out


def _infeasible(model, problem: PortfolioProblem, raw) -> NoReturn:
    """Raise for a point without a feasible plan, naming the constraints that conflict."""
    conflicts = _diagnose(model, problem)
    raise PortfolioInfeasibleError(
        f"no feasible portfolio ({raw.status}); conflicting constraints: {', '.join(conflicts)}", conflicts
    )


def _append_point(out, cands, p, model, raw, params, times, n_points, on_progress, *method) -> None:
    """The result of one frontier point, its progress event; the shared build time goes to the first."""
    t0, t1, t_build = times
    chosen, cash, totals = _results(cands, p, model, raw.values, params)
    if on_progress is not None:
        on_progress(_point_event(len(out) + 1, n_points, raw, t0))
    extra = t_build if not out else 0.0
    out.append(
        PortfolioResult(
            raw.status,
            raw.objective,
            raw.best_bound,
            raw.gap,
            time.perf_counter() - t1 + extra,
            extra,
            raw.solve_time_s,
            chosen,
            cash,
            totals,
            p.solver,
            *method,
        )  # fmt: skip
    )


def _point_event(done: int, total: int, raw, t0: float) -> dict:
    """A progress event (:mod:`energy.portfolio.progress`) counting the frontier's points."""
    return {
        "stage": "point",
        "incumbent": raw.objective,
        "bound": raw.best_bound,
        "gap": raw.gap,
        "elapsed_s": time.perf_counter() - t0,
        "fraction": done / total,
        "points_done": done,
        "points_total": total,
    }


@dataclass(frozen=True)
class FrontierPlan:
    """The points of a frontier before they are solved: what :func:`frontier_plan` decides once.

    ``method`` is ``"hull"`` where every point is a knapsack on one shared convex hull (fast, one
    process), else ``"milp"``: every point is a MILP of its own, independent of the others, which is
    what can be spread over workers (:func:`solve_point` solves one).
    """

    kind: str
    method: str
    epsilons: list[float]
    problems: list[PortfolioProblem]


def frontier_plan(
    candidates: pd.DataFrame,
    problem: PortfolioProblem,
    n_points: int = 20,
    kind: str = "co2",
    params=None,
    *,
    exploit_structure: bool = True,
) -> FrontierPlan:
    """The epsilon-constraint points of :func:`pareto_frontier` (validated), and how they solve.

    For ``kind="npv"`` this solves the unconstrained NPV optimum once (its cost spans the budgets).
    """
    if kind not in ("co2", "npv"):
        raise PortfolioInputError(f"kind: {kind!r} is not 'co2' or 'npv'")
    if not 2 <= int(n_points) <= 200:
        raise PortfolioInputError(f"n_points: {n_points} must be in 2..200")
    cands = validate_candidates(candidates)
    params = params if params is not None else load_catalogue().parameters
    base = replace(
        problem, target_co2_reduction_t_per_year=None, target_primary_energy_savings_kwh_per_year=None
    )
    if kind == "co2":
        ok = allowed_mask(cands, problem)
        best = (
            pd.Series(np.where(ok, cands["co2_reduction_t_per_year"], 0.0))
            .groupby(cands["building_id"].to_numpy())
            .max()
        )
        co2_max = float(best.clip(lower=0).sum())
        epsilons = [float(e) for e in np.linspace(0.0, co2_max, int(n_points)) * (1 - 1e-9)]
    else:
        cap = float(cands.groupby("building_id")["capex_pln"].max().sum()) or 1.0
        top = optimise(
            cands,
            replace(base, objective="max_npv", budget_pln=cap),
            params,
            exploit_structure=exploit_structure,
        )
        cost_max = max(top.totals["own_contribution_pln"], 1.0)
        epsilons = [cost_max * k / int(n_points) for k in range(1, int(n_points) + 1)]
    problems = [point_problem(base, kind, e) for e in epsilons]
    return FrontierPlan(kind, frontier_method(problem, kind, exploit_structure), epsilons, problems)


def frontier_method(problem: PortfolioProblem, kind: str = "co2", exploit_structure: bool = True) -> str:
    """``"hull"`` or ``"milp"``: how the points of this frontier solve (see :class:`FrontierPlan`)."""
    return "hull" if exploit_structure and fast.applicable(point_problem(problem, kind, 1.0)) else "milp"


def point_problem(problem: PortfolioProblem, kind: str, epsilon: float) -> PortfolioProblem:
    """The problem of one frontier point: min cost for CO2 >= epsilon, or max NPV for cost <= epsilon."""
    base = replace(
        problem, target_co2_reduction_t_per_year=None, target_primary_energy_savings_kwh_per_year=None
    )
    if kind == "co2":
        return replace(base, objective="min_cost", budget_pln=None, target_co2_reduction_t_per_year=epsilon)
    return replace(base, objective="max_npv", budget_pln=epsilon)


def point_sweep(candidates: pd.DataFrame, problem: PortfolioProblem, params) -> PointSweep:
    """A :class:`PointSweep` for the points of the frontier whose point ``problem`` is one of them."""
    return PointSweep(validate_candidates(candidates), problem, params)


def solve_point(
    candidates: pd.DataFrame,
    problem: PortfolioProblem,
    epsilon: float,
    params,
    on_progress=None,
    *,
    sweep: PointSweep | None = None,
) -> dict:
    """One frontier point, as a worker solves it: the row of the frontier.

    The same solve as one step of the HiGHS sweep (presolve off, see ``SWEEP_HIGHS_OPTIONS``). Given
    the ``sweep`` of earlier points of the same frontier (:func:`point_sweep`; ``candidates`` are then
    those it was made with), it reuses that model and starts from the last point's solution where that
    one is feasible; without, it builds the model and starts cold. Raises
    :class:`PortfolioInfeasibleError` when no plan reaches the point.
    """
    sweep = sweep if sweep is not None else point_sweep(candidates, problem, params)
    return _point(sweep.solve(problem, on_progress=on_progress), float(epsilon))


def pareto_frontier(
    candidates: pd.DataFrame,
    problem: PortfolioProblem,
    n_points: int = 20,
    kind: str = "co2",
    params=None,
    *,
    incremental_off: bool = False,
    exploit_structure: bool = True,
    on_progress=None,
) -> pd.DataFrame:
    """N points of the cost/CO2 (``kind="co2"``) or cost/NPV (``kind="npv"``) frontier, in one process.

    Other settings of ``problem`` (programmes, forced buildings, yearly budgets, horizon) are kept; its
    objective, budget and targets are replaced per point. ``exploit_structure`` (default) uses the shared
    knapsack where the problem allows it; ``exploit_structure=False`` solves MILPs: one HiGHS model with
    changed row bounds, or with ``incremental_off=True`` one whole-MILP :func:`optimise` per point (the
    baseline of the benchmark). ``on_progress`` receives one event per point solved on the shared knapsack
    or the HiGHS sweep (``points_done``/``points_total``, the point's gap; :mod:`energy.portfolio.progress`).
    Points spread over several workers: :func:`frontier_plan` and :func:`solve_point`.

    Returns
    -------
    DataFrame
        One row per point: ``epsilon, own_contribution_pln, capex_pln, co2_reduction_t_per_year, npv_pln,
        n_projects, status, gap, time_s``.
    """
    params = params if params is not None else load_catalogue().parameters
    plan = frontier_plan(
        candidates,
        problem,
        n_points,
        kind,
        params,
        exploit_structure=exploit_structure and not incremental_off,
    )
    cands = validate_candidates(candidates)
    probs = plan.problems
    if incremental_off:
        results = [optimise(cands, p, params, exploit_structure=False) for p in probs]
    elif plan.method == "hull":
        results = _knapsack_points(cands, probs, params, on_progress)
    elif kind == "co2":  # hardest target first: each solution is feasible for the next, smaller target
        results = _sweep(cands, probs[::-1], "target_co2_reduction_t_per_year", params, on_progress)[::-1]
    else:  # smallest budget first: each solution is feasible for the next, larger budget
        results = _sweep(cands, probs, "budget_pln", params, on_progress)
    return pd.DataFrame([_point(r, e) for r, e in zip(results, plan.epsilons, strict=True)])
