"""Baselines for the MILP: a greedy benefit-per-cost heuristic and the LP relaxation bound.

The greedy is the incremental-efficiency heuristic for the multiple-choice knapsack (Sinha & Zoltners
1979): with a budget price lambda each building takes the package maximising ``benefit - lambda * capex``
(or nothing); lambda is the smallest price at which the portfolio fits the budget (bisection), which
equals taking convex-hull upgrades in decreasing benefit/cost until the first that does not fit. A few
vectorised fill passes then spend the leftover budget on the best-ratio upgrades that still fit.

References
----------
Sinha, P., Zoltners, A. A. (1979). The multiple-choice knapsack problem. Operations Research 27(3), 503-515.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from energy.measures import load_catalogue
from energy.portfolio import backends
from energy.portfolio.model import allowed_mask, build_model, objective_coefficients
from energy.portfolio.problem import (
    PortfolioInputError,
    PortfolioProblem,
    validate_candidates,
    validate_problem,
)


def _matrices(cands: pd.DataFrame, problem: PortfolioProblem):
    b_codes, b_ids = pd.factorize(cands["building_id"])
    slot = cands.groupby(b_codes).cumcount().to_numpy()
    n_b, n_k = len(b_ids), slot.max() + 1
    benefit = np.full((n_b, n_k), -np.inf)
    cost = np.zeros((n_b, n_k))
    ok = allowed_mask(cands, problem)
    benefit[b_codes[ok], slot[ok]] = objective_coefficients(cands, problem)[ok, 0]
    cost[b_codes, slot] = cands["capex_pln"].to_numpy(float)
    row = np.full((n_b, n_k), -1)
    row[b_codes, slot] = np.arange(len(cands))
    forced = np.isin(
        b_ids, list(map(str, problem.forced_in_buildings)) + list(map(str, problem.required_measures))
    )
    return benefit, cost, row, forced


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
    benefit, cost, row, forced = _matrices(cands, problem)
    budget = float(problem.budget_pln)

    def pick(lam: float) -> np.ndarray:
        score = benefit - lam * cost
        best = np.argmax(score, axis=1)
        take = (score[np.arange(len(best)), best] > 0) | forced
        return np.where(take, best, -1)

    def spent(choice):
        return np.where(choice >= 0, cost[np.arange(len(choice)), choice], 0.0).sum()

    ratio = np.where(cost > 0, benefit / np.where(cost > 0, cost, 1), 0)
    lo, hi = 0.0, float(np.nanmax(np.where(np.isfinite(ratio), ratio, 0))) + 1.0
    if spent(pick(lo)) > budget:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if spent(pick(mid)) > budget else (lo, mid)
        choice = pick(hi)
    else:
        choice = pick(lo)
    idx = np.arange(len(choice))
    for _ in range(20):  # fill passes: best-ratio upgrade that fits the leftover budget
        left = budget - spent(choice)
        cur_b = np.where(choice >= 0, benefit[idx, choice], 0.0)
        cur_c = np.where(choice >= 0, cost[idx, choice], 0.0)
        d_b, d_c = benefit - cur_b[:, None], cost - cur_c[:, None]
        fits = (d_b > 0) & (d_c <= left)
        r = np.where(fits, d_b / np.maximum(d_c, 1e-9), -np.inf)
        best = np.argmax(r, axis=1)
        gain = r[idx, best]
        order = np.argsort(-gain)
        order = order[np.isfinite(gain[order])]
        if not len(order):
            break
        extra = np.cumsum(d_c[order, best[order]])
        ok = order[extra <= left]
        if not len(ok):
            ok = order[:1] if d_c[order[0], best[order[0]]] <= left else ok
            if not len(ok):
                break
        choice[ok] = best[ok]
    rows = row[idx[choice >= 0], choice[choice >= 0]]
    objective = float(benefit[idx[choice >= 0], choice[choice >= 0]].sum())
    return objective, cands.iloc[rows].reset_index(drop=True)


def lp_bound(candidates: pd.DataFrame, problem: PortfolioProblem, params: dict | None = None) -> float:
    """Objective of the LP relaxation of the portfolio MILP (an upper bound for max_* objectives)."""
    cands = validate_candidates(candidates)
    validate_problem(problem, cands)
    params = params if params is not None else load_catalogue().parameters
    raw = backends.solve_highspy(build_model(cands, problem, params), relax=True)
    if raw.objective is None:
        raise PortfolioInputError(f"lp_bound: LP relaxation not solved ({raw.status})")
    return float(raw.objective)


__all__ = ["greedy_portfolio", "lp_bound", "replace"]
