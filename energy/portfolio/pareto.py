"""Pareto frontiers by the epsilon-constraint method (Haimes et al. 1971).

* cost vs CO2: minimise the own contribution subject to a yearly CO2 reduction >= eps_k,
  eps_k = k / (N - 1) x the largest reduction the allowed packages reach, k = 0..N-1;
* cost vs NPV: maximise NPV subject to own contribution <= b_k, b_k = k / N x the cost of the
  unconstrained NPV optimum, k = 1..N.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from energy.portfolio.model import allowed_mask
from energy.portfolio.problem import PortfolioInputError, PortfolioProblem, validate_candidates
from energy.portfolio.solve import optimise


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


def pareto_frontier(
    candidates: pd.DataFrame, problem: PortfolioProblem, n_points: int = 20, kind: str = "co2", params=None
) -> pd.DataFrame:
    """N points of the cost/CO2 (``kind="co2"``) or cost/NPV (``kind="npv"``) frontier.

    Other settings of ``problem`` (programmes, forced buildings, yearly budgets, horizon) are kept; its
    objective, budget and targets are replaced per point.

    Returns
    -------
    DataFrame
        One row per point: ``epsilon, own_contribution_pln, capex_pln, co2_reduction_t_per_year, npv_pln,
        n_projects, status, gap, time_s``.
    """
    if kind not in ("co2", "npv"):
        raise PortfolioInputError(f"kind: {kind!r} is not 'co2' or 'npv'")
    if not 2 <= int(n_points) <= 200:
        raise PortfolioInputError(f"n_points: {n_points} must be in 2..200")
    cands = validate_candidates(candidates)
    base = replace(
        problem, target_co2_reduction_t_per_year=None, target_primary_energy_savings_kwh_per_year=None
    )
    points = []
    if kind == "co2":
        ok = allowed_mask(cands, problem)
        best = (
            pd.Series(np.where(ok, cands["co2_reduction_t_per_year"], 0.0))
            .groupby(cands["building_id"].to_numpy())
            .max()
        )
        co2_max = float(best.clip(lower=0).sum())
        for eps in np.linspace(0.0, co2_max, int(n_points)) * (1 - 1e-9):
            res = optimise(
                cands,
                replace(
                    base, objective="min_cost", budget_pln=None, target_co2_reduction_t_per_year=float(eps)
                ),
                params,
            )
            points.append(_point(res, float(eps)))
    else:
        cap = float(cands.groupby("building_id")["capex_pln"].max().sum()) or 1.0
        top = optimise(cands, replace(base, objective="max_npv", budget_pln=cap), params)
        cost_max = max(top.totals["own_contribution_pln"], 1.0)
        for k in range(1, int(n_points) + 1):
            b = cost_max * k / int(n_points)
            res = optimise(cands, replace(base, objective="max_npv", budget_pln=b), params)
            points.append(_point(res, b))
    return pd.DataFrame(points)
