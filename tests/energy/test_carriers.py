"""System chain and carriers against hand arithmetic with the Polish factors."""

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy import carriers, typology
from energy.errors import UnknownSystemError


def filled(**kw):
    row = dict(building_id="X", building_type="office", construction_year=1980, heated_area_m2=1000.0,
               storeys=2, heating_system="gas_boiler") | kw  # fmt: skip
    return typology.apply_defaults(pd.DataFrame([row]))[0]


def test_gas_boiler_chain_primary_and_ep_by_hand():
    f = filled()
    fin = carriers.final_energy(f, [100_000.0], [5_000.0], [0.0], [40_000.0])
    assert_allclose(fin["final_gas_kwh"], 100_000 / (0.94 * 0.90 * 0.89) + 5_000 / (0.85 * 0.68))
    assert_allclose(fin["final_electricity_kwh"], 40_000.0)
    fac = carriers.carrier_factors()
    pce = carriers.primary_co2_cost(fin, fac)
    assert_allclose(pce["primary_nonrenewable_kwh"], fin["final_gas_kwh"] * 1.1 + 40_000 * 2.5)
    ep = carriers.ep_indicator(fin, f, fac, [25_000.0])
    assert_allclose(ep["ep_hw_kwh_per_m2_year"], fin["final_gas_kwh"] * 1.1 / 1000)
    assert_allclose(ep["ep_kwh_per_m2_year"], (fin["final_gas_kwh"] * 1.1 + 25_000 * 2.5) / 1000)
    assert ep["ep_limit_kwh_per_m2_year"].iloc[0] == 45


def test_low_temperature_heat_pump_and_district_heat():
    f = filled(heating_system="heat_pump_ground", heat_pump_flow_temp=35)
    fin = carriers.final_energy(f, [40_000.0], [0.0], [0.0], [0.0])
    assert_allclose(fin["final_electricity_kwh"], 40_000 / (4.0 * 0.90 * 0.89))
    f = filled(heating_system="district_heating")
    pce = carriers.primary_co2_cost(
        carriers.final_energy(f, [1000.0], [0.0], [0.0], [0.0]), carriers.carrier_factors()
    )
    assert_allclose(pce["primary_nonrenewable_kwh"], 1000 / (0.98 * 0.9 * 0.89) * 0.8)


def test_unknown_system_named():
    f = filled()
    f.loc[0, "dhw_system"] = "solar_magic"
    with pytest.raises(UnknownSystemError, match="'X'.*dhw_system.*solar_magic"):
        carriers.final_energy(f, [1.0], [1.0], [0.0], [0.0])
