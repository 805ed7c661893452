"""The single-constraint portfolio problems as multiple-choice knapsacks (:mod:`energy.portfolio.mckp`).

Two shapes of :class:`~energy.portfolio.problem.PortfolioProblem` are a knapsack with one option per
building and one resource row, when there is one plan year, no grant programme and no project count:

* ``max_*`` with a budget (``budget_pln`` and/or a one-year ``yearly_budgets_pln``, no target):
  profit = objective coefficient, weight = capex [PLN], capacity = the budget;
* ``min_cost`` with one target (CO2 or primary energy) and no budget: profit = -capex, weight = -the
  target quantity, capacity = -target.

Forced-in buildings, required and excluded measures and forced-out buildings only change which options
exist. :func:`solve_knapsack` returns a :class:`~energy.portfolio.backends.RawSolution` over the columns
of the MILP of :func:`energy.portfolio.model.build_model`, so results and diagnosis are shared with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energy.portfolio import mckp
from energy.portfolio.backends import RawSolution
from energy.portfolio.model import allowed_mask, objective_coefficients
from energy.portfolio.problem import PortfolioProblem

TARGETS = {
    "target_co2_reduction_t_per_year": "co2_reduction_t_per_year",
    "target_primary_energy_savings_kwh_per_year": "primary_energy_savings_kwh_per_year",
}


def applicable(problem: PortfolioProblem) -> bool:
    """Is ``problem`` one of the two knapsack shapes (see the module docstring)?"""
    p = problem
    if p.n_years != 1 or p.programmes or p.max_projects_per_year is not None:
        return False
    targets = [t for t in TARGETS if getattr(p, t) is not None]
    has_budget = p.budget_pln is not None or p.yearly_budgets_pln is not None
    if p.objective == "min_cost":
        return len(targets) == 1 and not has_budget
    return has_budget and not targets


@dataclass(frozen=True)
class Knapsack:
    """A prepared knapsack over validated candidates: the hull and the candidate row of each option."""

    hull: mckp.Hull
    row: np.ndarray  # (n_buildings, n_slots) candidate row, -1 = no such package
    sign: float  # +1: the model maximises the profit; -1: it minimises -profit (min_cost)


def _grid(cands: pd.DataFrame, values: np.ndarray, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-candidate ``values`` laid out as (building, slot), and the candidate row of each cell."""
    b_codes, b_ids = pd.factorize(cands["building_id"])
    slot = cands.groupby(b_codes).cumcount().to_numpy()
    grid = np.full((len(b_ids), int(slot.max()) + 1), fill)
    grid[b_codes, slot] = values
    row = np.full(grid.shape, -1)
    row[b_codes, slot] = np.arange(len(cands))
    return grid, row


def prepare(cands: pd.DataFrame, problem: PortfolioProblem) -> Knapsack:
    """Hull of the knapsack of ``problem`` (its capacity is given to :func:`solve_knapsack`)."""
    ok = allowed_mask(cands, problem)
    capex = cands["capex_pln"].to_numpy(float)
    if problem.objective == "min_cost":
        target = next(t for t in TARGETS if getattr(problem, t) is not None)
        profit, weight, sign = -capex, -cands[TARGETS[target]].to_numpy(float), -1.0
    else:
        profit, weight, sign = objective_coefficients(cands, problem)[:, 0], capex, 1.0
    p_grid, row = _grid(cands, np.where(ok, profit, -np.inf), -np.inf)
    w_grid, _ = _grid(cands, weight, 0.0)
    forced_ids = list(map(str, problem.forced_in_buildings)) + list(map(str, problem.required_measures))
    b_ids = pd.unique(cands["building_id"])
    forced = np.isin(b_ids, forced_ids) & np.isfinite(p_grid).any(axis=1)
    return Knapsack(mckp.prepare(p_grid, w_grid, forced), row, sign)


def capacity(problem: PortfolioProblem) -> float:
    """The knapsack's capacity: the tighter budget, or minus the target."""
    if problem.objective == "min_cost":
        return -float(next(getattr(problem, t) for t in TARGETS if getattr(problem, t) is not None))
    budgets = [problem.budget_pln] if problem.budget_pln is not None else []
    budgets += list(problem.yearly_budgets_pln or [])[:1]
    return float(min(budgets))


def solve_knapsack(
    knapsack: Knapsack,
    problem: PortfolioProblem,
    n_var: int,
    *,
    cap: float | None = None,
    steps: dict | None = None,
) -> RawSolution:
    """Solve within ``problem.gap_rel`` (proven); values over the ``n_var`` MILP columns (grants none).

    ``steps`` (if given) receives the LP bound and the size of the core left to the MILP.
    """
    t0 = time.perf_counter()
    sol = mckp.solve(
        knapsack.hull,
        capacity(problem) if cap is None else cap,
        gap_rel=problem.gap_rel,
        time_limit_s=problem.time_limit_s,
    )
    if sol is None:
        return RawSolution("Infeasible", None, None, None, None, 0.0, time.perf_counter() - t0)
    if steps is not None:
        steps.update(
            lp_bound=knapsack.sign * sol.lp_bound,
            core_buildings=sol.n_core_buildings,
            core_options=sol.n_core_options,
        )
    values = np.zeros(n_var)
    took = np.flatnonzero(sol.choice >= 0)
    values[knapsack.row[took, sol.choice[took]]] = 1.0
    s = knapsack.sign
    return RawSolution(
        sol.status, values, s * sol.objective, s * sol.bound, sol.gap, 0.0, time.perf_counter() - t0
    )
