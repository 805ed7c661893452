"""Portfolio MILP benchmark (issue 4, section 6).

1. 5,000 buildings x 8 packages, single budget (30 % of the all-deep cost), max CO2: end-to-end time of
   ``optimise`` (pulp + HiGHS) to a 0.1 % gap, share of model build; the same array model solved by
   highspy directly from numpy (ratio of times); the greedy MCKP heuristic (ratio of objectives); the gap
   of each to the LP relaxation bound.
   Both with the greedy warm start (default) and without it (baseline).
2. 1,000 buildings, 5-year plan with yearly budgets, a grant programme and max NPV, solved to a 1 % gap:
   time and gap with and without the greedy-by-year warm start.
3. 20-point cost/CO2 Pareto frontier for 1,000 buildings: one HiGHS model re-solved with changed epsilon
   bounds vs one ``optimise`` per point (baseline).

Candidates are synthetic (``energy.portfolio.synthetic``: realistic areas, energy use and package cost and
savings shapes; no physics). ``MIASTO_BENCH_QUICK=1`` shrinks sizes.
Run: ``python benchmarks/bench_portfolio.py``.
"""

from __future__ import annotations

import os
import time

from energy.measures import load_catalogue
from energy.portfolio import PortfolioProblem, Programme, optimise
from energy.portfolio.backends import solve_highspy
from energy.portfolio.greedy import greedy_portfolio, greedy_start, lp_bound
from energy.portfolio.model import build_model
from energy.portfolio.pareto import pareto_frontier
from energy.portfolio.problem import validate_candidates
from energy.portfolio.synthetic import synthetic_candidates

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_SINGLE, N_PLAN, N_PARETO, N_POINTS = (500, 200, 100, 5) if QUICK else (5000, 1000, 1000, 20)


def single_budget() -> None:
    c = synthetic_candidates(N_SINGLE, 8, seed=42)
    budget = 0.3 * c.groupby("building_id").capex_pln.max().sum()
    p = PortfolioProblem(objective="max_co2", budget_pln=budget, gap_rel=1e-3)
    params = load_catalogue().parameters
    cold = optimise(c, p, params, warm_start=False)
    res = optimise(c, p, params)
    t0 = time.perf_counter()
    cands = validate_candidates(c)
    model = build_model(cands, p, params)
    start = greedy_start(cands, p, model)
    t_arrays = time.perf_counter() - t0
    raw = solve_highspy(model, gap_rel=1e-3, start=start)
    t_direct = t_arrays + raw.build_time_s + raw.solve_time_s
    t0 = time.perf_counter()
    g_obj, _ = greedy_portfolio(c, p)
    t_greedy = time.perf_counter() - t0
    bound = lp_bound(c, p, params)
    print(
        f"[1] {N_SINGLE} buildings x 8 packages ({len(c)} binaries), single budget {budget / 1e6:,.0f} M PLN, max CO2"
    )
    print(
        f"    pulp+HiGHS end to end     {res.time_s:6.2f} s  (build {res.build_time_s:5.2f} s = "
        f"{100 * res.build_time_s / res.time_s:4.1f} %, solve {res.solve_time_s:5.2f} s)  status {res.status}, "
        f"gap {res.gap:.2e}"
    )
    print(
        f"    without warm start        {cold.time_s:6.2f} s  gap {cold.gap:.2e}; objective warm/cold = "
        f"{res.objective_value / cold.objective_value:.5f}, time warm/cold = {res.time_s / cold.time_s:4.2f}"
    )
    print(
        f"    highspy from numpy        {t_direct:6.2f} s  (arrays {t_arrays:4.2f} s + pass {raw.build_time_s:4.2f} s "
        f"+ solve {raw.solve_time_s:4.2f} s); time ratio pulp/highspy = {res.time_s / t_direct:4.2f}"
    )
    print(
        f"    greedy (Sinha-Zoltners)   {t_greedy:6.2f} s  objective ratio greedy/MILP = {g_obj / res.objective_value:.5f}"
    )
    print(
        f"    LP bound {bound:,.1f} t: gap MILP {(bound - res.objective_value) / bound:.2e}, "
        f"highspy {(bound - raw.objective) / bound:.2e}, greedy {(bound - g_obj) / bound:.2e}"
    )


def five_year_plan() -> None:
    c = synthetic_candidates(N_PLAN, 8, seed=7)
    yearly = [0.06 * c.groupby("building_id").capex_pln.max().sum()] * 5
    prog = Programme(
        "thermo_bonus",
        0.26,
        cap_multiple_of_yearly_savings=2.0,
        thermo_bonus_rules=True,
        cap_total_pln=0.2 * sum(yearly),
    )
    p = PortfolioProblem(
        objective="max_npv",
        yearly_budgets_pln=yearly,
        programmes=[prog],
        horizon_years=25,
        discount_rate=0.04,
        price_escalation=0.02,
        max_projects_per_year=N_PLAN // 8,
        time_limit_s=60,
        gap_rel=0.01,  # multi-year plans are solved to a 1 % gap (issue 4 section 6)
    )
    print(
        f"[2] {N_PLAN} buildings x 8 packages x 5 years ({len(c) * 5} binaries), yearly budgets, grants, "
        "max NPV, mip_rel_gap 1 %"
    )
    for label, warm in (("warm start (greedy by year)", True), ("no warm start (baseline)", False)):
        res = optimise(c, p, warm_start=warm)
        print(
            f"    {label:28s} {res.time_s:6.2f} s (build {res.build_time_s:4.2f} s) status {res.status}, "
            f"gap {res.gap:.2e}, NPV {res.totals['npv_pln'] / 1e6:,.1f} M PLN, {res.totals['n_projects']} projects"
        )


def pareto() -> None:
    c = synthetic_candidates(N_PARETO, 8, seed=11)
    times = {}
    for off in (False, True):
        t0 = time.perf_counter()
        f = pareto_frontier(
            c, PortfolioProblem(gap_rel=1e-3), n_points=N_POINTS, kind="co2", incremental_off=off
        )
        times[off] = (time.perf_counter() - t0, f["gap"].max())
    dt, gap = times[False]
    print(
        f"[3] {N_POINTS}-point cost/CO2 Pareto frontier, {N_PARETO} buildings: one model + changeRowBounds "
        f"{dt:6.2f} s ({dt / N_POINTS:4.2f} s/point, max gap {gap:.1e}); optimise per point (baseline) "
        f"{times[True][0]:6.2f} s (max gap {times[True][1]:.1e}); ratio {times[True][0] / dt:4.2f}"
    )
    for _, r in f.iloc[:: max(1, N_POINTS // 5)].iterrows():
        print(
            f"    own cost {r.own_contribution_pln / 1e6:9.1f} M PLN -> CO2 {r.co2_reduction_t_per_year:9.1f} t/a"
        )


if __name__ == "__main__":
    single_budget()
    five_year_plan()
    pareto()
