"""Ventilation systems, heat recovery, auxiliary electricity and internal gains (issue 11 §3).

Each expected figure is written out by hand from the method's own equations and the data files'
published values (Dz.U. 2015 poz. 376 eq. 57 and tab. 20/21, EN ISO 13790:2008 eq. 46), not read
back from the engine.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy.assess import AssessmentParams, assess_buildings
from energy.balance import monthly_balance
from energy.errors import EnergyInputError
from energy.typology import apply_defaults, ventilation_defaults
from tests.energy.test_balance import CLIMATE, reference_inputs

NO_PV = AssessmentParams(include_pv=False)
WARSAW = {"city_lat": 52.23, "city_lon": 21.01}


def _buildings(**columns):
    n = max(len(v) for v in columns.values() if isinstance(v, list))
    base = {
        "building_id": [f"b{i}" for i in range(n)], "building_type": "school", "construction_year": 1975,
        "heated_area_m2": 2400.0, "storeys": 3, "heating_system": "gas_boiler",
    }  # fmt: skip
    return pd.DataFrame({**base, **columns})


def test_heat_recovery_scales_the_mechanical_airflow_by_one_minus_eta():
    """H_ve = rho_a c_a ((1 - eta_oc) V_mech + V_inf), Dz.U. 2015 poz. 376 eq. 57 and tab. 21."""
    b = reference_inputs(2)
    b.heat_recovery_efficiency = np.array([0.0, 0.7])
    res = monthly_balance(b, CLIMATE)
    mech = 1.5 * 3.6 * 2000 * 0.25  # l/(s m2) x 3.6 x m2 x occupied share [m3/h]
    inf = 0.6 * 6400
    rho_c = 0.3333  # Wh/(m3 K), EN ISO 13790 eq. 21 (balance_constants.csv)
    assert_allclose(res.h_ve_w_k[0], rho_c * (mech + inf), rtol=1e-12)
    assert_allclose(res.h_ve_w_k[1], rho_c * (0.3 * mech + inf), rtol=1e-12)
    assert res.heating_need_kwh[1].sum() < res.heating_need_kwh[0].sum()


def test_fans_and_pumps_are_the_methodology_table_20_values():
    """Tab. 20: balanced fans 1.30 W/m2 (n > 0.6 1/h) while the building is occupied, an exhaust system
    one of the two fans (0.65), natural none; circulation pumps 0.50 W/m2 x 6700 h wherever heat is
    distributed by water, none for electric room heaters."""
    inv = _buildings(
        ventilation_system=["natural", "exhaust", "balanced_hr", "balanced_hr"],
        heating_system=["gas_boiler", "gas_boiler", "gas_boiler", "electric"],
    )
    r = assess_buildings(inv, **WARSAW, params=NO_PV).buildings
    filled, _ = apply_defaults(inv)
    ach = 1.5 * 3.6 * 2400 / filled["volume_m3"].iloc[0]
    assert ach > 0.6  # the high row of tab. 20 applies
    from energy.typology import schedule_monthly

    occ = schedule_monthly()["occupied_fraction"].loc["school"].to_numpy()
    hours = np.array(CLIMATE["hours"], float)
    occupied_hours = float((occ * hours).sum())
    fans = r["ventilation_fans_kwh_per_year"].to_numpy()
    assert_allclose(fans, [0.0, 0.65 * 2400 * occupied_hours / 1000, 1.30 * 2400 * occupied_hours / 1000,
                           1.30 * 2400 * occupied_hours / 1000], rtol=1e-9)  # fmt: skip
    pumps = r["auxiliary_electricity_kwh_per_year"].to_numpy() - fans
    assert_allclose(pumps, [0.5 * 2400 * 6700 / 1000] * 3 + [0.0], rtol=1e-9)
    # auxiliary electricity counts in EP_H+W at w_el = 2.5 (Dz.U. 2023 poz. 697)
    gas = r.iloc[2]
    assert_allclose(
        gas["ep_hw_kwh_per_m2_year"] * 2400,
        gas["heating_dhw_final_kwh_per_year"] * 1.1 + gas["auxiliary_electricity_kwh_per_year"] * 2.5,
        rtol=1e-9,
    )


def test_internal_gains_are_the_occupants_plus_the_electricity_the_model_charges():
    """Q_int = occupants' sensible heat (typology_usage.csv) + lighting + equipment electricity; LED cuts the
    gains by exactly the lighting electricity it saves, and the heating need rises (interaction)."""
    inv = _buildings(building_type=["office", "office"], led_lighting=[False, True])
    r = assess_buildings(inv, **WARSAW, params=NO_PV).buildings
    from energy.typology import schedule_monthly

    occ = schedule_monthly()["occupied_fraction"].loc["office"].to_numpy()
    hours = np.array(CLIMATE["hours"], float)
    occupants = 2400 * 4.0 * float((occ * hours).sum()) / 1000  # 4 W/m2 in occupied hours, 0 otherwise
    electric = r["lighting_kwh_per_year"] + r["equipment_kwh_per_year"]
    assert_allclose(r["internal_gains_kwh_per_year"], occupants + electric, rtol=1e-9)
    saved = r["lighting_kwh_per_year"].iloc[0] - r["lighting_kwh_per_year"].iloc[1]
    assert_allclose(
        r["internal_gains_kwh_per_year"].iloc[0] - r["internal_gains_kwh_per_year"].iloc[1], saved
    )
    assert r["heating_need_kwh_per_year"].iloc[1] > r["heating_need_kwh_per_year"].iloc[0]


def test_typology_gives_each_era_its_ventilation():
    system, eta = ventilation_defaults(
        ["school", "school", "healthcare", "school", "social_housing", "school", "social_housing"],
        [1970, 2010, 2010, 2016, 2016, 2023, 2023],
    )
    assert list(system) == [
        "natural",
        "natural",
        "balanced_hr",
        "balanced_hr",
        "natural",
        "balanced_hr",
        "exhaust",
    ]
    assert_allclose(eta, [0, 0, 0.5, 0.6, 0, 0.7, 0])
    assert eta[3] >= 0.5  # WT par. 151: >= 50 % recovery from 2014


def test_given_ventilation_wins_and_an_efficiency_alone_means_a_recovery_unit():
    inv = _buildings(
        construction_year=[1975, 1975, 2023, 1975],
        ventilation_system=["balanced_hr", None, "natural", "balanced_hr"],
        heat_recovery_efficiency=[0.85, 0.6, None, None],
    )
    filled, notes = apply_defaults(inv)
    assert list(filled["ventilation_system"]) == ["balanced_hr", "balanced_hr", "natural", "balanced_hr"]
    assert_allclose(filled["heat_recovery_efficiency"], [0.85, 0.6, 0.0, 0.7])
    assert "heat_recovery_efficiency: typology default (type and era)" in notes[3]
    assert not any(n.startswith("ventilation_system") for n in notes[0])


@pytest.mark.parametrize(
    ("columns", "needle"),
    [
        ({"ventilation_system": ["wind_catcher"]}, "field ventilation_system: 'wind_catcher'"),
        ({"heat_recovery_efficiency": [1.2]}, "field heat_recovery_efficiency: 1.2 outside 0..0.95"),
        (
            {"ventilation_system": ["natural"], "heat_recovery_efficiency": [0.7]},
            "needs ventilation_system balanced_hr",
        ),
    ],
)
def test_bad_ventilation_input_names_the_building_and_field(columns, needle):
    with pytest.raises(EnergyInputError, match="building 'b0'") as err:
        apply_defaults(_buildings(**columns))
    assert needle in str(err.value)


def test_issue_example_new_school_with_gas_meets_its_limit_within_15_percent():
    """A school built in 2023 with a gas boiler had to be designed to the WT 2021 EP_H+W limit of 45
    (par. 329): it lands within 15 % of it (before heat recovery it came out at 73)."""
    r = assess_buildings(_buildings(construction_year=[2023]), **WARSAW, params=NO_PV).buildings
    ep = float(r["ep_hw_kwh_per_m2_year"].iloc[0])
    assert r["ventilation_system"].iloc[0] == "balanced_hr"
    assert abs(ep - 45.0) <= 0.15 * 45.0, ep


def test_airtight_new_buildings_leak_what_n50_and_the_methodology_give():
    """Dz.U. 2015 poz. 376 tab. 21 (EN ISO 13789 annex B): V_x = V n50 e / (1 + (f/e) ((V_su - V_ex) /
    (V n50))^2), e 0.07, f 15, with the WT 2021 zal. 2 pkt 2.3.3 airtightness n50 1.5 1/h (mechanical)
    and 3.0 1/h (natural). Balanced flows leave V n50 e; an exhaust fan pulls its make-up air through
    the envelope while it runs. Older eras keep their era infiltration (0.6 1/h before 1967)."""
    inv = _buildings(
        building_id=["bal", "exh", "nat", "old"], construction_year=[2023, 2023, 2023, 1960],
        ventilation_system=["balanced_hr", "exhaust", "natural", "balanced_hr"],
        heat_recovery_efficiency=[0.7, None, None, 0.7],
    )  # fmt: skip
    filled, notes = apply_defaults(inv)
    ach = filled["infiltration_ach"].to_numpy()
    volume = 2400 * (3.5 - 0.3)  # heated area x clear height of the school type [m3]
    from energy.typology import occupied_fraction

    occ = float(occupied_fraction(["school"])[0])
    exhaust_m3_h = 1.5 * 3.6 * 2400  # the school's hygienic airflow [m3/h]
    running = volume * 1.5 * 0.07 / (1 + 15 / 0.07 * (exhaust_m3_h / (volume * 1.5)) ** 2)
    assert_allclose(ach[0], 1.5 * 0.07, rtol=1e-12)  # 0.105 1/h, was the era's 0.2
    assert_allclose(ach[1], (occ * running + (1 - occ) * volume * 1.5 * 0.07) / volume, rtol=1e-12)
    assert_allclose(ach[2], 3.0 * 0.07, rtol=1e-12)
    assert_allclose(ach[3], 0.6)  # no n50 rule before 2021: the era's leakage stays
    assert any("n50" in n for n in notes[0]) and not any("n50" in n for n in notes[3])


# Typical new buildings of every type, with the heat source they are commonly built with: gas boilers
# for schools, offices, clinics and other public buildings; district heat for kindergartens, culture,
# social housing and sports halls (the combinations issue 11 measured).
NEW_BUILDINGS = [
    ("school", "gas_boiler"),
    ("office", "gas_boiler"),
    ("other", "gas_boiler"),
    ("healthcare", "gas_boiler"),
    ("culture", "district_heating"),
    ("kindergarten", "district_heating"),
    ("social_housing", "district_heating"),
    pytest.param(
        "sports_hall", "district_heating",
        marks=pytest.mark.xfail(
            strict=True,
            reason="open (issue 11 s.3): a one-storey hall at the WT 2021 U-values, its DHW (1.2 l/(m2 day) "
            "every day, ENG) and airflow (1.2 l/(s m2), ENG) land about 60 % above 45; no sourced sports-hall "
            "DHW or airflow default was found offline, and the PV and solar heat such halls are designed "
            "with are not credited in EP",
        ),
    ),
]  # fmt: skip


def test_the_new_building_cases_cover_every_building_type():
    from energy.typology import BUILDING_TYPES

    covered = {c.values[0] if hasattr(c, "values") else c[0] for c in NEW_BUILDINGS}
    assert covered == set(BUILDING_TYPES)


@pytest.mark.parametrize(("building_type", "heating_system"), NEW_BUILDINGS)
def test_new_buildings_built_to_wt_2021_do_not_exceed_their_limit_by_more_than_15_percent(
    building_type, heating_system
):
    """WT 2021 par. 329 caps EP_H+W (45 for public buildings, 65 for multi-family housing, 190 for
    healthcare); a building designed to it, with the typology defaults of 2023 and a common compliant heat
    source, is at most 15 % above the cap. The cap is a ceiling: landing under it is what a design does
    (an office with high internal gains does), but not far under it for a 45 or 65 cap (at least half of
    it); a clinic is far under the 190 that hospitals with their DHW are allowed."""
    storeys = 1 if building_type == "sports_hall" else 3
    inv = _buildings(
        building_type=[building_type], construction_year=[2023], heating_system=[heating_system],
        storeys=[storeys],
    )  # fmt: skip
    r = assess_buildings(inv, **WARSAW, params=NO_PV).buildings.iloc[0]
    ep, limit = r["ep_hw_kwh_per_m2_year"], r["ep_limit_kwh_per_m2_year"]
    assert ep <= 1.15 * limit, (building_type, ep, limit)
    assert ep >= (0.15 if building_type == "healthcare" else 0.5) * limit, (building_type, ep, limit)


def test_heat_recovery_measure_saves_heat_and_costs_fan_electricity():
    from energy.measures import load_catalogue
    from energy.packages import generate_candidates

    inv = _buildings(building_id=["old", "new"], construction_year=[1975, 2023])
    inv[["u_wall_w_m2k", "u_roof_w_m2k", "u_window_w_m2k", "existing_pv_kwp"]] = np.nan
    c = generate_candidates(inv, assess_buildings, load_catalogue(), **WARSAW, params=NO_PV)
    hr = c[c["package_id"] == "heat_recovery"]
    assert list(hr["building_id"]) == ["old"]  # the 2023 school already recovers heat
    row = hr.iloc[0]
    assert row["savings_gas_kwh_per_year"] > 0 and row["savings_electricity_kwh_per_year"] < 0
    # the electricity it adds is the tab. 20 fan figure for the school (1.30 W/m2 in occupied hours)
    assert_allclose(-row["savings_electricity_kwh_per_year"], _occupied_fan_kwh(2400), rtol=1e-9)


def _occupied_fan_kwh(area):
    from energy.typology import schedule_monthly

    occ = schedule_monthly()["occupied_fraction"].loc["school"].to_numpy()
    return 1.30 * area * float((occ * np.array(CLIMATE["hours"], float)).sum()) / 1000
