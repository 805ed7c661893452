"""Portfolio MILP: brute-force optimum, finance worked example, backends, errors, infeasibility."""

import itertools

import numpy as np
import pandas as pd
import pytest

from energy.measures import load_catalogue
from energy.portfolio import (
    PortfolioInfeasibleError,
    PortfolioInputError,
    PortfolioProblem,
    Programme,
    optimise,
)
from energy.portfolio.finance import npv_pln, yearly_cash_flow
from energy.portfolio.greedy import greedy_portfolio, lp_bound
from energy.portfolio.model import grant_caps_pln
from energy.portfolio.synthetic import synthetic_candidates

PARAMS = load_catalogue().parameters


def random_instance(seed, n_b=4, n_k=3):
    return synthetic_candidates(n_b, n_k, seed=seed)


def brute_force(c, problem):
    """Enumerate every choice of at most one package per building (grants: single programme)."""
    groups = [g.index.to_numpy() for _, g in c.groupby("building_id", sort=False)]
    caps = grant_caps_pln(c, problem.programmes, PARAMS).sum(axis=1)
    prog_cap = problem.programmes[0].cap_total_pln if problem.programmes else None
    coef = {
        "max_co2": c["co2_reduction_t_per_year"]
        * np.minimum(np.floor(c["lifetime_years"]), problem.horizon_years),
        "max_npv": npv_pln(
            c["capex_pln"],
            c["savings_pln_per_year"],
            c["lifetime_years"],
            [0],
            problem.horizon_years,
            problem.discount_rate,
            problem.price_escalation,
        )[:, 0],
    }[problem.objective]
    best = -np.inf
    for pick in itertools.product(*[[-1, *g] for g in groups]):
        rows = [r for r in pick if r >= 0]
        grant = caps[rows].sum() if rows else 0.0
        if prog_cap is not None:
            grant = min(grant, prog_cap)
        own = c["capex_pln"].to_numpy()[rows].sum() - grant
        if own > problem.budget_pln + 1e-6:
            continue
        value = np.asarray(coef)[rows].sum() + (grant if problem.objective == "max_npv" else 0.0)
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["max_co2", "max_npv"])
def test_optimum_equals_brute_force(seed, objective):
    c = random_instance(seed)
    budget = 0.35 * c.groupby("building_id").capex_pln.max().sum()
    progs = [
        Programme("tb", 0.3, cap_per_building_pln=60_000, cap_total_pln=150_000, thermo_bonus_rules=True)
    ]
    problem = PortfolioProblem(
        objective=objective, budget_pln=budget, programmes=progs if seed % 2 else (), gap_rel=0.0
    )
    res = optimise(c, problem)
    np.testing.assert_allclose(res.objective_value, brute_force(c, problem), rtol=1e-7)
    assert res.totals["own_contribution_pln"] <= budget * (1 + 1e-9)


def test_npv_worked_example_annuity():
    # capex 1000 PLN, 100 PLN/a for 20 a at 5 %: -1000 + 100 (1 - 1.05^-20) / 0.05 = 246.221 PLN
    npv = npv_pln([1000.0], [100.0], [20], [0], 20, 0.05, 0.0)
    np.testing.assert_allclose(npv[0, 0], -1000 + 100 * (1 - 1.05**-20) / 0.05, rtol=1e-12)
    np.testing.assert_allclose(npv[0, 0], 246.2210, atol=1e-3)
    # started in year 2: capex discounted 2 years, savings in years 3..20 only
    later = npv_pln([1000.0], [100.0], [20], [2], 20, 0.05, 0.0)[0, 0]
    expected = -1000 / 1.05**2 + sum(100 / 1.05**t for t in range(3, 21))
    np.testing.assert_allclose(later, expected, rtol=1e-12)


@pytest.mark.parametrize("solver", ["highs", "highspy"])
def test_backends_agree(solver):
    c = synthetic_candidates(30, 8, seed=3)
    budget = 0.25 * c.groupby("building_id").capex_pln.max().sum()
    ref = optimise(c, PortfolioProblem(budget_pln=budget, gap_rel=0.0, solver="highspy"))
    res = optimise(c, PortfolioProblem(budget_pln=budget, gap_rel=0.0, solver=solver))
    np.testing.assert_allclose(res.objective_value, ref.objective_value, rtol=1e-6)
    assert res.status == "Optimal"


