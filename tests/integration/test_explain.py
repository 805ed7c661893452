"""Explanation: contributions add up, marginal effects equal finite differences through the tree."""

from functools import cache

import numpy as np
import pytest
from numpy.testing import assert_allclose

from integration.composite import CompositeInputError, aggregate_tree, normalise, run_pipeline
from integration.explain import contributions, explain_unit, indicator_ranks, marginal_effects, marginal_table
from tests.integration.asem_data import EXAMPLE_CONFIG, asem_data, asem_meta

GEOMETRIC = {
    "denominate": {},
    "impute": {"method": "group_mean", "group": "EurAsia_group"},
    "treat": {},
    "normalise": {"method": "minmax", "range": [1, 100]},
    "aggregate": {"method": "arithmetic", "per_level": {3: "geometric", 4: "harmonic"}},
}


@cache
def _result(kind="example"):
    return run_pipeline(asem_data(), asem_meta(), EXAMPLE_CONFIG if kind == "example" else GEOMETRIC)


@pytest.mark.parametrize("kind", ["example", "mixed"])
def test_contributions_sum_to_every_aggregate(kind):
    r = _result(kind)
    for code in ("Index", "Conn", "Social"):
        assert_allclose(contributions(r, code).sum(axis=1), r.scores[code], rtol=1e-12)


def test_arithmetic_contribution_is_effective_weight_times_value():
    r = _result()
    eff = r.tree.effective_weights()["Index"]
    assert_allclose(contributions(r), r.normalised[r.tree.indicators] * eff, rtol=1e-12)


@pytest.mark.parametrize("kind", ["example", "mixed"])
def test_marginal_effects_equal_finite_differences(kind):
    r = _result(kind)
    me = marginal_effects(r)
    h = 1e-6
    for code in ("LPI", "Renew", "NEET"):  # perturb one indicator for all units at once
        bumped = r.normalised.copy()
        bumped[code] += h
        fd = (aggregate_tree(bumped, r.tree, r.config.aggregate)["Index"] - r.scores["Index"]) / h
        assert_allclose(me[code], fd, rtol=1e-5, atol=1e-9)


def test_per_raw_unit_equals_finite_difference_through_minmax():
    r = _result()
    table = marginal_table(r)["per_raw_unit"]
    raw = r.pre_normalised
    for code, unit in (("LPI", "IND"), ("CO2", "FRA")):  # interior units: min and max stay put
        assert raw[code].min() < raw.at[unit, code] < raw[code].max()
        step = 1e-6 * raw[code].std()
        bumped = raw.copy()
        bumped.at[unit, code] += step
        z = normalise(bumped, r.tree.nodes["Direction"], "minmax", {"range": [0, 100]})
        fd = (
            aggregate_tree(z, r.tree, r.config.aggregate).at[unit, "Index"] - r.scores.at[unit, "Index"]
        ) / step
        assert_allclose(table.at[unit, code], fd, rtol=1e-5)
    assert table.at["FRA", "CO2"] < 0  # lower is better


def test_explain_unit_tables():
    r = _result()
    e = explain_unit(r, "IND", group="GDPpc_group", top_n=3)
    assert e.score == r.scores.at["IND", "Index"] and e.rank == 45
    assert_allclose(e.table["contribution"].sum(), e.score, rtol=1e-12)
    by_pillar = e.table.groupby("parent")["contribution_to_parent"].sum()
    assert_allclose(by_pillar, r.scores.loc["IND", by_pillar.index], rtol=1e-12)
    ranks = indicator_ranks(r, "GDPpc_group").loc["IND"]
    assert list(e.strengths["peer_rank"]) == sorted(ranks)[:3]
    assert list(e.weaknesses["peer_rank"]) == sorted(ranks)[::-1][:3]
    free = e.table[r.normalised.loc["IND", r.tree.indicators] < r.normalised[r.tree.indicators].max()]
    assert e.best_lever == free["per_point"].idxmax()
    # one point on an indicator of the 3-indicator Political pillar: 1/2 * 1/5 * 1/3
    assert_allclose(e.table.at["Embs", "per_point"], 1 / 30)


def test_explain_bad_input():
    with pytest.raises(CompositeInputError, match="row 'XXX'"):
        explain_unit(_result(), "XXX")
    with pytest.raises(CompositeInputError, match="key 'Nope'"):
        explain_unit(_result(), "IND", code="Nope")
    with pytest.raises(CompositeInputError, match="key 'region'"):
        explain_unit(_result(), "IND", group="region")
    assert np.isfinite(marginal_table(_result("mixed"))["per_sd"].to_numpy()).all()
