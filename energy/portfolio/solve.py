"""``optimise(candidates, problem)``: validation, pre-checks, MILP solve and readable results."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from energy.measures import load_catalogue
from energy.portfolio import backends, fast, plan
from energy.portfolio.finance import capex_discount_factor, npv_pln, simple_payback_years, yearly_cash_flow
from energy.portfolio.greedy import greedy_start
from energy.portfolio.model import (
    ArrayModel,
    allowed_mask,
    build_model,
    eligibility_reasons,
    grant_caps_pln,
)
from energy.portfolio.problem import (
    PortfolioInfeasibleError,
    PortfolioProblem,
    validate_candidates,
    validate_problem,
)
from energy.portfolio.progress import Progress, ProgressCallback

RELAXABLE = (
    "budget_pln",
    "yearly_budgets_pln",
    "max_projects_per_year",
    "forced_in_buildings",
    "target_co2_reduction_t_per_year",
    "target_primary_energy_savings_kwh_per_year",
)


@dataclass
class PortfolioResult:
    """Outcome of :func:`optimise`.

    Attributes
    ----------
    status : str
        Solver model status ("Optimal", "Time limit reached", ...).
    objective_value, best_bound, gap : float
        Objective (t CO2 or kWh over the horizon, PLN NPV, or PLN own cost), the solver's proven bound and
        relative gap [-] (None where the solver found no solution).
    time_s, build_time_s, solve_time_s : float
        Wall time [s] end to end, of the model build and of the solve.
    chosen : DataFrame
        One row per chosen package: ``building_id, package_id, measures, start_year, capex_pln, grant_pln,
        own_contribution_pln, savings_pln_per_year, co2_reduction_t_per_year, lifetime_years,
        payback_years, npv_pln`` (+ primary/final energy savings and ``grant_pln__<programme>``).
    cash_flow : DataFrame
        Yearly cash flow and CO2 trajectory (see :func:`energy.portfolio.finance.yearly_cash_flow`).
    totals : dict
    method : {"milp", "mckp", "lp_fixing"}
        The whole MILP, the knapsack path of :mod:`energy.portfolio.fast`, or LP rounding with
        reduced-cost fixing of :mod:`energy.portfolio.plan` (bound and gap proven alike).
    steps : dict
        Figures of the method's steps (``lp_fixing``: dominated packages, LP bound and time, value of
        the warm start, fixed columns, MILP time; ``mckp``: buildings and options left to the MILP).
    """

    status: str
    objective_value: float | None
    best_bound: float | None
    gap: float | None
    time_s: float
    build_time_s: float
    solve_time_s: float
    chosen: pd.DataFrame
    cash_flow: pd.DataFrame
    totals: dict
    solver: str
    method: str = "milp"
    steps: dict = field(default_factory=dict)


def _precheck(cands: pd.DataFrame, problem: PortfolioProblem, params: dict) -> None:
    """Cheap infeasibility proofs that name the conflicting constraints."""
    allowed = allowed_mask(cands, problem)
    forced = set(map(str, problem.forced_in_buildings)) | set(map(str, problem.required_measures))
    is_forced = cands["building_id"].isin(forced).to_numpy()
    no_option = sorted(forced - set(cands.loc[allowed & is_forced, "building_id"]))
    if no_option:
        raise PortfolioInfeasibleError(
            f"forced-in buildings {no_option[:5]} have no allowed package "
            "(conflict: forced_in_buildings/required_measures vs excluded_measures/available packages)",
            ["forced_in_buildings", "excluded_measures"],
        )
    caps = grant_caps_pln(cands, problem.programmes, params)
    own_lb = cands["capex_pln"].to_numpy() - np.minimum(caps.sum(axis=1), cands["capex_pln"].to_numpy())
    own_lb = (
        pd.Series(np.where(allowed & is_forced, own_lb, np.inf))
        .groupby(cands["building_id"].to_numpy())
        .min()
    )
    need = float(own_lb[np.isfinite(own_lb)].sum())
    budgets = [("budget_pln", problem.budget_pln)]
    if problem.yearly_budgets_pln is not None:
        budgets.append(("yearly_budgets_pln", float(np.sum(problem.yearly_budgets_pln))))
    for name, budget in budgets:
        if budget is not None and need > budget * (1 + 1e-9):
            raise PortfolioInfeasibleError(
                f"forced-in buildings alone need at least {need:,.0f} PLN of own contribution, "
                f"more than {name} = {budget:,.0f} PLN",
                ["forced_in_buildings", name],
            )
    if (
        problem.max_projects_per_year is not None
        and len(forced) > problem.max_projects_per_year * problem.n_years
    ):
        raise PortfolioInfeasibleError(
            f"{len(forced)} forced-in buildings exceed max_projects_per_year x plan years",
            ["forced_in_buildings", "max_projects_per_year"],
        )
    for name, col in (
        ("target_co2_reduction_t_per_year", "co2_reduction_t_per_year"),
        ("target_primary_energy_savings_kwh_per_year", "primary_energy_savings_kwh_per_year"),
    ):
        target = getattr(problem, name)
        if target is not None:
            best = (
                pd.Series(np.where(allowed, cands[col], -np.inf))
                .groupby(cands["building_id"].to_numpy())
                .max()
            )
            reach = float(best.clip(lower=0).sum())
            if reach < target:
                raise PortfolioInfeasibleError(
                    f"{name} = {target:,.1f} exceeds {reach:,.1f}, the most all allowed packages reach "
                    "(conflict with forced_out_buildings / excluded_measures)",
                    [name, "forced_out_buildings", "excluded_measures"],
                )


def _diagnose(model: ArrayModel, problem: PortfolioProblem) -> list[str]:
    """Constraint groups whose removal alone makes the model feasible."""
    present = [g for g in RELAXABLE if (model.row_group == g).any()]
    culprits = []
    for g in present:
        m = replace(model, row_lb=model.row_lb.copy(), row_ub=model.row_ub.copy())
        rows = m.row_group == g
        m.row_lb[rows] = -np.inf
        m.row_ub[rows] = np.where(g == "forced_in_buildings", 1.0, np.inf)
        raw = backends.solve_highspy(m, gap_rel=1.0, time_limit_s=min(problem.time_limit_s, 10.0))
        if raw.values is not None:
            culprits.append(g)
    return culprits or present


def _maximise_grants(model: ArrayModel, values: np.ndarray) -> np.ndarray:
    """Fix the chosen packages and give them the largest grants the rules allow (LP)."""
    n_x = model.n_x
    fixed = replace(
        model,
        c=np.concatenate([np.zeros(n_x), np.ones(model.n_var - n_x)]),
        col_lb=np.concatenate([np.round(values[:n_x]), model.col_lb[n_x:]]),
        col_ub=np.concatenate([np.round(values[:n_x]), model.col_ub[n_x:]]),
        maximize=True,
    )
    raw = backends.solve_highspy(fixed, relax=True)
    return raw.values if raw.values is not None else values


def _results(cands, problem, model, values, params) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    n_c, n_y = len(cands), problem.n_years
    x = np.round(values[: model.n_x]).reshape(n_c, n_y) > 0.5
    j, y = np.nonzero(x)
    chosen = cands.iloc[j].reset_index(drop=True)
    chosen.insert(2, "start_year", y)
    g = values[model.n_x :]
    gi = model.grant_index.assign(grant_pln=g)
    grant_total = np.zeros(len(chosen))
    for k, prog in enumerate(problem.programmes):
        a = model.caps[j, k] if model.caps.size else np.zeros(len(chosen))
        sel = gi[gi["programme"] == k]
        if model.aggregate_grants:
            # pro-rata split of the pool G[p, y] over the year's chosen packages (each <= its own cap)
            pool = np.zeros(n_y)
            pool[sel["year"].to_numpy(int)] = sel["grant_pln"].to_numpy()
            share = np.bincount(y, weights=a, minlength=n_y)
            col = a * np.divide(pool, share, out=np.zeros(n_y), where=share > 0)[y]
        else:
            per = sel.set_index(["building_id", "year"])["grant_pln"]
            key = pd.MultiIndex.from_arrays([chosen["building_id"], chosen["start_year"]])
            col = per.reindex(key).fillna(0.0).to_numpy()
        col = np.where(col < 1e-6, 0.0, col)
        chosen[f"grant_pln__{prog.programme_id}"] = col
        chosen[f"grant_rule__{prog.programme_id}"] = eligibility_reasons(chosen, prog, params)
        grant_total += col
    chosen["grant_pln"] = grant_total
    chosen["own_contribution_pln"] = chosen["capex_pln"] - grant_total
    chosen["payback_years"] = simple_payback_years(
        chosen["own_contribution_pln"], chosen["savings_pln_per_year"]
    )
    npv = npv_pln(
        chosen["capex_pln"],
        chosen["savings_pln_per_year"],
        chosen["lifetime_years"],
        np.arange(n_y),
        problem.horizon_years,
        problem.discount_rate,
        problem.price_escalation,
    )
    chosen["npv_pln"] = npv[np.arange(len(chosen)), y] + grant_total * capex_discount_factor(
        y, problem.discount_rate
    )
    cash = yearly_cash_flow(chosen, problem.horizon_years, problem.discount_rate, problem.price_escalation)
    own = float(chosen["own_contribution_pln"].sum())
    savings = float(chosen["savings_pln_per_year"].sum())
    totals = {
        "n_projects": len(chosen),
        "capex_pln": float(chosen["capex_pln"].sum()),
        "grant_pln": float(grant_total.sum()),
        "own_contribution_pln": own,
        "savings_pln_per_year": savings,
        "final_energy_savings_mwh_per_year": float(
            chosen.get("final_energy_savings_kwh_per_year", pd.Series(0.0)).sum()
        )
        / 1000,
        "primary_energy_savings_kwh_per_year": float(
            chosen.get("primary_energy_savings_kwh_per_year", pd.Series(0.0)).sum()
        ),
        "co2_reduction_t_per_year": float(chosen["co2_reduction_t_per_year"].sum()),
        "npv_pln": float(chosen["npv_pln"].sum()),
        "simple_payback_years": float(simple_payback_years(own, savings)),
    }
    return chosen, cash, totals


def _keep_better(model: ArrayModel, raw: backends.RawSolution, start: np.ndarray | None):
    """Replace the solver's incumbent by ``start`` if that is feasible and better (or the solver found none)."""
    if start is None or not model.satisfied_by(start):
        return raw
    start_obj = float(model.c @ start)
    sign = 1.0 if model.maximize else -1.0
    if (
        raw.values is None
        or raw.objective is None
        or sign * (start_obj - raw.objective) > 1e-9 * (1 + abs(start_obj))
    ):
        raw = replace(raw, values=start, objective=start_obj)
        if raw.best_bound is not None:
            raw.gap = abs(raw.best_bound - start_obj) / max(abs(start_obj), 1e-9)
    return raw


