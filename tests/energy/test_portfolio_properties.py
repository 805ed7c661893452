"""Property tests (hypothesis) of the portfolio MILP on small random instances."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from energy.measures import load_catalogue
from energy.portfolio import PortfolioInfeasibleError, PortfolioProblem, Programme, optimise
from energy.portfolio.model import eligibility, grant_caps_pln
from energy.portfolio.synthetic import synthetic_candidates

PARAMS = load_catalogue().parameters
instances = st.tuples(st.integers(0, 10_000), st.integers(2, 6), st.integers(2, 6), st.floats(0.05, 0.9))
PROG = Programme(
    "tb",
    0.3,
    cap_per_building_pln=80_000,
    cap_total_pln=200_000,
    cap_multiple_of_yearly_savings=2.0,
    thermo_bonus_rules=True,
)
SETTINGS = settings(max_examples=15, deadline=None)


def make(seed, n_b, n_k, frac, **kw):
    c = synthetic_candidates(n_b, n_k, seed=seed)
    budget = frac * c.groupby("building_id").capex_pln.max().sum()
    return c, PortfolioProblem(budget_pln=budget, gap_rel=0.0, programmes=[PROG], **kw)


@SETTINGS
@given(instances, st.sampled_from(["max_co2", "max_npv", "max_primary_energy"]))
def test_budget_never_exceeded_and_grant_rules_hold(inst, objective):
    c, p = make(*inst, objective=objective)
    res = optimise(c, p)
    ch = res.chosen
    assert res.totals["own_contribution_pln"] <= p.budget_pln * (1 + 1e-9) + 1e-6
    assert ch.building_id.is_unique
    cap = grant_caps_pln(ch, [PROG], PARAMS)[:, 0]
    assert (ch["grant_pln"] <= cap + 1e-6).all()  # share, per-building cap and 2x savings cap
    assert (ch["grant_pln"] <= 0.3 * ch["capex_pln"] + 1e-6).all()
    assert (ch["grant_pln"] <= 80_000 + 1e-6).all()
    assert ch["grant_pln"].sum() <= 200_000 + 1e-6
    assert (ch.loc[~eligibility(ch, PROG, PARAMS), "grant_pln"] == 0).all()


@SETTINGS
@given(instances, st.floats(1.05, 3.0))
def test_larger_budget_never_worse(inst, factor):
    c, p = make(*inst)
    small = optimise(c, p).objective_value
    big = optimise(
        c, PortfolioProblem(budget_pln=p.budget_pln * factor, gap_rel=0.0, programmes=[PROG])
    ).objective_value
    assert big >= small - 1e-6 * max(1.0, abs(small))


@SETTINGS
@given(instances, st.integers(0, 5))
def test_forcing_a_building_in_never_improves(inst, which):
    c, p = make(*inst, objective="max_npv")
    free = optimise(c, p).objective_value
    building = sorted(c.building_id.unique())[which % c.building_id.nunique()]
    try:
        forced = optimise(
            c,
            PortfolioProblem(
                objective="max_npv",
                budget_pln=p.budget_pln,
                gap_rel=0.0,
                programmes=[PROG],
                forced_in_buildings=[building],
            ),
        ).objective_value
    except PortfolioInfeasibleError:  # infeasible: the forced building alone exceeds the budget
        return
    assert forced <= free + 1e-6 * max(1.0, abs(free))
    np.testing.assert_array_less(-np.inf, forced)
