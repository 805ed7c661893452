"""PV value under the Polish rules (issue 11 s.5), against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from energy.carriers import carrier_table
from energy.measures import load_catalogue
from energy.pv.params import PVInputError
from energy.pv.value import (
    micro_installation_max_kw,
    monthly_export_value,
    net_billing_rules,
    rcem_pln_per_kwh,
)


def test_micro_and_above_fifty_kw_by_hand():
    """RES Act art. 4b (1.23 deposit factor) for <= 50 kW; art. 2 pkt 19: 60 kW is not a micro-installation.

    Hand calculation: 10 000 kWh self-consumed x 1.043 PLN/kWh (carriers.csv electricity, the price the model
    buys with) + 1 000 kWh exported in June (RCEm 330.47 PLN/MWh) and 500 kWh in July (283.59):
    micro: 10 430 + (330.47 + 141.795) x 1.23 = 10 430 + 580.886 = 11 010.886 PLN;
    60 kW: 10 430 + 472.265 = 10 902.265 PLN.
    """
    exported = np.zeros((2, 12))
    exported[:, 5], exported[:, 6] = 1000.0, 500.0
    retail = carrier_table().at["electricity", "price_pln_per_kwh"]
    assert retail == 1.043
    out = monthly_export_value([10_000.0, 10_000.0], exported, [50.0, 60.0], retail)
    assert_allclose(out["value_pln_per_year"], [11_010.88595, 10_902.265], rtol=1e-9)
    assert "micro-installation" in out["regime"][0] and "not a micro-installation" in out["regime"][1]
    assert out["deposit_factor"].tolist() == [1.23, 1.0]


# PSE RCEm 2024 [PLN/MWh], January to December, as the press reported them (grade B) or, for April, May
# and August to November, as a code table citing pse.pl holds them (grade C); typed from the sources
# named in energy/data/pv_net_billing.csv, not read from it
RCEM_2024 = [437.02, 324.25, 249.12, 253.69, 255.59, 330.47, 283.59, 241.94, 222.62, 289.92, 399.04, 468.28]


def test_rcem_table_holds_every_month_of_2024_with_its_grade():
    prices, sourced = rcem_pln_per_kwh()
    assert sourced.all() and prices.shape == (12,)
    assert_allclose(prices * 1000, RCEM_2024, rtol=0, atol=1e-9)
    rules = net_billing_rules()
    assert rules["source"].str.len().gt(5).all() and rules["source_year"].notna().all()
    months = rules[rules["parameter"] == "rcem_pln_per_mwh"].set_index("month")
    assert set(months["grade"]) <= {"B", "C"} and (months["grade"] == "B").sum() == 6


def test_package_generator_and_valuation_share_the_50_kw_limit():
    """RES Act art. 2 pkt 19: the generator caps PV at the limit that decides the valuation regime."""
    assert load_catalogue().parameters["pv_max_kwp"] == micro_installation_max_kw() == 50.0


def test_bad_monthly_prices_are_rejected():
    with pytest.raises(PVInputError, match="rcem_pln_per_kwh_by_month"):
        monthly_export_value([1.0], np.zeros((1, 12)), [10.0], 1.0, rcem_pln_per_kwh_by_month=np.ones(11))


def _pv_buildings():
    import pandas as pd

    return pd.DataFrame(
        {
            "building_id": ["S", "L"], "building_type": ["school", "sports_hall"], "construction_year": [1975, 1990],
            "heated_area_m2": [500.0, 9000.0], "storeys": [2, 1], "heating_system": ["gas_boiler", "gas_boiler"],
            "roof_type": ["flat", "flat"],
        }
    )  # fmt: skip


def test_given_monthly_and_hourly_prices_value_the_export_by_hand():
    """Flat prices make the hand calculation exact: export value = kWh exported x price x (1.23 if <= 50 kW)."""
    from energy.assess import AssessmentParams, assess_buildings

    def run(**kw):
        return assess_buildings(
            _pv_buildings(), city_lat=52.23, city_lon=21.01, params=AssessmentParams(**kw)
        ).buildings

    monthly = run(rcem_pln_per_mwh_by_month=[500.0] * 12)
    hourly = run(rce_pln_per_mwh_hourly=[400.0] * 8760)
    factor = np.where(monthly["pv_capacity_kwp"] <= 50.0, 1.23, 1.0)
    assert factor.tolist() == [1.23, 1.0], "one micro-installation and one above 50 kW"
    assert_allclose(
        monthly["pv_export_value_pln_per_year"], monthly["pv_exported_kwh_per_year"] * 0.5 * factor
    )
    assert_allclose(hourly["pv_export_value_pln_per_year"], hourly["pv_exported_kwh_per_year"] * 0.4 * factor)
    assert_allclose(
        monthly["pv_value_pln_per_year"] - monthly["pv_export_value_pln_per_year"],
        monthly["pv_self_consumed_kwh_per_year"] * 1.043,
    )
    with pytest.raises(ValueError, match="rcem_pln_per_mwh_by_month"):
        run(rcem_pln_per_mwh_by_month=[500.0] * 11)
    with pytest.raises(ValueError, match="rce_pln_per_kwh_hourly"):
        run(rce_pln_per_mwh_hourly=[400.0] * 100)
