"""Degree-day normalisation by hand."""

from numpy.testing import assert_allclose

from energy.calibration import weather_normalise


def test_weather_normalise_by_hand():
    # 80 % weather dependent, metered year 10 % warmer (HDD 2500 vs typical 2775)
    assert_allclose(weather_normalise(100_000, 0.8, 2500, 2775), 100_000 * (0.8 * 2775 / 2500 + 0.2))
    assert_allclose(weather_normalise([50.0], [0.0], [2000], [3000]), [50.0])  # not weather dependent


# --- issue 11 s.2: calibration applied to the baseline and to the packages' savings --------------------

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from energy.assess import AssessmentParams, assess_buildings  # noqa: E402
from energy.carriers import system_table  # noqa: E402
from energy.climate import load_station, monthly_climate  # noqa: E402
from energy.measures import load_catalogue  # noqa: E402
from energy.packages import generate_candidates  # noqa: E402

SCHOOL = {
    "building_id": ["S1"], "building_type": ["school"], "construction_year": [1975],
    "heated_area_m2": [2400.0], "storeys": [3], "heating_system": ["gas_boiler"], "dhw_system": ["gas_boiler"],
    "u_wall_w_m2k": [1.16], "u_roof_w_m2k": [0.9], "u_window_w_m2k": [2.6], "existing_pv_kwp": [0.0],
}  # fmt: skip
NO_PV = {"include_pv": False}


def _assess(frame, **params):
    return assess_buildings(
        frame, city_lat=52.23, city_lon=21.01, params=AssessmentParams(**{**NO_PV, **params})
    )


def test_metered_baseline_equals_the_normalised_meter_by_hand():
    """Baseline gas = E_meter (s HDD_typ / HDD_year + 1 - s), s = the model's space-heating share of gas.

    Hand calculation from the uncalibrated model's own final energies and the station's typical HDD;
    cost and CO2 follow the calibrated gas (0.30 PLN/kWh, 0.202 kg/kWh in carriers.csv).
    """
    model = _assess(pd.DataFrame(SCHOOL)).buildings.iloc[0]
    station = model["climate_station_id"]
    hdd_typ = monthly_climate(load_station(station))["hdd_15_k_day"].sum()
    meter, hdd_2023 = 0.75 * model["final_gas_kwh_per_year"], 3410.0  # metered 25 % below the model
    gas = system_table().loc["gas_boiler"]
    dhw_final = model["dhw_need_kwh_per_year"] / (gas["eta_gen_dhw"] * gas["eta_dhw_storage_dist"])
    s_model = 1 - dhw_final / model["final_gas_kwh_per_year"]  # gas is heating + DHW only here
    assert 0.5 < s_model < 1.0
    r = _assess(
        pd.DataFrame(SCHOOL).assign(metered_year=2023, metered_gas_kwh=meter), hdd_by_year={2023: hdd_2023}
    )
    b = r.buildings.iloc[0]
    expected = meter * (s_model * hdd_typ / hdd_2023 + 1 - s_model)
    assert b["final_gas_kwh_per_year"] == pytest.approx(expected, rel=1e-9)
    assert b["calibration_applied"] and b["calibration_factor_gas"] == pytest.approx(
        expected / model["final_gas_kwh_per_year"]
    )
    d_gas = model["final_gas_kwh_per_year"] - b["final_gas_kwh_per_year"]
    assert model["cost_pln_per_year"] - b["cost_pln_per_year"] == pytest.approx(d_gas * 0.30, rel=1e-9)
    assert model["co2_t_per_year"] - b["co2_t_per_year"] == pytest.approx(d_gas * 0.202 / 1000, rel=1e-9)
    assert not any(w["field"] == "metered_year" for w in r.warnings)


def test_nullable_integer_metered_year_as_the_service_sends_it():
    """The service hands metered_year as a nullable Int64 column; a missing year is pd.NA, not NaN."""
    two = pd.concat(
        [pd.DataFrame(SCHOOL), pd.DataFrame(SCHOOL).assign(building_id=["S2"])], ignore_index=True
    )
    given = two.assign(metered_year=pd.array([2023, None], dtype="Int64"), metered_gas_kwh=[2.0e5, 2.0e5])
    as_float = two.assign(metered_year=[2023.0, np.nan], metered_gas_kwh=[2.0e5, 2.0e5])
    r, ref = _assess(given, hdd_by_year={2023: 3410.0}), _assess(as_float, hdd_by_year={2023: 3410.0})
    assert_allclose(r.buildings["final_gas_kwh_per_year"], ref.buildings["final_gas_kwh_per_year"], rtol=0)
    assert [w["building_id"] for w in r.warnings if w["field"] == "metered_year"] == ["S2"]


def test_package_savings_shrink_by_the_calibration_factor():
    """A package's gas saving = model saving x meter/model factor, and never exceeds the calibrated baseline."""
    frame = pd.DataFrame(SCHOOL)
    metered = frame.assign(metered_year=2023, metered_gas_kwh=1.0e6)
    params = AssessmentParams(include_pv=False, hdd_by_year={2023: 3000.0})
    plain = generate_candidates(frame, assess_buildings, load_catalogue(), 52.23, 21.01, params=params)
    cal = generate_candidates(metered, assess_buildings, load_catalogue(), 52.23, 21.01, params=params)
    factor = _assess(metered, hdd_by_year={2023: 3000.0}).buildings.iloc[0]["calibration_factor_gas"]
    assert abs(factor - 1) > 0.05
    p, c = plain.set_index("package_id"), cal.set_index("package_id")
    np.testing.assert_allclose(
        c["savings_gas_kwh_per_year"], p["savings_gas_kwh_per_year"] * factor, rtol=1e-9
    )
    assert (c["savings_gas_kwh_per_year"] <= c["baseline_final_energy_kwh_per_year"] + 1e-6).all()