def test_multi_year_plan_constraints_and_cash_flow():
    c = synthetic_candidates(40, 8, seed=4)
    yearly = [4e6, 4e6, 3e6]
    prog = Programme(
        "tb", 0.26, cap_multiple_of_yearly_savings=2.0, cap_total_pln=1.5e6, thermo_bonus_rules=True
    )
    p = PortfolioProblem(
        objective="max_npv",
        yearly_budgets_pln=yearly,
        max_projects_per_year=5,
        programmes=[prog],
        horizon_years=25,
        discount_rate=0.05,
        price_escalation=0.02,
    )
    res = optimise(c, p)
    ch = res.chosen
    per_year = ch.groupby("start_year")["own_contribution_pln"].sum().reindex(range(3), fill_value=0)
    assert (per_year.to_numpy() <= np.array(yearly) + 1e-6).all()
    assert ch.groupby("start_year").size().max() <= 5
    assert ch["grant_pln"].sum() <= 1.5e6 + 1e-6
    assert (ch["grant_pln"] <= 2.0 * ch["savings_pln_per_year"] + 1e-6).all()
    cf = res.cash_flow
    np.testing.assert_allclose(cf["discounted_net_cash_flow_pln"].sum(), res.totals["npv_pln"], rtol=1e-9)
    np.testing.assert_allclose(res.objective_value, res.totals["npv_pln"], rtol=1e-6)
    assert cf.loc[0, "co2_reduction_t"] == 0  # savings start the year after the investment
    np.testing.assert_allclose(cf.loc[3, "co2_reduction_t"], ch["co2_reduction_t_per_year"].sum())


def test_min_cost_reaches_target_and_greedy_below_lp_bound():
    c = synthetic_candidates(25, 8, seed=5)
    target = 0.5 * c.groupby("building_id").co2_reduction_t_per_year.max().sum()
    res = optimise(
        c, PortfolioProblem(objective="min_cost", target_co2_reduction_t_per_year=target, gap_rel=0.0)
    )
    assert res.totals["co2_reduction_t_per_year"] >= target - 1e-6
    p = PortfolioProblem(budget_pln=0.3 * c.groupby("building_id").capex_pln.max().sum(), gap_rel=0.0)
    g, chosen = greedy_portfolio(c, p)
    opt = optimise(c, p).objective_value
    assert chosen["capex_pln"].sum() <= p.budget_pln
    assert g <= opt * (1 + 1e-9) <= lp_bound(c, p) * (1 + 1e-9)
    assert g >= 0.9 * opt


def test_forced_in_exceeding_budget_names_both_constraints():
    c = synthetic_candidates(10, 4, seed=6)
    cheapest = c.groupby("building_id").capex_pln.min()
    with pytest.raises(PortfolioInfeasibleError, match="forced-in buildings alone") as err:
        optimise(
            c,
            PortfolioProblem(
                budget_pln=0.5 * cheapest.iloc[:3].sum(), forced_in_buildings=list(cheapest.index[:3])
            ),
        )
    assert set(err.value.conflicts) == {"forced_in_buildings", "budget_pln"}


def test_yearly_budget_conflict_found_by_diagnosis():
    c = synthetic_candidates(6, 3, seed=7)
    lim = 1.1 * c.groupby("building_id").capex_pln.min().max()
    with pytest.raises(PortfolioInfeasibleError) as err:
        optimise(
            c,
            PortfolioProblem(yearly_budgets_pln=[lim, lim], forced_in_buildings=list(c.building_id.unique())),
        )
    assert "forced_in_buildings" in err.value.conflicts


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"budget_pln": 0}, "budget_pln"),
        ({"budget_pln": -5}, "budget_pln"),
        ({"budget_pln": "1e6"}, "budget_pln.*not a number"),
        ({"budget_pln": 1e6, "discount_rate": -1.0}, "discount_rate"),
        ({"budget_pln": 1e6, "horizon_years": 0}, "horizon_years"),
        ({"budget_pln": 1e6, "horizon_years": 500}, "horizon_years"),
        ({"budget_pln": 1e6, "forced_in_buildings": ["ghost"]}, "forced_in_buildings.*ghost"),
        ({"budget_pln": 1e6, "objective": "max_happiness"}, "objective"),
        ({"objective": "min_cost"}, "min_cost.*target"),
        (
            {"budget_pln": 1e6, "forced_in_buildings": ["B00000"], "forced_out_buildings": ["B00000"]},
            "in both",
        ),
        (
            {"budget_pln": 1e6, "required_measures": {"B00001": ["led"]}, "excluded_measures": ["led"]},
            "in both",
        ),
        ({"budget_pln": 1e6, "plan_years": 2, "yearly_budgets_pln": [1e6]}, "plan_years"),
        ({"budget_pln": 1e6, "programmes": [Programme("p", 1.5)]}, r"programmes\[0\].*share"),
        ({"budget_pln": 1e6, "solver": "gurobi"}, "solver"),
    ],
)
def test_bad_problem_input_names_field(kwargs, match):
    with pytest.raises(PortfolioInputError, match=match):
        optimise(synthetic_candidates(3, 3), PortfolioProblem(**kwargs))


