"""Baselines for the MILP: a greedy benefit-per-cost heuristic and the LP relaxation bound.

The greedy is the incremental-efficiency heuristic for the multiple-choice knapsack (Sinha & Zoltners
1979): with a budget price lambda each building takes the package maximising ``benefit - lambda * capex``
(or nothing); lambda is the smallest price at which the portfolio fits the budget (bisection), which
equals taking convex-hull upgrades in decreasing benefit/cost until the first that does not fit. A few
vectorised fill passes then spend the leftover budget on the best-ratio upgrades that still fit.

:func:`greedy_start` runs it year by year over a multi-year plan (each year's budget on the buildings not
yet chosen, with that year's objective coefficients, grants ignored so the own contribution is
over-estimated and the start stays feasible) and returns a MILP starting point.

References
----------
Sinha, P., Zoltners, A. A. (1979). The multiple-choice knapsack problem. Operations Research 27(3), 503-515.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy.measures import load_catalogue
from energy.portfolio import backends
from energy.portfolio.model import ArrayModel, allowed_mask, build_model, objective_coefficients
from energy.portfolio.problem import (
    PortfolioInputError,
    PortfolioProblem,
    validate_candidates,
    validate_problem,
)


def _matrices(cands: pd.DataFrame, problem: PortfolioProblem):
    """Benefit per (building, slot, year), cost and candidate row per (building, slot), forced flags."""
    b_codes, b_ids = pd.factorize(cands["building_id"])
    slot = cands.groupby(b_codes).cumcount().to_numpy()
    n_b, n_k = len(b_ids), slot.max() + 1
    benefit = np.full((n_b, n_k, problem.n_years), -np.inf)
    cost = np.zeros((n_b, n_k))
    ok = allowed_mask(cands, problem)
    benefit[b_codes[ok], slot[ok]] = objective_coefficients(cands, problem)[ok]
    cost[b_codes, slot] = cands["capex_pln"].to_numpy(float)
    row = np.full((n_b, n_k), -1)
    row[b_codes, slot] = np.arange(len(cands))
    forced = np.isin(
        b_ids, list(map(str, problem.forced_in_buildings)) + list(map(str, problem.required_measures))
    )
    return benefit, cost, row, forced


def mckp_choice(
    benefit: np.ndarray,
    cost: np.ndarray,
    budget: float,
    forced: np.ndarray,
    max_count: float | None = None,
) -> np.ndarray:
    """Greedy multiple-choice knapsack: package slot per building (-1 = none).

    Parameters
    ----------
    benefit, cost : ndarray, shape (n_buildings, n_slots)
        Objective gain and capex [PLN] per option; ``-inf`` benefit marks an unavailable option.
    budget : float
        Capex budget [PLN].
    forced : ndarray of bool
        Buildings that must take an option (they may break the budget).
    max_count : float, optional
        Largest number of buildings with an option.
    """
    idx = np.arange(len(benefit))
    benefit = np.where(np.isfinite(benefit).any(axis=1)[:, None], benefit, -np.inf)
    forced = forced & np.isfinite(benefit).any(axis=1)

    def pick(lam: float) -> np.ndarray:
        score = benefit - lam * cost
        best = np.argmax(score, axis=1)
        take = (score[idx, best] > 0) | forced
        return np.where(take, best, -1)

    def spent(choice):
        return np.where(choice >= 0, cost[idx, choice], 0.0).sum()

    ratio = np.where((cost > 0) & np.isfinite(benefit), benefit / np.where(cost > 0, cost, 1), 0)
    lo, hi = 0.0, float(ratio.max(initial=0.0)) + 1.0
    if spent(pick(lo)) > budget:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if spent(pick(mid)) > budget else (lo, mid)
        choice = pick(hi)
    else:
        choice = pick(lo)
    cur_b = np.where(choice >= 0, benefit[idx, np.maximum(choice, 0)], 0.0)
    if max_count is not None and (choice >= 0).sum() > max_count:
        keep = np.argsort(-np.where(forced, np.inf, cur_b), kind="stable")[: int(max_count)]
        mask = np.zeros(len(choice), bool)
        mask[keep] = True
        choice = np.where(mask, choice, -1)
    for _ in range(20):  # fill passes: best-ratio upgrade that fits the leftover budget
        left = budget - spent(choice)
        cur_b = np.where(choice >= 0, benefit[idx, np.maximum(choice, 0)], 0.0)
        cur_c = np.where(choice >= 0, cost[idx, np.maximum(choice, 0)], 0.0)
        d_b, d_c = benefit - cur_b[:, None], cost - cur_c[:, None]
        fits = (d_b > 0) & (d_c <= left)
        if max_count is not None and (choice >= 0).sum() >= max_count:
            fits &= (choice >= 0)[:, None]  # only upgrades, no new buildings
        r = np.where(fits, d_b / np.maximum(d_c, 1e-9), -np.inf)
        best = np.argmax(r, axis=1)
        gain = r[idx, best]
        order = np.argsort(-gain)
        order = order[np.isfinite(gain[order])]
        if max_count is not None:
            new = choice[order] < 0
            room = int(max_count) - int((choice >= 0).sum())
            order = order[~new | (np.cumsum(new) <= room)]
        if not len(order):
            break
        extra = np.cumsum(d_c[order, best[order]])
        ok = order[extra <= left]
        if not len(ok):
            break
        choice[ok] = best[ok]
    return choice


def _check_greedy_problem(problem: PortfolioProblem) -> None:
    if problem.objective == "min_cost" or (problem.budget_pln is None and problem.yearly_budgets_pln is None):
        raise PortfolioInputError("greedy: needs a max_* objective and budget_pln or yearly_budgets_pln")


def greedy_choice(cands: pd.DataFrame, problem: PortfolioProblem) -> np.ndarray:
    """Greedy plan over validated ``cands``: start year per candidate row (-1 = not chosen).

    Year by year, each year's budget (the smaller of ``yearly_budgets_pln[y]`` and what is left of
    ``budget_pln``) goes to the buildings not chosen earlier, by :func:`mckp_choice` on that year's
    objective coefficients. Forced buildings are placed in year 0. Grants are ignored (own contribution
    taken as the full capex), so the plan meets every budget row of the MILP.
    """
    _check_greedy_problem(problem)
    benefit, cost, row, forced = _matrices(cands, problem)
    start = np.full(len(cands), -1)
    free = np.ones(len(benefit), bool)
    left = float(problem.budget_pln) if problem.budget_pln is not None else np.inf
    for y in range(problem.n_years):  # a handful of plan years; everything inside is vectorised
        cap = left
        if problem.yearly_budgets_pln is not None:
            cap = min(cap, float(problem.yearly_budgets_pln[y]))
        b = np.where(free[:, None], benefit[:, :, y], -np.inf)
        choice = mckp_choice(b, cost, cap, forced & free & (y == 0), problem.max_projects_per_year)
        took = np.flatnonzero(choice >= 0)
        start[row[took, choice[took]]] = y
        left -= cost[took, choice[took]].sum()
        free[took] = False
    return start


def greedy_portfolio(candidates: pd.DataFrame, problem: PortfolioProblem) -> tuple[float, pd.DataFrame]:
    """Greedy portfolio for a single-budget, single-year problem without grant programmes.

    Returns
    -------
    objective : float
        Objective value of the greedy portfolio (same units as :func:`energy.portfolio.optimise`).
    chosen : DataFrame
        The chosen candidate rows.
    """
    cands = validate_candidates(candidates)
    validate_problem(problem, cands)
    if (
        problem.n_years != 1
        or problem.programmes
        or problem.budget_pln is None
        or problem.objective == "min_cost"
    ):
        raise PortfolioInputError(
            "greedy: needs a max_* objective, budget_pln, one plan year and no programmes"
        )
    rows = np.flatnonzero(greedy_choice(cands, problem) >= 0)
    objective = float(objective_coefficients(cands, problem)[rows, 0].sum())
    return objective, cands.iloc[rows].reset_index(drop=True)


def greedy_start(cands: pd.DataFrame, problem: PortfolioProblem, model: ArrayModel) -> np.ndarray | None:
    """A MILP starting point (all columns of ``model``) from :func:`greedy_choice`, or None.

    The grant columns are completed by an LP with the packages fixed (largest objective, or largest
    grants when grants do not enter the objective). None for ``min_cost`` or when no budget is given.
    """
    if problem.objective == "min_cost" or (problem.budget_pln is None and problem.yearly_budgets_pln is None):
        return None
    start = greedy_choice(cands, problem)
    x = np.zeros((len(cands), problem.n_years))
    j = np.flatnonzero(start >= 0)
    x[j, start[j]] = 1.0
    return backends.complete_grants(model, x.reshape(-1))


def lp_bound(candidates: pd.DataFrame, problem: PortfolioProblem, params: dict | None = None) -> float:
    """Objective of the LP relaxation of the portfolio MILP (an upper bound for max_* objectives)."""
    cands = validate_candidates(candidates)
    validate_problem(problem, cands)
    params = params if params is not None else load_catalogue().parameters
    raw = backends.solve_highspy(build_model(cands, problem, params), relax=True)
    if raw.objective is None:
        raise PortfolioInputError(f"lp_bound: LP relaxation not solved ({raw.status})")
    return float(raw.objective)


__all__ = ["greedy_choice", "greedy_portfolio", "greedy_start", "lp_bound", "mckp_choice"]