def optimise(
    candidates: pd.DataFrame,
    problem: PortfolioProblem,
    params: dict | None = None,
    *,
    warm_start: bool = True,
    exploit_structure: bool = True,
    on_progress: ProgressCallback | None = None,
) -> PortfolioResult:
    """Choose at most one package per building to optimise ``problem.objective`` under its constraints.

    Parameters
    ----------
    candidates : DataFrame
        Candidate table (see :mod:`energy.portfolio.problem`), generated and/or audited rows.
    problem : PortfolioProblem
    params : dict, optional
        Eligibility thresholds; defaults to ``load_catalogue().parameters``.
    warm_start : bool
        Start the solver from the year-by-year greedy plan (:func:`energy.portfolio.greedy.greedy_start`,
        max_* objectives with a budget). The returned portfolio is then never worse than the greedy one.
    exploit_structure : bool
        Solve the single-constraint shapes (one year, no programmes: a budget, or min_cost with one
        target) as a multiple-choice knapsack (:mod:`energy.portfolio.fast`): convex-hull LP bound,
        reduced-cost fixing and a MILP on the remaining buildings only, to the same proven ``gap_rel``.
        Other ``max_*`` problems (multi-year plans, programmes) go through :mod:`energy.portfolio.plan`:
        dominance, the LP bound, an LP-rounding warm start and a MILP on the columns reduced-cost
        fixing leaves. ``False`` always solves the whole MILP (the baseline of the benchmarks and tests).
    on_progress : callable, optional
        Receives the solve's events (stage, incumbent, proven bound, gap, fraction done; see
        :mod:`energy.portfolio.progress`); HiGHS reports through callbacks while it branches.

    Raises
    ------
    PortfolioInputError
        Bad candidates or problem fields (the message names the field).
    PortfolioInfeasibleError
        No portfolio meets the constraints; ``.conflicts`` names the constraint groups in conflict.
    """
    t0 = time.perf_counter()
    cands = validate_candidates(candidates)
    validate_problem(problem, cands)
    params = params if params is not None else load_catalogue().parameters
    _precheck(cands, problem, params)
    model = build_model(cands, problem, params)
    method = "milp"
    if exploit_structure and fast.applicable(problem):
        method = "mckp"
    elif exploit_structure and plan.applicable(problem):
        method = "lp_fixing"
    start = greedy_start(cands, problem, model) if warm_start and method != "mckp" else None
    t_model = time.perf_counter() - t0
    steps: dict = {}
    progress = Progress(on_progress, problem.time_limit_s, problem.gap_rel)
    if method == "mckp":
        raw = fast.solve_knapsack(fast.prepare(cands, problem), problem, model.n_var, steps=steps)
    elif method == "lp_fixing":
        raw, steps = plan.solve_plan(cands, model, problem, start=start, progress=progress)
    else:
        raw = backends.solve(
            model, problem.solver, problem.gap_rel, problem.time_limit_s, start=start, progress=progress
        )
        raw = _keep_better(model, raw, start)
    progress.report("done", raw.objective, raw.best_bound, raw.gap, 1.0)
    if raw.values is None:
        conflicts = _diagnose(model, problem)
        raise PortfolioInfeasibleError(
            f"no feasible portfolio ({raw.status}); conflicting constraints: {', '.join(conflicts)}",
            conflicts,
        )
    values = raw.values
    if problem.programmes and problem.objective in ("max_co2", "max_primary_energy"):
        values = _maximise_grants(model, values)
    chosen, cash, totals = _results(cands, problem, model, values, params)
    return PortfolioResult(
        status=raw.status,
        objective_value=raw.objective,
        best_bound=raw.best_bound,
        gap=raw.gap,
        time_s=time.perf_counter() - t0,
        build_time_s=t_model + raw.build_time_s,
        solve_time_s=raw.solve_time_s,
        chosen=chosen,
        cash_flow=cash,
        totals=totals,
        solver=problem.solver,
        method=method,
        steps=steps,
    )
