"""Systems and carriers: final energy per carrier, non-renewable primary energy, EP, CO2, cost.

Final energy of a use = need / (eta_gen x eta_dist x eta_emit) for space heating and
need / (eta_gen x eta_storage,dist) for DHW (Dz.U. 2015 poz. 376, zal. 1: E_K = Q_nd / eta_tot);
cooling electricity = cooling need / EER; lighting and equipment are electricity.
EP = sum_i w_i E_K,i / A_f with w_i of Dz.U. 2023 poz. 697 (grid electricity 2.5).
Efficiencies: ``energy/data/systems.csv``; w_i, CO2 factors and prices: ``carriers.csv``, each with
source, year and grade (ENG = documented engineering default where the methodology value was
not found).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from energy.errors import ParameterError, UnknownSystemError

CARRIERS = ("coal", "gas", "oil", "biomass", "district_heat", "electricity")
LOW_TEMP_FLOW_C = 35.0  # flow temperature up to which the 35/28 heat-pump efficiency applies


def _read(name: str) -> pd.DataFrame:
    with resources.files("energy.data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


@lru_cache(maxsize=1)
def heating_systems() -> tuple[str, ...]:
    """The heating (and DHW) systems the engine knows, in the order of ``systems.csv``.

    Returns
    -------
    tuple of str
        System names (``coal_boiler``, ..., ``electric``); an inventory names one of these.
    """
    return tuple(str(s) for s in _read("systems.csv")["system"].unique())


@lru_cache(maxsize=1)
def system_table() -> pd.DataFrame:
    """One row per heating system: carrier and efficiencies (wide)."""
    t = _read("systems.csv").pivot(index="system", columns="parameter", values="value")
    for col in t.columns.drop("carrier"):
        t[col] = pd.to_numeric(t[col])
    return t


@lru_cache(maxsize=1)
def carrier_table() -> pd.DataFrame:
    """One row per carrier: w_primary, co2_kg_per_kwh, price_pln_per_kwh (wide)."""
    t = _read("carriers.csv").pivot(index="carrier", columns="parameter", values="value")
    return t.astype(float).loc[list(CARRIERS)]


def carrier_sources() -> pd.DataFrame:
    """The packaged factors and prices in long form, each with its unit, source, year and grade."""
    return _read("carriers.csv")


# Plausibility ceilings on user overrides (sanity bounds, not data): they keep a typo such as 1e308
# from overflowing sums into inf/NaN. Well above any real value: the highest w_i of the 2023 table
# is 2.5 (grid electricity), the highest packaged CO2 factor is 0.597 kg/kWh (see carriers.csv).
OVERRIDE_MAX = {"price_pln_per_kwh": 20.0, "co2_kg_per_kwh": 2.0, "w_primary": 5.0}


def carrier_factors(
    prices_pln_per_kwh: dict | None = None,
    co2_kg_per_kwh: dict | None = None,
    w_primary: dict | None = None,
) -> pd.DataFrame:
    """Carrier table with user overrides; unknown carrier keys or negative values raise."""
    t = carrier_table().copy()
    for col, over in (("price_pln_per_kwh", prices_pln_per_kwh), ("co2_kg_per_kwh", co2_kg_per_kwh),
                      ("w_primary", w_primary)):  # fmt: skip
        for key, val in (over or {}).items():
            if key not in t.index:
                raise ParameterError(f"{col}: unknown carrier '{key}', expected one of {list(CARRIERS)}")
            if val is None or not np.isfinite(val) or val < 0 or val > OVERRIDE_MAX[col]:
                raise ParameterError(
                    f"{col}['{key}'] = {val}: must be a number in [0, {OVERRIDE_MAX[col]:g}]"
                )
            t.loc[key, col] = float(val)
    return t


def _system_rows(filled: pd.DataFrame, column: str) -> pd.DataFrame:
    systems = system_table()
    names = filled[column].astype(str).to_numpy()
    unknown = ~np.isin(names, systems.index)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise UnknownSystemError(
            f"building '{filled['building_id'].iloc[i]}', field {column}: no efficiency defined for "
            f"'{names[i]}' (known: {sorted(systems.index)})"
        )
    return systems.loc[names].reset_index(drop=True)


def hydronic(filled: pd.DataFrame) -> np.ndarray:
    """True where space heat is distributed by water (circulation pumps run), per building."""
    return _system_rows(filled, "heating_system")["hydronic"].to_numpy(float) > 0


def final_energy(
    filled: pd.DataFrame,
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    cooling_need_kwh: np.ndarray,
    electricity_kwh: np.ndarray,
    aux_kwh: np.ndarray | None = None,
) -> pd.DataFrame:
    """Annual final energy per use and per carrier [kWh/yr] (vectorised).

    Parameters
    ----------
    filled : typology-filled frame (heating_system, dhw_system, heat_pump_flow_temp, cooling_eer)
    heating_need_kwh, dhw_need_kwh, cooling_need_kwh, electricity_kwh : (n,) [kWh/yr];
        electricity is lighting plus equipment.
    aux_kwh : (n,) auxiliary electricity of the heating and ventilation systems [kWh/yr]: fans
        and circulation pumps (part of EP_H+W, Dz.U. 2015 poz. 376 eq. 7: w_el E_el,pom,H); default 0.

    Returns
    -------
    DataFrame with final_heating_kwh, final_dhw_kwh, final_cooling_kwh, final_electricity_uses_kwh
    and final_<carrier>_kwh for every carrier in ``CARRIERS``.
    """
    heat = _system_rows(filled, "heating_system")
    dhw = _system_rows(filled, "dhw_system")
    low_temp = filled["heat_pump_flow_temp"].to_numpy(float) <= LOW_TEMP_FLOW_C
    eta_gen = heat["eta_gen_heat"].to_numpy(float)
    eta_low = heat["eta_gen_heat_low_temp"].to_numpy(float)
    eta_gen = np.where(low_temp & np.isfinite(eta_low), eta_low, eta_gen)
    eta_heat = eta_gen * heat["eta_dist_heat"].to_numpy(float) * heat["eta_emit_heat"].to_numpy(float)
    eta_dhw = dhw["eta_gen_dhw"].to_numpy(float) * dhw["eta_dhw_storage_dist"].to_numpy(float)
    out = pd.DataFrame(index=filled.index)
    out["final_heating_kwh"] = np.asarray(heating_need_kwh, float) / eta_heat
    out["final_dhw_kwh"] = np.asarray(dhw_need_kwh, float) / eta_dhw
    out["final_cooling_kwh"] = np.asarray(cooling_need_kwh, float) / filled["cooling_eer"].to_numpy(float)
    out["final_electricity_uses_kwh"] = np.asarray(electricity_kwh, float)
    out["final_auxiliary_kwh"] = np.zeros(len(filled)) if aux_kwh is None else np.asarray(aux_kwh, float)
    for carrier in CARRIERS:
        col = (heat["carrier"].to_numpy() == carrier) * out["final_heating_kwh"].to_numpy()
        col = col + (dhw["carrier"].to_numpy() == carrier) * out["final_dhw_kwh"].to_numpy()
        if carrier == "electricity":
            col = col + out["final_cooling_kwh"].to_numpy() + out["final_electricity_uses_kwh"].to_numpy()
            col = col + out["final_auxiliary_kwh"].to_numpy()
        out[f"final_{carrier}_kwh"] = col
    out["eta_heating_total"] = eta_heat
    out["eta_dhw_total"] = eta_dhw
    return out


def _district_heat_delta(final: pd.DataFrame, factors: pd.DataFrame, district_heat, parameter: str):
    """Correction [unit x kWh] where a building's network factor differs from the carrier table's."""
    if district_heat is None:
        return 0.0
    own = district_heat[f"district_heat_{parameter}"].to_numpy(float)
    return final["final_district_heat_kwh"].to_numpy(float) * (own - factors.loc["district_heat", parameter])


def primary_co2_cost(final: pd.DataFrame, factors: pd.DataFrame, district_heat=None) -> pd.DataFrame:
    """Non-renewable primary energy [kWh/yr], CO2 [t/yr] and cost [PLN/yr] from final energy.

    ``district_heat`` (from :func:`energy.district_heat.network_factors`) gives each building its
    network's w_i and CO2 factor in place of the carrier table's district-heat row.
    """
    e = final[[f"final_{c}_kwh" for c in CARRIERS]].to_numpy(float)
    f = factors.loc[list(CARRIERS)]
    w_fix = _district_heat_delta(final, factors, district_heat, "w_primary")
    co2_fix = _district_heat_delta(final, factors, district_heat, "co2_kg_per_kwh")
    return pd.DataFrame(
        {
            "primary_nonrenewable_kwh": e @ f["w_primary"].to_numpy() + w_fix,
            "co2_t_per_year": (e @ f["co2_kg_per_kwh"].to_numpy() + co2_fix) / 1000.0,
            "cost_pln_per_year": e @ f["price_pln_per_kwh"].to_numpy(),
        },
        index=final.index,
    )


def ep_indicator(
    final: pd.DataFrame,
    filled: pd.DataFrame,
    factors: pd.DataFrame,
    lighting_kwh: np.ndarray,
    district_heat=None,
) -> pd.DataFrame:
    """EP indicators [kWh/(m2 yr)] in the WT 2021 scope and the EP_H+W limit.

    ``ep_hw`` covers heating and DHW (the scope of the WT par. 329 EP_H+W limit; the public-building
    Delta EP_C and Delta EP_L allowances were not retrievable, so the limit compared is EP_H+W).
    ``ep`` adds cooling and lighting (methodology scope for non-residential buildings).
    """
    area = filled["heated_area_m2"].to_numpy(float)
    heat = _system_rows(filled, "heating_system")
    dhw = _system_rows(filled, "dhw_system")
    w = factors["w_primary"]
    w_heat, w_dhw = w.loc[heat["carrier"]].to_numpy(), w.loc[dhw["carrier"]].to_numpy()
    if district_heat is not None:  # the building's own network factor
        w_dh = district_heat["district_heat_w_primary"].to_numpy(float)
        w_heat = np.where(heat["carrier"].to_numpy() == "district_heat", w_dh, w_heat)
        w_dhw = np.where(dhw["carrier"].to_numpy() == "district_heat", w_dh, w_dhw)
    ep_h = final["final_heating_kwh"].to_numpy() * w_heat
    ep_w = final["final_dhw_kwh"].to_numpy() * w_dhw
    if "final_auxiliary_kwh" in final:  # fans and pumps, in EP_H (eq. 7: w_el E_el,pom,H)
        ep_h = ep_h + final["final_auxiliary_kwh"].to_numpy() * w["electricity"]
    ep_c = final["final_cooling_kwh"].to_numpy() * w["electricity"]
    ep_l = np.asarray(lighting_kwh, float) * w["electricity"]
    non_residential = filled["building_type"].to_numpy() != "social_housing"
    out = pd.DataFrame(index=final.index)
    out["ep_hw_kwh_per_m2_year"] = (ep_h + ep_w) / area
    out["ep_kwh_per_m2_year"] = (ep_h + ep_w + ep_c + np.where(non_residential, ep_l, 0.0)) / area
    out["ep_limit_kwh_per_m2_year"] = filled["ep_limit_hw_kwh_m2"].to_numpy(float)
    out["meets_ep_limit"] = out["ep_hw_kwh_per_m2_year"] <= out["ep_limit_kwh_per_m2_year"]
    return out
