"""Thermo-modernisation bonus eligibility against the Act of 21 November 2008 (issue 11 s.1).

Each case is a package a reader of the act would or would not fund; the docstring names the article
that decides it (wording of art. 3 ust. 1 from 12.04.2020, ``energy/data/thermo_act_rules.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energy.measures import load_catalogue
from energy.portfolio.model import eligibility, grant_caps_pln
from energy.portfolio.problem import Programme
from energy.portfolio.thermo_act import rules, thermo_bonus_eligibility

BASE_HW = 200_000.0  # kWh/a of final energy for heating and hot water
BASE_TOTAL = 260_000.0  # kWh/a of all final energy (heating, DHW, lighting, equipment)


def _candidate(measures: str, hw_saved: float, total_saved: float | None = None, pln: float = 10_000.0):
    return {
        "building_id": "b",
        "package_id": measures,
        "measures": measures,
        "capex_pln": 500_000.0,
        "lifetime_years": 25.0,
        "savings_pln_per_year": pln,
        "co2_reduction_t_per_year": 10.0,
        "baseline_heating_dhw_final_kwh_per_year": BASE_HW,
        "heating_dhw_final_savings_kwh_per_year": hw_saved,
        "baseline_final_energy_kwh_per_year": BASE_TOTAL,
        "final_energy_savings_kwh_per_year": hw_saved if total_saved is None else total_saved,
        "baseline_cost_pln_per_year": 100_000.0,
    }


def _judge(*rows):
    frame = pd.DataFrame(list(rows))
    return thermo_bonus_eligibility(frame, load_catalogue().measures)


def test_led_bms_pv_package_is_not_a_thermo_modernisation():
    """Art. 2 pkt 2 lit. a: only works that cut the energy for heating and hot water are an undertaking.

    LED, BMS and PV together save 30 % of all final energy (electricity), but none is such a work,
    and PV is no renewable *heat* source (art. 3 ust. 1 pkt 4), so a reader of the act funds nothing.
    """
    ok, why = _judge(_candidate("led+bms+pv", hw_saved=0.0, total_saved=0.3 * BASE_TOTAL, pln=60_000))
    assert not ok[0]
    assert "art. 2 pkt 2" in why[0]


def test_envelope_package_at_the_required_cut_is_eligible_and_below_is_not():
    """Art. 3 ust. 1 pkt 1 lit. b: an envelope package must cut heating+DHW demand by >= 25 %.

    26 % (52 000 of 200 000 kWh) qualifies; 24 % does not: the act measures the energy for heating
    and hot water, not the building's total final energy.
    """
    ok, why = _judge(
        _candidate("wall_insulation+window_replacement", hw_saved=0.26 * BASE_HW),
        _candidate("wall_insulation", hw_saved=0.24 * BASE_HW),
    )
    assert ok.tolist() == [True, False]
    assert "26.0 % >= 25 %" in why[0] and "lit. b" in why[0]
    assert "24.0 % < 25 %" in why[1]


def test_heat_source_only_needs_ten_percent():
    """Art. 3 ust. 1 pkt 1 lit. a: modernising only the heating system needs a >= 10 % cut.

    District-heat connection alone (a heat-source measure) cutting heating+DHW final energy by 12 %
    qualifies under lit. a; 8 % with only a 5 % heat-cost cut qualifies under nothing.
    """
    ok, why = _judge(
        _candidate("district_heat", hw_saved=0.12 * BASE_HW),
        _candidate("district_heat", hw_saved=0.08 * BASE_HW, pln=5_000.0),
    )
    assert ok.tolist() == [True, False]
    assert "lit. a" in why[0] and ">= 10 %" in why[0]


def test_district_heat_connection_with_heat_cost_cut():
    """Art. 3 ust. 1 pkt 3: a connection replacing a local source qualifies with a >= 20 % heat-cost cut.

    5 % demand cut (below lit. a) but 25 000 of 100 000 PLN/a of heat cost saved = 25 % >= 20 %.
    """
    ok, why = _judge(_candidate("district_heat", hw_saved=0.05 * BASE_HW, pln=25_000.0))
    assert ok[0]
    assert "pkt 3" in why[0]


def test_renewable_heat_source_alternative():
    """Art. 3 ust. 1 pkt 4: replacing the heat source by a renewable one qualifies on its own.

    An air-to-water heat pump replacing a gas boiler whose final heating+DHW energy falls only 5 %
    (a heat pump may even raise it when counted in kWh of electricity) is still fundable.
    """
    ok, why = _judge(_candidate("heat_pump_air", hw_saved=0.05 * BASE_HW, pln=1_000.0))
    assert ok[0]
    assert "pkt 4" in why[0]


def test_programme_grant_is_zero_for_ineligible_and_capped_for_eligible():
    """Art. 3 ust. 1 via the portfolio: the bonus cap is 0 for LED+PV, and the rate x cost otherwise."""
    frame = pd.DataFrame(
        [
            _candidate("led+pv", 0.0, 0.3 * BASE_TOTAL, pln=60_000),
            _candidate("wall_insulation", 0.3 * BASE_HW),
        ]
    )
    prog = Programme("thermo", share_of_eligible_cost=0.26, thermo_bonus_rules=True)
    params = load_catalogue().parameters
    assert eligibility(frame, prog, params).tolist() == [False, True]
    caps = grant_caps_pln(frame, [prog], params)
    np.testing.assert_allclose(caps[:, 0], [0.0, 0.26 * 500_000.0])


def test_every_rule_cites_an_article_and_a_source():
    table = rules()
    assert table["article"].str.contains(r"art\. \d").all()
    assert table["source"].str.len().gt(10).all() and table["year"].astype(int).ge(2008).all()


def test_current_bonus_is_the_share_art_5_ust_1_sets():
    """Art. 5 ust. 1 (t.j. Dz.U. 2022 poz. 438): the bonus is 26 % of the project's cost; the programme row
    carries that share and cites the article, not a press report."""
    from energy.measures import programme_catalogue

    row = programme_catalogue().set_index("programme_id").loc["thermo_bonus_2024"]
    assert float(row["share_of_eligible_cost"]) == 0.26
    assert "art. 5 ust. 1" in row["source"] and "2022 poz. 438" in row["source"] and row["conf"] == "A"


@pytest.mark.parametrize("missing", ["baseline_heating_dhw_final_kwh_per_year"])
def test_audited_variant_without_heating_columns_falls_back_and_says_so(missing):
    """Art. 3 ust. 1 pkt 1 lit. b on total final energy when heating+DHW is not given (audited variant)."""
    row = _candidate("wall_insulation", hw_saved=0.0, total_saved=0.30 * BASE_TOTAL)
    row.pop(missing)
    ok, why = _judge(row)
    assert ok[0] and "total final energy" in why[0]


def test_portfolio_reports_the_rule_and_funds_only_eligible_packages():
    """Art. 2 pkt 2 / art. 3 ust. 1 end to end: a max-CO2 plan gives the bonus only where the act allows.

    Candidates from the real engine for a 1975 gas-heated school and a 1990 office whose only options are
    LED/BMS/PV: every chosen project carries ``grant_rule__thermo``, a positive grant only when that rule
    says eligible, and the office's LED/BMS/PV package gets nothing (art. 2 pkt 2 lit. a).
    """
    from energy.assess import AssessmentParams, assess_buildings
    from energy.packages import generate_candidates
    from energy.portfolio.problem import PortfolioProblem
    from energy.portfolio.solve import optimise

    buildings = pd.DataFrame(
        {
            "building_id": ["S1", "O1"], "building_type": ["school", "office"], "construction_year": [1975, 1990],
            "heated_area_m2": [2400.0, 900.0], "storeys": [3, 2], "heating_system": ["gas_boiler", "gas_boiler"],
            "u_wall_w_m2k": [1.16, 0.75], "u_roof_w_m2k": [0.9, 0.5], "u_window_w_m2k": [2.6, 2.0],
            "existing_pv_kwp": [0.0, 0.0],
        }
    )  # fmt: skip
    cands = generate_candidates(
        buildings, assess_buildings, load_catalogue(), 52.23, 21.01, params=AssessmentParams(include_pv=False)
    )
    light = cands["measures"].str.split("+").map(lambda ms: set(ms) <= {"led", "bms", "pv"})
    cands = cands[(cands["building_id"] == "S1") | light].reset_index(drop=True)
    prog = Programme("thermo", share_of_eligible_cost=0.26, thermo_bonus_rules=True)
    problem = PortfolioProblem(
        objective="max_co2", budget_pln=5e6, programmes=[prog], forced_in_buildings=["S1", "O1"]
    )
    chosen = optimise(cands, problem).chosen.set_index("building_id")
    rule = chosen["grant_rule__thermo"]
    assert rule.str.startswith(("eligible", "not eligible")).all()
    assert ((chosen["grant_pln__thermo"] > 0) <= rule.str.startswith("eligible")).all()
    assert chosen.loc["O1", "grant_pln__thermo"] == 0 and "art. 2 pkt 2" in rule["O1"]
    assert chosen.loc["S1", "grant_pln__thermo"] > 0 and rule["S1"].startswith("eligible")
