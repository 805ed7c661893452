"""The structured paths (knapsack, LP fixing) against the plain MILP on random instances."""

import numpy as np
import pytest

from energy.measures import load_catalogue
from energy.portfolio import PortfolioProblem, Programme, mckp, optimise
from energy.portfolio.greedy import lp_bound
from energy.portfolio.model import build_model, eligibility, grant_caps_pln
from energy.portfolio.plan import dominated, solve_plan
from energy.portfolio.problem import validate_candidates
from energy.portfolio.synthetic import synthetic_candidates

PARAMS = load_catalogue().parameters


def _budget(c, share):
    return share * c.groupby("building_id").capex_pln.max().sum()


@pytest.mark.parametrize("seed", range(8))
def test_knapsack_equals_milp_single_budget(seed):
    rng = np.random.default_rng(seed)
    c = synthetic_candidates(int(rng.integers(20, 80)), int(rng.integers(2, 9)), seed=seed)
    ids = c.building_id.unique()
    p = PortfolioProblem(
        objective=["max_co2", "max_npv", "max_primary_energy"][seed % 3],
        budget_pln=_budget(c, rng.uniform(0.05, 0.6)),
        forced_in_buildings=[ids[1]] if seed % 2 else [],
        forced_out_buildings=[ids[2]],
        excluded_measures=["pv"] if seed % 4 == 0 else [],
        gap_rel=0.0,
    )
    fast = optimise(c, p, PARAMS)
    plain = optimise(c, p, PARAMS, exploit_structure=False)
    assert fast.method == "mckp" and plain.method == "milp"
    np.testing.assert_allclose(fast.objective_value, plain.objective_value, rtol=1e-7)
    ch = fast.chosen
    assert ch["capex_pln"].sum() <= p.budget_pln * (1 + 1e-9)
    assert ch["building_id"].is_unique
    assert set(p.forced_in_buildings) <= set(ch["building_id"])
    assert ids[2] not in set(ch["building_id"])
    assert not ch["measures"].str.contains("pv").any() or not p.excluded_measures
    assert fast.best_bound >= plain.objective_value * (1 - 1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_knapsack_equals_milp_min_cost_target(seed):
    c = synthetic_candidates(40, 6, seed=100 + seed)
    reach = c.groupby("building_id").co2_reduction_t_per_year.max().sum()
    target = float(np.random.default_rng(seed).uniform(0.02, 0.95)) * reach
    p = PortfolioProblem(objective="min_cost", target_co2_reduction_t_per_year=target, gap_rel=0.0)
    fast = optimise(c, p, PARAMS)
    plain = optimise(c, p, PARAMS, exploit_structure=False)
    assert fast.method == "mckp"
    np.testing.assert_allclose(fast.objective_value, plain.objective_value, rtol=1e-7)
    assert fast.totals["co2_reduction_t_per_year"] >= target * (1 - 1e-9)
    assert fast.best_bound <= plain.objective_value * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_knapsack_gap_is_proven_against_the_optimum(seed):
    c = synthetic_candidates(300, 8, seed=200 + seed)
    p = PortfolioProblem(budget_pln=_budget(c, 0.2), gap_rel=1e-2)
    fast = optimise(c, p, PARAMS)
    exact = optimise(c, PortfolioProblem(budget_pln=p.budget_pln, gap_rel=0.0), PARAMS)
    assert fast.gap <= 1e-2
    assert fast.best_bound >= exact.objective_value * (1 - 1e-9)
    assert fast.objective_value >= fast.best_bound * (1 - 1e-2) - 1e-9
    np.testing.assert_allclose(
        fast.gap, (fast.best_bound - fast.objective_value) / fast.objective_value, rtol=1e-9
    )


@pytest.mark.parametrize("seed", range(4))
def test_hull_lp_equals_the_lp_relaxation(seed):
    c = synthetic_candidates(120, 8, seed=300 + seed)
    p = PortfolioProblem(objective="max_npv", budget_pln=_budget(c, 0.3))
    cands = validate_candidates(c)
    n_b = cands.building_id.nunique()
    profit = build_model(cands, p, PARAMS).c.reshape(n_b, -1)
    hull = mckp.prepare(profit, cands.capex_pln.to_numpy().reshape(n_b, -1), np.zeros(n_b, bool))
    _, bound, _ = mckp.lp_solution(hull, p.budget_pln)
    np.testing.assert_allclose(bound, lp_bound(c, p, PARAMS), rtol=1e-9)


def _plan_problem(c, seed, **kw):
    yearly = [_budget(c, 0.07)] * 3
    progs = [
        Programme(
            "thermo_bonus",
            0.26,
            cap_multiple_of_yearly_savings=2.0,
            thermo_bonus_rules=True,
            cap_total_pln=0.2 * sum(yearly),
        ),
        Programme(
            "regional",
            0.3,
            cap_per_building_pln=4e5,
            min_primary_energy_saving_share=0.3,
            cap_total_pln=0.1 * sum(yearly),
        ),
    ]
    return PortfolioProblem(
        objective="max_npv" if seed % 2 else "max_co2",
        yearly_budgets_pln=yearly,
        programmes=progs,
        horizon_years=25,
        price_escalation=0.02,
        max_projects_per_year=len(c.building_id.unique()) // 6,
        **kw,
    )


@pytest.mark.parametrize("seed", range(4))
def test_lp_fixing_equals_milp_on_plans_and_respects_every_rule(seed):
    c = synthetic_candidates(30, 6, seed=400 + seed)
    p = _plan_problem(c, seed, gap_rel=0.0)
    fast = optimise(c, p, PARAMS)
    plain = optimise(c, p, PARAMS, exploit_structure=False)
    assert fast.method == "lp_fixing"
    np.testing.assert_allclose(fast.objective_value, plain.objective_value, rtol=1e-6)
    ch = fast.chosen
    assert ch["building_id"].is_unique
    own_by_year = ch.groupby("start_year")["own_contribution_pln"].sum()
    assert (own_by_year <= p.yearly_budgets_pln[0] * (1 + 1e-9)).all()
    assert (ch.groupby("start_year").size() <= p.max_projects_per_year).all()
    cands = validate_candidates(c)
    rows = cands.set_index(["building_id", "package_id"]).index.get_indexer(
        list(zip(ch.building_id, ch.package_id, strict=True))
    )
    caps = grant_caps_pln(cands, p.programmes, PARAMS)[rows]
    for k, prog in enumerate(p.programmes):
        grant = ch[f"grant_pln__{prog.programme_id}"].to_numpy()
        eligible = eligibility(cands.iloc[rows], prog, PARAMS)
        assert (grant[~eligible] == 0).all()
        assert (grant <= caps[:, k] + 1e-6).all()
        assert grant.sum() <= prog.cap_total_pln * (1 + 1e-9)
    assert (ch["grant_pln"] <= ch["capex_pln"] + 1e-6).all()


def test_lp_fixing_stopped_early_returns_a_feasible_plan_and_a_valid_bound():
    c = synthetic_candidates(30, 6, seed=401)
    p = _plan_problem(c, 1, gap_rel=0.0)
    cands = validate_candidates(c)
    model = build_model(cands, p, PARAMS)
    raw, figures = solve_plan(cands, model, p, options={"mip_max_nodes": 0})
    exact = optimise(c, p, PARAMS, exploit_structure=False)
    assert model.satisfied_by(raw.values)
    assert raw.objective <= exact.objective_value * (1 + 1e-9)
    assert raw.best_bound >= exact.objective_value * (1 - 1e-9)
    assert raw.gap == pytest.approx((raw.best_bound - raw.objective) / raw.objective)
    assert figures["lp_bound"] >= raw.best_bound * (1 - 1e-12)


def test_dominated_packages_are_never_needed():
    c = synthetic_candidates(40, 8, seed=600)
    p = _plan_problem(c, 1, gap_rel=0.0)
    cands = validate_candidates(c)
    model = build_model(cands, p, PARAMS)
    drop = dominated(cands, model)
    assert drop.any()
    kept = optimise(cands[~drop], p, PARAMS, exploit_structure=False)
    full = optimise(cands, p, PARAMS, exploit_structure=False)
    np.testing.assert_allclose(kept.objective_value, full.objective_value, rtol=1e-7)


def test_progress_reports_bounds_and_gap_and_only_moves_forward():
    c = synthetic_candidates(30, 6, seed=401)
    events = []
    res = optimise(c, _plan_problem(c, 1, gap_rel=0.0), PARAMS, on_progress=events.append)
    stages = [e["stage"] for e in events]
    assert stages[0] == "lp" and stages[-1] == "done"
    assert "warm_start" in stages and "milp" in stages
    fractions = [e["fraction"] for e in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    for e in events:
        if e["incumbent"] is not None and e["bound"] is not None:
            assert e["bound"] >= e["incumbent"] * (1 - 1e-9)
    assert events[-1]["gap"] == res.gap


def test_an_error_in_the_progress_callback_stops_the_solver_and_propagates():
    class Cancelled(Exception):
        pass

    def cancel_in_milp(event):
        if event["stage"] == "milp":
            raise Cancelled

    c = synthetic_candidates(30, 6, seed=401)
    with pytest.raises(Cancelled):
        optimise(c, _plan_problem(c, 1, gap_rel=0.0), PARAMS, on_progress=cancel_in_milp)


def test_frontier_progress_counts_points():
    from energy.portfolio.pareto import pareto_frontier

    events = []
    c = synthetic_candidates(30, 6, seed=13)
    pareto_frontier(c, PortfolioProblem(gap_rel=0.0), n_points=5, kind="co2", on_progress=events.append)
    assert [e["points_done"] for e in events] == [1, 2, 3, 4, 5]
    assert all(e["points_total"] == 5 for e in events)


def _brute_mckp(profit, weight, forced, capacity):
    import itertools

    best = -np.inf
    options = [
        ([] if f else [-1]) + [k for k in range(profit.shape[1]) if np.isfinite(profit[b, k])]
        for b, f in enumerate(forced)
    ]
    for pick in itertools.product(*options):
        w = sum(weight[b, k] for b, k in enumerate(pick) if k >= 0)
        if w <= capacity + 1e-9:
            best = max(best, sum(profit[b, k] for b, k in enumerate(pick) if k >= 0))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_mckp_core_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    n_b, n_k = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    profit = rng.normal(5, 5, (n_b, n_k)).round(1)
    weight = rng.uniform(0, 10, (n_b, n_k)).round(0)
    if seed % 3 == 0:  # the min_cost shape: profit = -capex, weight = -CO2
        profit, weight = -np.abs(profit), -weight
    profit[rng.random((n_b, n_k)) < 0.2] = -np.inf
    forced = (rng.random(n_b) < 0.3) & np.isfinite(profit).any(axis=1)
    capacity = float(rng.uniform(-10, 25))
    best = _brute_mckp(profit, weight, forced, capacity)
    sol = mckp.solve(mckp.prepare(profit, weight, forced), capacity, gap_rel=0.0)
    if best == -np.inf:
        assert sol is None
        return
    picked = [(b, k) for b, k in enumerate(sol.choice) if k >= 0]
    assert sum(weight[b, k] for b, k in picked) <= capacity + 1e-9
    assert all(sol.choice[forced] >= 0)
    np.testing.assert_allclose(sum(profit[b, k] for b, k in picked), best, atol=1e-9)
    np.testing.assert_allclose(sol.objective, best, atol=1e-9)
    assert sol.bound >= best - 1e-9 and sol.lp_bound >= best - 1e-9
