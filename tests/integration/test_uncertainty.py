"""Monte Carlo uncertainty: batched runs equal one-by-one recomputation; sensitivity vs a brute-force estimate."""

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from integration.composite import AggregateSpec, CompositeInputError, aggregate_tree, normalise, run_pipeline
from integration.uncertainty import DEFAULT_NORMALISATIONS, UncertaintySpec, run_uncertainty
from tests.integration.asem_data import EXAMPLE_CONFIG, asem_data, asem_meta


@cache
def _asem():
    return run_pipeline(asem_data(), asem_meta(), EXAMPLE_CONFIG)


@cache
def _mc(n_runs=400, seed=5):
    return run_uncertainty(_asem(), UncertaintySpec(n_runs=n_runs, seed=seed, chunk_runs=64))


def test_no_noise_single_choice_reproduces_nominal():
    r = _asem()
    spec = UncertaintySpec(
        n_runs=8,
        weight_noise=0.0,
        normalisations=({"method": "minmax", "range": [0, 100]},),
        aggregations=("arithmetic",),
    )
    u = run_uncertainty(r, spec)
    assert_allclose(u.run_scores, np.tile(r.scores["Index"].to_numpy(), (8, 1)), rtol=0, atol=1e-12)
    assert u.sensitivity is None and u.factors == []
    assert (u.ranks["p05"] == u.ranks["nominal"]).all()


MIXED = {"method": "arithmetic", "per_level": {4: "harmonic"}}
NO_IMPUTE = {"denominate": {}, "screen": {"min_availability": 0.9}, "treat": {}}


@pytest.mark.parametrize(
    ("config", "aggregations", "target"),
    [
        (None, ("arithmetic", "geometric"), "Index"),  # complete data, one mean: collapsed-tree path
        (None, ("geometric", MIXED), "Index"),  # mixed means: level-by-level path
        (NO_IMPUTE, ("arithmetic", "harmonic"), "Index"),  # missing values kept: level-by-level path
        (NO_IMPUTE, ("arithmetic", "geometric"), "Sust"),
    ],
)
def test_batched_runs_equal_one_by_one_recomputation(config, aggregations, target):
    r = _asem() if config is None else run_pipeline(asem_data(), asem_meta(), config)
    spec = UncertaintySpec(
        n_runs=60, seed=11, chunk_runs=16, aggregations=aggregations, target=target, sensitivity=False
    )
    u = run_uncertainty(r, spec)
    x = r.pre_normalised[r.tree.indicators]
    targets = pd.to_numeric(r.tree.nodes["Target"], errors="coerce")
    for run in (0, 1, 2, 3, 31, 59):  # independent path: full tree aggregation with this run's weights
        norm = DEFAULT_NORMALISATIONS[u.run_choices.at[run, "normalisation"]]
        params = {k: v for k, v in norm.items() if k != "method"}
        z = normalise(x, r.tree.nodes["Direction"], norm["method"], params, None, targets)
        tree = r.tree.with_weights(u.run_weights.loc[run].to_dict())
        agg = aggregations[u.run_choices.at[run, "aggregation"]]
        spec_g = (
            AggregateSpec(agg) if isinstance(agg, str) else AggregateSpec(agg["method"], agg["per_level"])
        )
        expected = aggregate_tree(z, tree, spec_g)[target]
        assert_allclose(u.run_scores[run], expected, rtol=1e-12)
    assert u.run_choices.nunique().to_dict() == {"normalisation": 2, "aggregation": 2}


def test_weights_stay_within_noise_band():
    u = _mc()
    ratio = u.run_weights / _asem().tree.nodes["Weight"]
    assert ratio.min().min() >= 0.75 and ratio.max().max() <= 1.25
    assert 0.2 < u.run_choices["aggregation"].mean() < 0.8


def test_intervals_are_ordered_and_ranks_valid():
    u = _mc()
    assert (u.scores["p05"] <= u.scores["median"]).all() and (u.scores["median"] <= u.scores["p95"]).all()
    assert u.ranks["best"].min() == 1 and u.ranks["worst"].max() <= 51
    assert (u.ranks["best"] <= u.ranks["p05"]).all() and (u.ranks["p95"] <= u.ranks["worst"]).all()
    assert u.n_evaluations == 400 * 5


def test_first_order_matches_brute_force_conditional_variance():
    u = _mc(n_runs=3000)  # Monte Carlo error of both estimates ~0.02 at this size
    y = pd.DataFrame(u.run_scores)
    total_var = y.var(ddof=0).sum()
    for factor in ("normalisation", "aggregation"):
        cond_mean = y.groupby(u.run_choices[factor].to_numpy()).transform("mean")
        brute = cond_mean.var(ddof=0).sum() / total_var  # Var(E[Y | factor]) / Var(Y), summed over units
        assert_allclose(u.sensitivity.at[factor, "first_order"], brute, atol=0.05)
    assert (u.sensitivity["total"] >= u.sensitivity["first_order"] - 0.05).all()
    assert u.sensitivity["first_order"].sum() <= 1.05


def test_only_aggregation_varies_explains_all_variance():
    spec = UncertaintySpec(n_runs=2000, weight_noise=0.0, normalisations=(DEFAULT_NORMALISATIONS[0],), seed=2)
    u = run_uncertainty(_asem(), spec)
    assert u.factors == ["aggregation"]
    assert_allclose(u.sensitivity.loc["aggregation"].to_numpy(), [1.0, 1.0], atol=0.05)


def test_bad_uncertainty_inputs():
    with pytest.raises(CompositeInputError, match="normalisations\\[0\\]"):
        run_uncertainty(_asem(), UncertaintySpec(n_runs=10, normalisations=({"method": "minmax"},)))
    with pytest.raises(CompositeInputError, match="key 'target.LPI'"):
        run_uncertainty(_asem(), UncertaintySpec(n_runs=10, target="LPI"))
    with pytest.raises(CompositeInputError, match="key 'aggregate.method'"):
        run_uncertainty(_asem(), UncertaintySpec(n_runs=10, aggregations=("median",)))
