"""District heat by network (issue 11 s.6): w_i per network type from Dz.U. 2023 poz. 697 zal. 1 tab. 1."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy.assess import AssessmentParams, assess_buildings
from energy.errors import ParameterError


def _dh_buildings(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "building_id": ["DH1", "DH2", "GAS"],
            "building_type": ["school", "office", "school"],
            "construction_year": [1975, 1988, 1975],
            "heated_area_m2": [2400.0, 1800.0, 2400.0],
            "storeys": [3, 2, 3],
            "heating_system": ["district_heating", "district_heating", "gas_boiler"],
            "dhw_system": ["district_heating", "district_heating", "gas_boiler"],
        }
    )
    return frame.assign(**columns)


def _run(frame, **params):
    return assess_buildings(
        frame, city_lat=52.23, city_lon=21.01, params=AssessmentParams(include_pv=False, **params)
    ).buildings.set_index("building_id")


def test_heat_only_coal_network_uses_the_regulations_w():
    """Dz.U. 2023 poz. 697 tab. 1: heat-only hard-coal plant w = 1.30 (CHP coal/gas 0.80).

    Hand calculation: EP_H+W x A = (E_heating + E_DHW) x w + E_aux x w_el (2.5, the fans and pumps),
    with the building's own final energy.
    """
    base = _run(_dh_buildings())
    coal = _run(_dh_buildings(district_heat_network=["heat_only_coal", None, None]))
    dh1 = coal.loc["DH1"]
    aux = dh1["auxiliary_electricity_kwh_per_year"] * 2.5
    assert aux > 0
    assert_allclose(
        dh1["ep_hw_kwh_per_m2_year"] * 2400.0, dh1["heating_dhw_final_kwh_per_year"] * 1.30 + aux, rtol=1e-9
    )
    base_heat = base.loc["DH1", "ep_hw_kwh_per_m2_year"] * 2400.0 - aux
    assert_allclose((dh1["ep_hw_kwh_per_m2_year"] * 2400.0 - aux) / base_heat, 1.30 / 0.80, rtol=1e-9)
    assert_allclose(dh1["co2_t_per_year"] - base.loc["DH1", "co2_t_per_year"],
                    dh1["final_district_heat_kwh_per_year"] * (0.43 - 0.36) / 1000, rtol=1e-9)  # fmt: skip
    assert dh1["district_heat_factor_source"] == "building network heat_only_coal"
    assert_allclose(coal.loc["DH2", "ep_hw_kwh_per_m2_year"], base.loc["DH2", "ep_hw_kwh_per_m2_year"])
    assert coal.loc["DH2", "district_heat_w_primary"] == 0.8


def test_assessment_network_and_building_declared_values_take_precedence():
    """Supplier-declared w_i take precedence over the table (Dz.U. 2015 poz. 376 as summarised in [R6])."""
    out = _run(
        _dh_buildings(district_heat_w_primary=[0.55, None, None]), district_heat_network="heat_only_gas"
    )
    assert out.loc["DH1", "district_heat_w_primary"] == 0.55
    assert out.loc["DH1", "district_heat_factor_source"] == "building declared values"
    assert out.loc["DH2", "district_heat_w_primary"] == 1.2
    assert out.loc["DH2", "district_heat_factor_source"] == "assessment network heat_only_gas"
    gas = out.loc["GAS"]  # a gas boiler is untouched by the network
    assert_allclose(
        gas["ep_hw_kwh_per_m2_year"] * 2400.0,
        gas["heating_dhw_final_kwh_per_year"] * 1.1 + gas["auxiliary_electricity_kwh_per_year"] * 2.5,
        rtol=1e-9,
    )


@pytest.mark.parametrize(
    ("columns", "params", "needle"),
    [
        (
            {"district_heat_network": ["coal_chp", None, None]},
            {},
            "row 0 (building 'DH1'), field district_heat_network",
        ),
        ({"district_heat_network": [None, "waste_heat", None]}, {}, "row 1 (building 'DH2')"),
        ({"district_heat_w_primary": [None, "high", None]}, {}, "field district_heat_w_primary"),
        ({"district_heat_co2_kg_per_kwh": [-1.0, None, None]}, {}, "field district_heat_co2_kg_per_kwh"),
        ({}, {"district_heat_network": "peat"}, "district_heat_network: unknown network type"),
    ],
)
def test_bad_network_inputs_name_the_row_and_field(columns, params, needle):
    with pytest.raises(ParameterError, match=None) as err:
        _run(_dh_buildings(**columns), **params)
    assert needle in str(err.value)


def test_waste_heat_with_declared_w_is_accepted():
    out = _run(
        _dh_buildings(
            district_heat_network=["waste_heat", None, None], district_heat_w_primary=[0.1, None, None]
        )
    )
    assert out.loc["DH1", "district_heat_w_primary"] == 0.1
