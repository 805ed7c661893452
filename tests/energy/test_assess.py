"""Assessment chain: wiring, totals, provenance, bad input."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy import ENGINE_VERSION
from energy.assess import AssessmentParams, assess_buildings
from energy.climate import load_station
from energy.errors import EnergyInputError, OutsideClimateError, ParameterError, UnknownSystemError

NO_PV = AssessmentParams(include_pv=False)


def inventory(n=6):
    types = ["school", "office", "kindergarten", "healthcare", "sports_hall", "social_housing"]
    systems = ["gas_boiler", "district_heating", "coal_boiler", "heat_pump_air", "biomass_boiler", "electric"]
    return pd.DataFrame(
        {
            "building_id": [f"B{i}" for i in range(n)],
            "name": [f"building {i}" for i in range(n)],
            "building_type": [types[i % 6] for i in range(n)],
            "construction_year": [1965 + 9 * (i % 6) for i in range(n)],
            "heated_area_m2": [1500.0 + 300 * i for i in range(n)],
            "storeys": [1 + i % 4 for i in range(n)],
            "heating_system": [systems[i % 6] for i in range(n)],
            "lat": [52.23, 52.25, np.nan, 50.06, 52.2, 52.3][:n],
            "lon": [21.01, 20.95, np.nan, 19.94, 21.1, 21.0][:n],
        }
    )


def test_chain_totals_and_provenance():
    progress = []
    r = assess_buildings(inventory(), city_lat=52.23, city_lon=21.01, params=NO_PV,
                         progress=lambda f, m: progress.append(f))  # fmt: skip
    b = r.buildings
    assert list(b["building_id"]) == [f"B{i}" for i in range(6)]
    assert set(b["climate_station_id"]) == {"123750", "125660"}  # Krakow for the one at 50.06 N
    carriers_sum = b[[c for c in b if c.startswith("final_") and c.endswith("_kwh_per_year")]].sum(axis=1)
    uses = (b["heating_need_kwh_per_year"] + b["dhw_need_kwh_per_year"]) > 0
    assert uses.all() and (carriers_sum > b["lighting_kwh_per_year"]).all()
    assert_allclose(r.totals["co2_t_per_year"], b["co2_t_per_year"].sum())
    assert_allclose(r.totals_by_type["heated_area_m2"].sum(), b["heated_area_m2"].sum())
    assert r.meta["engine_version"] == ENGINE_VERSION and r.meta["climate"][0]["source"].startswith("MIiR")
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert all("u_wall_w_m2k: era of construction_year" in d for d in b["defaults_used"])
    # heat pump building: heating final energy is electricity, need / (2.6 x 0.9 x 0.89), beside the
    # lighting, equipment, cooling and auxiliary (fans, pumps) electricity
    hp = b.iloc[3]
    assert hp["final_gas_kwh_per_year"] == 0
    assert_allclose(hp["final_electricity_kwh_per_year"] - hp["lighting_kwh_per_year"] - hp["equipment_kwh_per_year"]
                    - hp["cooling_need_kwh_per_year"] / 3.0 - hp["auxiliary_electricity_kwh_per_year"],
                    hp["heating_need_kwh_per_year"] / (2.6 * 0.9 * 0.89) + hp["dhw_need_kwh_per_year"] / (2.6 * 0.68),
                    rtol=1e-9)  # fmt: skip


def test_grid_factor_and_price_parameters_change_results():
    base = assess_buildings(inventory(), city_lat=52.23, city_lon=21.01, params=NO_PV).buildings
    p = AssessmentParams(include_pv=False, grid_co2_kg_per_kwh=0.0, prices_pln_per_kwh={"electricity": 2.0})
    alt = assess_buildings(inventory(), city_lat=52.23, city_lon=21.01, params=p).buildings
    non_el = base[[f"final_{c}_kwh_per_year" for c in ("coal", "gas", "oil", "district_heat")]]
    co2_no_el = (non_el.to_numpy() @ np.array([0.3406, 0.2020, 0.2668, 0.36])) / 1000
    assert_allclose(alt["co2_t_per_year"], co2_no_el, rtol=1e-9)
    assert (alt["cost_pln_per_year"] > base["cost_pln_per_year"]).all()
    with pytest.raises(ParameterError, match="unknown carrier 'steam'"):
        assess_buildings(inventory(), city_lat=52.23, city_lon=21.01,
                         params=AssessmentParams(include_pv=False, prices_pln_per_kwh={"steam": 1.0}))  # fmt: skip


def test_outside_poland_names_buildings():
    inv = inventory()
    inv.loc[1, ["lat", "lon"]] = [52.52, 13.40]  # Berlin
    with pytest.raises(OutsideClimateError, match="B1") as exc:
        assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV)
    assert exc.value.building_ids == ["B1"]
    # with a user climate the same inventory is accepted
    r = assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV, climate=load_station("123750"))
    assert len(r.buildings) == 6


def test_bad_input_named():
    inv = inventory()
    inv.loc[2, "heating_system"] = "steam_engine"
    with pytest.raises(UnknownSystemError, match="'B2'.*heating_system.*steam_engine"):
        assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV)
    inv = inventory()
    inv.loc[4, "building_type"] = "castle"
    with pytest.raises(EnergyInputError, match="'B4'.*building_type"):
        assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV)
    inv = inventory().assign(roof_tilt_deg=[10, 95, 0, 0, 0, 0])
    with pytest.raises(EnergyInputError, match="'B1'.*roof_tilt_deg"):
        assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV)


def test_calibration_warning_names_building():
    inv = inventory().assign(
        metered_year=2022, metered_gas_kwh=[3.0e6, np.nan, np.nan, np.nan, np.nan, np.nan]
    )
    r = assess_buildings(inv, city_lat=52.23, city_lon=21.01, params=NO_PV)
    w = [x for x in r.warnings if x["field"] == "metered_gas_kwh"]
    assert len(w) == 1 and w[0]["building_id"] == "B0"
    # calibration applied (issue 11 s.2): without degree days for 2022 the meter is taken as it is, and
    # that is a warning, not a silent factor of 1
    b0 = r.buildings.loc[0]
    assert_allclose(b0["final_gas_kwh_per_year"], 3.0e6, rtol=1e-9)
    assert_allclose(b0["calibration_factor_gas"], 1 / b0["model_to_meter_gas"], rtol=1e-9)
    assert any(x["field"] == "metered_year" and x["building_id"] == "B0" for x in r.warnings)


def test_pv_columns_when_pv_module_present():
    pytest.importorskip("energy.pv")
    r = assess_buildings(inventory(3), city_lat=52.23, city_lon=21.01)
    b = r.buildings
    assert {"pv_capacity_kwp", "pv_yield_kwh_per_year", "pv_self_consumed_kwh_per_year"} <= set(b.columns)
    spec = b["pv_yield_kwh_per_year"] / b["pv_capacity_kwp"]
    assert ((spec > 850) & (spec < 1250)).all()  # Polish rooftop ~990 (870-1100) kWh/kWp, PARAMETERS.md s.7
    assert "PVGIS-SARAH3" in r.meta["pv_climate"]


def test_installed_pv_replaces_grid_electricity_and_earns_export():
    """An installed array's self-consumption comes off grid electricity (w = 0 on site); its export
    is valued at the net-billing price and does not lower primary energy."""
    without = inventory(3).assign(existing_pv_kwp=0.0)
    with_pv = without.assign(existing_pv_kwp=[0.0, 30.0, 80.0])
    a = assess_buildings(without, city_lat=52.23, city_lon=21.01).buildings
    b = assess_buildings(with_pv, city_lat=52.23, city_lon=21.01).buildings
    own_use = b["pv_existing_self_consumed_kwh_per_year"].to_numpy()
    assert own_use[0] == 0 and own_use[1] > 0 and own_use[2] > own_use[1]
    exported = b["pv_existing_exported_kwh_per_year"].to_numpy()
    assert_allclose(own_use + exported, b["pv_existing_yield_kwh_per_year"], rtol=1e-9)
    assert_allclose(
        a["final_electricity_kwh_per_year"] - b["final_electricity_kwh_per_year"],
        own_use,
        rtol=1e-9,
        atol=1e-6,
    )
    meta = assess_buildings(with_pv, city_lat=52.23, city_lon=21.01).meta
    factors = {f["carrier"]: f for f in meta["carrier_factors"]}  # the factors the result records
    el_price = factors["electricity"]["price_pln_per_kwh"]
    # export (spread evenly over the months): mean of the twelve RCEm 2024 months (PSE, PLN/MWh) x 1.23 for
    # the 30 kW micro-installation, x 1 for the 80 kW one (not a micro-installation)
    rcem = np.mean(
        [437.02, 324.25, 249.12, 253.69, 255.59, 330.47, 283.59, 241.94, 222.62, 289.92, 399.04, 468.28]
    )
    rcem /= 1000
    expected_cost_drop = own_use * el_price + exported * rcem * np.array([1.23, 1.23, 1.0])
    assert_allclose(a["cost_pln_per_year"] - b["cost_pln_per_year"], expected_cost_drop, rtol=1e-9, atol=1e-6)
    expected_primary_drop = own_use * factors["electricity"]["w_primary"]
    assert_allclose(
        a["primary_nonrenewable_kwh_per_year"] - b["primary_nonrenewable_kwh_per_year"],
        expected_primary_drop,
        rtol=1e-9,
        atol=1e-6,
    )
