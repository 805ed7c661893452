"""Monthly energy balance, EN ISO 52016-1 monthly method, vectorised over buildings x 12 months.

The quasi-steady-state monthly method with the gain utilisation factor of EN ISO 13790:2008
(sections 7, 12, 13), which EN ISO 52016-1:2017 (6.6) keeps and the Polish energy-performance
methodology (Dz.U. 2015 poz. 376) uses. Per building i and month m:

    Q_ht = (H_tr + H_ve) (theta_set - theta_e) t                   heat transfer [kWh]
    Q_gn = Q_int + Q_sol                                           gains [kWh]
    gamma = Q_gn / Q_ht,  a = a_0 + tau / tau_0,  tau = C_m / (H_tr + H_ve)
    eta = (1 - gamma^a) / (1 - gamma^(a+1))      (a / (a+1) if gamma = 1; 1 if gamma <= 0)
    Q_H,nd = a_red f_BAC max(Q_ht - eta Q_gn, 0)

H_tr = sum(U A) over walls and roof (+ thermal bridges Delta U A_opaque), windows, and the
ground floor times a reduction factor; H_ve = rho_a c_a sum_k b_ve,k V_k (Dz.U. 2015 poz. 376
eq. 57): the hygienic airflow in occupied hours with b_ve = 1 - eta_oc where a balanced system
recovers heat (eta_oc its recovery efficiency; 1 for natural and exhaust ventilation), plus
infiltration with b_ve = 1. Q_int is the occupants' sensible heat plus the building's own lighting
and equipment electricity (all of it ends as heat inside), so the gains move with the electricity
the model charges for. Q_sol covers windows (g, frame, incidence and shading factors) and
opaque elements (absorbed solar), minus the thermal radiation of walls, roof and windows to the
sky (EN ISO 13790:2008 11.3.5, eq. 46). Cooling uses the loss
utilisation factor on the cooled share of the floor area. Constants live in
``energy/data/balance_constants.csv`` with their clauses.

References
----------
.. [1] EN ISO 13790:2008, Energy performance of buildings - Calculation of energy use for space
   heating and cooling, eqs. 17, 21, 43-46, 52-61, 64-66.
.. [2] EN ISO 52016-1:2017, 6.6 monthly calculation method.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

ORIENTS = ("n", "e", "s", "w")


@lru_cache(maxsize=1)
def constants() -> dict[str, float]:
    """Standard coefficients of the method (``balance_constants.csv``)."""
    with resources.files("energy.data").joinpath("balance_constants.csv").open("r") as fh:
        t = pd.read_csv(fh)
    return dict(zip(t["parameter"], t["value"].astype(float), strict=True))


@dataclass
class BalanceInputs:
    """Per-building arrays (n,) or (n, 12) in the units of their names."""

    heated_area_m2: np.ndarray
    volume_m3: np.ndarray
    wall_area_m2: np.ndarray
    window_area_m2: np.ndarray
    roof_area_m2: np.ndarray
    ground_floor_area_m2: np.ndarray
    u_wall_w_m2k: np.ndarray
    u_roof_w_m2k: np.ndarray
    u_floor_w_m2k: np.ndarray
    u_window_w_m2k: np.ndarray
    thermal_bridge_w_m2k: np.ndarray
    g_window: np.ndarray
    infiltration_ach: np.ndarray
    ventilation_l_s_m2: np.ndarray
    occupied_fraction: np.ndarray  # (n, 12) share of hours occupied
    occupant_gains_occupied_w_m2: np.ndarray  # sensible heat of people, occupied hours
    occupant_gains_unoccupied_w_m2: np.ndarray
    setpoint_heat_c: np.ndarray
    setpoint_cool_c: np.ndarray
    cooled_area_fraction: np.ndarray
    heat_capacity_kj_m2k: np.ndarray
    intermittent_heating: np.ndarray  # 0/1
    heating_factor: np.ndarray  # BACS factor on heating need (1 = reference)
    heat_recovery_efficiency: np.ndarray | None = None  # eta_oc of the balanced system [-], 0 = none
    electric_gains_kwh: np.ndarray | None = None  # (n, 12) lighting + equipment electricity [kWh]

    @classmethod
    def from_frame(
        cls, filled: pd.DataFrame, occupied_fraction: np.ndarray, electric_gains_kwh: np.ndarray | None = None
    ) -> BalanceInputs:
        """Build from :func:`energy.typology.apply_defaults` output, (n,12) occupancy and electricity."""
        kw = {f.name: filled[f.name].to_numpy(dtype=float) for f in fields(cls) if f.name in filled}
        kw.pop("electric_gains_kwh", None)
        kw["roof_area_m2"] = filled["envelope_roof_area_m2"].to_numpy(dtype=float)
        kw["occupied_fraction"] = np.asarray(occupied_fraction, dtype=float)
        kw["heating_factor"] = np.where(filled["bms"].to_numpy(bool), filled["bms_heating_factor"], 1.0)
        kw["electric_gains_kwh"] = electric_gains_kwh
        return cls(**kw)


@dataclass
class MonthlyBalance:
    """Result arrays (n, 12) [kWh per month] unless stated."""

    heating_need_kwh: np.ndarray
    cooling_need_kwh: np.ndarray
    transmission_kwh: np.ndarray
    ventilation_kwh: np.ndarray
    internal_gains_kwh: np.ndarray
    solar_gains_kwh: np.ndarray
    utilisation_factor: np.ndarray  # [-]
    h_tr_w_k: np.ndarray  # (n,) [W/K]
    h_ve_w_k: np.ndarray  # (n, 12) [W/K]
    time_constant_h: np.ndarray  # (n, 12) [h]


def _col(x) -> np.ndarray:
    """(n,) -> (n, 1) so that it broadcasts against (n, 12) or (12,)."""
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


def _eta(gamma: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(1 - g^a) / (1 - g^(a+1)) for g > 0, a / (a + 1) at g = 1; one exp/log pair."""
    g = np.where(gamma > 0, gamma, 0.5)
    near_one = np.abs(g - 1.0) < 1e-9
    g = np.where(near_one, 0.5, g)
    ga = np.exp(a * np.log(g))
    return np.where(near_one, a / (a + 1.0), (1.0 - ga) / (1.0 - ga * g))