def test_bad_candidates_name_row_and_field():
    c = synthetic_candidates(3, 3)
    bad = c.assign(lifetime_years=c.lifetime_years.where(c.index != 4, -3))
    with pytest.raises(PortfolioInputError, match="row 4, field 'lifetime_years'"):
        optimise(bad, PortfolioProblem(budget_pln=1e6))
    bad = c.astype({"capex_pln": object})
    bad.loc[2, "capex_pln"] = "a lot"
    with pytest.raises(PortfolioInputError, match="row 2, field 'capex_pln'.*not a number"):
        optimise(bad, PortfolioProblem(budget_pln=1e6))


def test_audited_variants_mix_with_generated():
    from energy.portfolio import audited_candidates

    factors = pd.DataFrame(
        {
            "price_pln_per_kwh": [0.25, 0.8],
            "co2_kg_per_kwh": [0.202, 0.597],
            "primary_energy_factor": [1.1, 2.5],
        },
        index=["gas", "electricity"],
    )
    audit = audited_candidates(
        pd.DataFrame(
            {
                "building_id": ["B00000"],
                "package_id": ["audit_v1"],
                "capex_pln": [50_000.0],
                "lifetime_years": [20],
                "savings_gas_kwh_per_year": [100_000.0],
                "savings_electricity_kwh_per_year": [-10_000.0],
            }
        ),
        factors,
    )
    np.testing.assert_allclose(audit.loc[0, "co2_reduction_t_per_year"], (20_200 - 5_970) / 1000)
    np.testing.assert_allclose(audit.loc[0, "savings_pln_per_year"], 25_000 - 8_000)
    both = pd.concat([synthetic_candidates(3, 3), audit], ignore_index=True)
    res = optimise(both, PortfolioProblem(budget_pln=60_000, required_measures={"B00000": ["audit_v1"]}))
    assert res.chosen.set_index("building_id").loc["B00000", "package_id"] == "audit_v1"
    with pytest.raises(PortfolioInputError, match="lifetime_years"):
        audited_candidates(
            pd.DataFrame(
                {
                    "building_id": ["B"],
                    "package_id": ["v"],
                    "capex_pln": [1.0],
                    "lifetime_years": [-1],
                    "savings_pln_per_year": [1.0],
                    "co2_reduction_t_per_year": [0.1],
                }
            )
        )


def test_cash_flow_table_sums():
    chosen = pd.DataFrame(
        {
            "start_year": [0, 1],
            "capex_pln": [100.0, 200.0],
            "grant_pln": [10.0, 0.0],
            "savings_pln_per_year": [20.0, 30.0],
            "co2_reduction_t_per_year": [1.0, 2.0],
            "lifetime_years": [2, 5],
        }
    )
    cf = yearly_cash_flow(chosen, 4, 0.0, 0.0)
    np.testing.assert_allclose(cf["savings_pln"], [0, 20, 50, 30, 30])
    np.testing.assert_allclose(cf["own_contribution_pln"], [90, 200, 0, 0, 0])
    np.testing.assert_allclose(cf["co2_reduction_t"], [0, 1, 3, 2, 2])


def test_stacked_programmes_never_exceed_capex():
    c = synthetic_candidates(12, 5, seed=8)
    progs = [Programme("a", 0.7, cap_total_pln=2e6), Programme("b", 0.7, cap_per_building_pln=3e5)]
    res = optimise(c, PortfolioProblem(budget_pln=2e6, programmes=progs, gap_rel=0.0))
    ch = res.chosen
    assert (ch["grant_pln"] <= ch["capex_pln"] + 1e-6).all()
    assert (ch["grant_pln__b"] <= 3e5 + 1e-6).all()
    assert res.totals["own_contribution_pln"] <= 2e6 + 1e-6


