"""Measure catalogue: WT 2021 targets, sources on every row, overrides and bad input."""

import numpy as np
import pytest

from energy.measures import MeasureCatalogueError, load_catalogue


def test_catalogue_targets_are_wt2021_and_every_row_has_a_source():
    m = load_catalogue().measures
    # WT 2021 (Dz.U. 2022 poz. 1225 zal. 2): wall 0.20, roof 0.15, window 0.9 W/(m2 K)
    np.testing.assert_allclose(
        m.loc[["wall_insulation", "roof_insulation", "window_replacement"], "target_u_w_m2k"],
        [0.20, 0.15, 0.9],
    )
    assert m["source"].str.len().min() > 10
    assert m["year"].between(2000, 2030).all()
    assert {"heat_pump_air", "heat_pump_ground", "district_heat", "pv", "led", "bms"} <= set(m.index)
    assert (m["lifetime_years"] > 0).all()


def test_override_and_cost():
    cat = load_catalogue(overrides={"pv": {"unit_cost_pln": 3600}})
    assert cat.cost_pln("pv", 10.0) == pytest.approx(36_000.0)
    assert cat.measures.at["pv", "source"] == "per-request override"
    bms = load_catalogue().measures.loc["bms"]
    assert load_catalogue().cost_pln("bms", 1000.0) == pytest.approx(
        bms.fixed_cost_pln + 1000 * bms.unit_cost_pln
    )


def test_extra_measure_added():
    cat = load_catalogue(
        extra_measures=[
            {
                "measure_id": "solar_thermal",
                "category": "custom",
                "cost_basis": "per_building",
                "unit_cost_pln": 80_000,
                "lifetime_years": 20,
            }
        ]
    )
    assert cat.cost_pln("solar_thermal", 1.0) == pytest.approx(80_000)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"overrides": {"pv": {"unit_cost_pln": "cheap"}}}, "'pv', field 'unit_cost_pln'.*not a number"),
        ({"overrides": {"pv": {"lifetime_years": -5}}}, "'pv', field 'lifetime_years'.*> 0"),
        ({"overrides": {"nope": {"unit_cost_pln": 1}}}, "unknown measure 'nope'"),
        ({"overrides": {"pv": {"colour": 1}}}, "unknown field 'colour'"),
        ({"extra_measures": [{"measure_id": "x"}]}, "missing fields"),
        ({"parameter_overrides": {"pv_max_kwp": "lots"}}, "pv_max_kwp.*not a number"),
    ],
)
def test_bad_input_names_the_field(kwargs, match):
    with pytest.raises(MeasureCatalogueError, match=match):
        load_catalogue(**kwargs)