def utilisation_heating(gamma: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Gain utilisation factor for heating, EN ISO 13790:2008 eqs. 52-54 [-]."""
    return np.where(gamma > 0, _eta(gamma, a), 1.0)


def utilisation_cooling(gamma: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Loss utilisation factor for cooling, EN ISO 13790:2008 eqs. 64-66 [-].

    (1 - g^-a) / (1 - g^-(a+1)) equals the heating expression evaluated at 1/g.
    """
    safe = np.where(gamma > 0, gamma, 1.0)
    return np.where(gamma > 0, _eta(1.0 / safe, a), 1.0)


def monthly_balance(b: BalanceInputs, climate: dict | pd.DataFrame) -> MonthlyBalance:
    """Monthly heating and cooling need of n buildings (EN ISO 52016-1 monthly method).

    Parameters
    ----------
    b : BalanceInputs, arrays (n,) or (n, 12)
    climate : mapping with ``t_ext_c`` [degC], ``hours`` [h], ``i_sol_hor_kwh_m2`` and
        ``i_sol_{n,e,s,w}_kwh_m2`` [kWh/m^2]; each (12,) (one climate) or (n, 12) (per building,
        e.g. indexed by nearest station).

    Returns
    -------
    MonthlyBalance with (n, 12) arrays in kWh per month.
    """
    c = constants()
    clim = {k: np.asarray(climate[k], dtype=float) for k in _CLIMATE_KEYS}
    t_h = clim["hours"]
    area = _col(b.heated_area_m2)
    opaque_tb = (b.wall_area_m2 + b.roof_area_m2) * b.thermal_bridge_w_m2k
    h_tr = (
        b.u_wall_w_m2k * b.wall_area_m2
        + b.u_roof_w_m2k * b.roof_area_m2
        + b.u_window_w_m2k * b.window_area_m2
        + c["ground_reduction_factor"] * b.u_floor_w_m2k * b.ground_floor_area_m2
        + opaque_tb
    )
    occ = np.asarray(b.occupied_fraction, dtype=float)
    occ = np.broadcast_to(occ[:, None] if occ.ndim == 1 else occ, (len(h_tr), 12))
    n = len(h_tr)
    eta_oc = (
        np.zeros(n) if b.heat_recovery_efficiency is None else np.asarray(b.heat_recovery_efficiency, float)
    )
    b_ve = 1.0 - eta_oc  # Dz.U. 2015 poz. 376 tab. 21: balanced ventilation with heat recovery
    airflow_m3_h = _col(b.ventilation_l_s_m2 * b_ve) * 3.6 * area * occ + _col(
        b.infiltration_ach * b.volume_m3
    )
    h_ve = c["rho_c_air_wh_m3k"] * airflow_m3_h
    h_tot = _col(h_tr) + h_ve

    phi_int_w = area * (
        _col(b.occupant_gains_occupied_w_m2) * occ + _col(b.occupant_gains_unoccupied_w_m2) * (1 - occ)
    )
    q_int = phi_int_w * t_h / 1000.0
    if b.electric_gains_kwh is not None:
        q_int = q_int + np.asarray(b.electric_gains_kwh, dtype=float)
    win_factor = (
        b.g_window * c["window_incidence_factor"] * (1 - c["window_frame_fraction"])
        * c["external_shading_factor"] * b.window_area_m2 / 4.0
    )  # fmt: skip
    i_vert = sum(clim[f"i_sol_{o}_kwh_m2"] for o in ORIENTS)  # equal window/wall share per facade
    q_sol_win = _col(win_factor) * i_vert
    rse_alpha = c["external_surface_resistance_m2k_w"] * c["opaque_solar_absorptance"]
    ua_wall, ua_roof = b.u_wall_w_m2k * b.wall_area_m2, b.u_roof_w_m2k * b.roof_area_m2
    q_sol_op = rse_alpha * (_col(ua_wall / 4.0) * i_vert + _col(ua_roof) * clim["i_sol_hor_kwh_m2"])
    ua_win = b.u_window_w_m2k * b.window_area_m2
    sky_w = (
        c["external_surface_resistance_m2k_w"] * c["sky_radiation_coefficient_w_m2k"]
        * c["sky_temperature_difference_k"]
        * (c["form_factor_wall"] * (ua_wall + ua_win) + c["form_factor_roof"] * ua_roof)
    )  # fmt: skip
    q_sol = q_sol_win + q_sol_op - _col(sky_w) * t_h / 1000.0
    q_gn = q_int + q_sol

    tau = _col(b.heat_capacity_kj_m2k * 1000.0 / 3600.0) * area / h_tot
    a = c["a_0"] + tau / c["tau_0_h"]
    dt_h = _col(b.setpoint_heat_c) - clim["t_ext_c"]
    q_tr = _col(h_tr) * dt_h * t_h / 1000.0
    q_ve = h_ve * dt_h * t_h / 1000.0
    q_ht = q_tr + q_ve
    gamma = np.divide(q_gn, q_ht, out=np.full_like(q_ht, -1.0), where=q_ht > 0)
    eta = utilisation_heating(gamma, a)
    need = np.where(q_ht > 0, np.maximum(q_ht - eta * q_gn, 0.0), 0.0)
    # intermittent heating, EN ISO 13790 eq. 61, a_red within [f_hr, 1]
    a_red = 1.0 - c["b_red"] * (c["tau_0_h"] / tau) * np.clip(gamma, 0, None) * (1.0 - occ)
    a_red = np.clip(a_red, occ, 1.0)
    a_red = np.where(_col(b.intermittent_heating) > 0, a_red, 1.0)
    heating = need * a_red * _col(b.heating_factor)

    cooling = np.zeros_like(heating)
    cooled = np.flatnonzero(np.asarray(b.cooled_area_fraction) > 0)  # only buildings with cooling
    if cooled.size:
        sp_c = _col(np.asarray(b.setpoint_cool_c, dtype=float)[cooled])
        t_ext = clim["t_ext_c"][cooled] if clim["t_ext_c"].ndim == 2 else clim["t_ext_c"]
        hours = t_h[cooled] if np.ndim(t_h) == 2 else t_h
        q_ht_c = h_tot[cooled] * (sp_c - t_ext) * hours / 1000.0
        q_gn_c = q_gn[cooled]
        gamma_c = np.divide(q_gn_c, q_ht_c, out=np.full_like(q_ht_c, 2.0), where=q_ht_c > 0)
        eta_ls = utilisation_cooling(gamma_c, a[cooled])
        cool = np.where(q_ht_c > 0, q_gn_c - eta_ls * q_ht_c, q_gn_c - q_ht_c)
        cooling[cooled] = np.maximum(cool, 0.0) * _col(np.asarray(b.cooled_area_fraction)[cooled])
    return MonthlyBalance(heating, cooling, q_tr, q_ve, q_int, q_sol, eta, h_tr, h_ve, tau)


_CLIMATE_KEYS = ("t_ext_c", "hours", "i_sol_hor_kwh_m2") + tuple(f"i_sol_{o}_kwh_m2" for o in ORIENTS)


def dhw_need_kwh(filled: pd.DataFrame, days_in_use: np.ndarray) -> np.ndarray:
    """Monthly DHW heat need [kWh] (n, 12): V A d c_w dtheta k_R (Dz.U. 2015 poz. 376 form).

    Parameters
    ----------
    filled : typology-filled frame (dhw_l_m2_day, heated_area_m2, dhw_temperature_rise_k, dhw_k_r)
    days_in_use : (n, 12) days per month the building is used
    """
    c = constants()
    per_day = (
        filled["dhw_l_m2_day"] * filled["heated_area_m2"] * filled["dhw_temperature_rise_k"]
        * filled["dhw_k_r"]
    ).to_numpy(float) * c["c_water_wh_lk"] / 1000.0  # fmt: skip
    return per_day[:, None] * np.asarray(days_in_use, dtype=float)


def electricity_kwh(filled: pd.DataFrame, electricity_share: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly lighting and equipment electricity [kWh] (n, 12), after LED and BACS factors."""
    area = filled["heated_area_m2"].to_numpy(float)
    led = np.where(filled["led_lighting"].to_numpy(bool), filled["led_lighting_factor"], 1.0)
    bms = np.where(filled["bms"].to_numpy(bool), filled["bms_electricity_factor"], 1.0)
    share = np.asarray(electricity_share, dtype=float)
    lighting = (filled["lighting_kwh_m2"].to_numpy(float) * area * led * bms)[:, None] * share
    equipment = (filled["equipment_kwh_m2"].to_numpy(float) * area * bms)[:, None] * share
    return {"lighting_kwh": lighting, "equipment_kwh": equipment}


def ventilation_fans_kwh(filled: pd.DataFrame, occupied_fraction: np.ndarray, hours) -> np.ndarray:
    """Monthly fan electricity of mechanical ventilation [kWh] (n, 12), auxiliary energy E_el,pom.

    Dz.U. 2015 poz. 376 tab. 20: a balanced unit draws 0.50 W/m2 (air change <= 0.6 1/h) or
    1.30 W/m2 (above) of heated area while it runs; it runs in occupied hours (beta = the occupied
    share of the month). An exhaust-only system runs one fan; natural ventilation has none.
    """
    c = constants()
    area = filled["heated_area_m2"].to_numpy(float)
    system = filled["ventilation_system"].to_numpy(dtype=object)
    ach = filled["ventilation_l_s_m2"].to_numpy(float) * 3.6 * area / filled["volume_m3"].to_numpy(float)
    power = np.where(
        ach > c["fan_power_threshold_ach"],
        c["fan_power_balanced_high_w_m2"],
        c["fan_power_balanced_low_w_m2"],
    )
    share = np.select(
        [np.isin(system, ("balanced", "balanced_hr")), system == "exhaust"],
        [1.0, c["exhaust_fan_share"]],
        0.0,
    )
    occ = np.asarray(occupied_fraction, dtype=float)
    return (power * share * area)[:, None] * occ * np.asarray(hours, dtype=float) / 1000.0


def circulation_pumps_kwh(
    filled: pd.DataFrame, heating_need_kwh: np.ndarray, hydronic: np.ndarray
) -> np.ndarray:
    """Monthly electricity of heating circulation pumps [kWh] (n, 12), auxiliary energy E_el,pom,H.

    Dz.U. 2015 poz. 376 tab. 20: 0.50 W/m2 of heated area for 6700 h a year, spread over the months
    in proportion to the heating need; none where heat is not distributed by water (``hydronic``
    False, e.g. electric room heaters).
    """
    c = constants()
    need = np.asarray(heating_need_kwh, dtype=float)
    total = need.sum(axis=1, keepdims=True)
    share = np.divide(need, total, out=np.zeros_like(need), where=total > 0)
    yearly = (
        c["circulation_pump_power_w_m2"]
        * filled["heated_area_m2"].to_numpy(float)
        * c["circulation_pump_hours_h"]
    )
    return (yearly * np.asarray(hydronic, dtype=float) / 1000.0)[:, None] * share