@pytest.mark.parametrize("solver", ["highs", "highspy"])
def test_warm_start_never_worse_than_greedy(solver):
    c = synthetic_candidates(60, 8, seed=9)
    p = PortfolioProblem(budget_pln=0.3 * c.groupby("building_id").capex_pln.max().sum(), solver=solver)
    g, _ = greedy_portfolio(c, p)
    res = optimise(c, p)
    assert res.objective_value >= g * (1 - 1e-12)
    assert res.totals["capex_pln"] <= p.budget_pln * (1 + 1e-9)


def test_greedy_by_year_start_is_feasible_for_the_plan():
    from energy.portfolio.greedy import greedy_start
    from energy.portfolio.model import build_model
    from energy.portfolio.problem import validate_candidates

    c = validate_candidates(synthetic_candidates(50, 8, seed=10))
    prog = Programme(
        "tb", 0.26, cap_multiple_of_yearly_savings=2.0, cap_total_pln=1e6, thermo_bonus_rules=True
    )
    p = PortfolioProblem(
        objective="max_npv",
        yearly_budgets_pln=[3e6, 2e6, 3e6],
        max_projects_per_year=6,
        programmes=[prog],
        forced_in_buildings=["B00003"],
    )
    model = build_model(c, p, PARAMS)
    start = greedy_start(c, p, model)
    assert model.satisfied_by(start)
    x = start[: model.n_x].reshape(len(c), 3)
    assert 0 < x.sum() <= 18 and x.sum(axis=0).max() <= 6
    res = optimise(c, p)
    assert res.objective_value >= float(model.c @ start) * (1 - 1e-12)


@pytest.mark.parametrize("kind", ["co2", "npv"])
def test_incremental_pareto_equals_point_by_point(kind):
    from energy.portfolio.pareto import pareto_frontier

    c = synthetic_candidates(25, 6, seed=12)
    p = PortfolioProblem(gap_rel=0.0)
    fast = pareto_frontier(c, p, n_points=6, kind=kind)
    slow = pareto_frontier(c, p, n_points=6, kind=kind, incremental_off=True)
    col = "own_contribution_pln" if kind == "co2" else "npv_pln"
    np.testing.assert_allclose(fast[col], slow[col], rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(fast["epsilon"], slow["epsilon"], rtol=1e-12)


@pytest.mark.parametrize("kind", ["co2", "npv"])
def test_points_solved_on_one_sweep_in_any_order_equal_the_points_solved_alone(kind):
    """A worker's PointSweep (one model, changed bounds) solves a fanned-out frontier's points in the
    order they reach it; a tighter point after a looser one must not start from (nor keep) the looser
    point's solution, which misses its bound."""
    from energy.portfolio.pareto import frontier_plan, point_sweep, solve_point

    c = synthetic_candidates(25, 6, seed=12)
    prog = Programme("tb", 0.26, cap_multiple_of_yearly_savings=2.0, thermo_bonus_rules=True)
    plan = frontier_plan(c, PortfolioProblem(gap_rel=0.0, programmes=[prog]), n_points=6, kind=kind)
    assert plan.method == "milp"
    alone = [solve_point(c, p, e, PARAMS) for p, e in zip(plan.problems, plan.epsilons, strict=True)]
    sweep = point_sweep(c, plan.problems[2], PARAMS)
    order = [2, 1, 4, 0, 5, 3]  # looser and tighter points by turns
    swept = {i: solve_point(c, plan.problems[i], plan.epsilons[i], PARAMS, sweep=sweep) for i in order}
    assert sweep.n_solved == 6
    col = "own_contribution_pln" if kind == "co2" else "npv_pln"
    for i, point in swept.items():
        assert point["epsilon"] == plan.epsilons[i]
        if kind == "co2":
            assert point["co2_reduction_t_per_year"] >= plan.epsilons[i] * (1 - 1e-9)
        else:
            assert point["own_contribution_pln"] <= plan.epsilons[i] * (1 + 1e-9)
        np.testing.assert_allclose(point[col], alone[i][col], rtol=1e-6, atol=1e-3)
