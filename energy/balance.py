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
    """Result arrays (n, 12) [kWh per month] unless stated; the terms are None without ``detail``."""

    heating_need_kwh: np.ndarray
    cooling_need_kwh: np.ndarray
    transmission_kwh: np.ndarray | None
    ventilation_kwh: np.ndarray | None
    internal_gains_kwh: np.ndarray
    solar_gains_kwh: np.ndarray | None
    utilisation_factor: np.ndarray | None  # [-]
    h_tr_w_k: np.ndarray  # (n,) [W/K]
    h_ve_w_k: np.ndarray | None  # (n, 12) [W/K]
    time_constant_h: np.ndarray | None  # (n, 12) [h]


def _col(x) -> np.ndarray:
    """(n,) -> (n, 1) so that it broadcasts against (n, 12) or (12,)."""
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


BLOCK_ROWS = 4096  # buildings per block: a block's (12, rows) temporaries stay in the CPU cache


def monthly_balance(b: BalanceInputs, climate: dict | pd.DataFrame, *, detail: bool = True) -> MonthlyBalance:
    """Monthly heating and cooling need of n buildings (EN ISO 52016-1 monthly method).

    Parameters
    ----------
    b : BalanceInputs, arrays (n,) or (n, 12)
    climate : mapping with ``t_ext_c`` [degC], ``hours`` [h], ``i_sol_hor_kwh_m2`` and
        ``i_sol_{n,e,s,w}_kwh_m2`` [kWh/m^2]; each (12,) (one climate) or (n, 12) (per building,
        e.g. indexed by nearest station).
    detail : keep the terms of the balance (transmission, ventilation, solar gains, utilisation
        factor, H_ve, time constant); ``False`` returns only the needs and the internal gains
        (the others are None), which is what an assessment reads.

    Returns
    -------
    MonthlyBalance with (n, 12) arrays in kWh per month (column-major: each month's values of
    all buildings lie next to each other in memory).

    Notes
    -----
    Every per-building factor of the equations above is reduced once to an (n,) coefficient
    (:func:`_coefficients`). The monthly part runs month-major, on (12, rows) blocks of
    ``BLOCK_ROWS`` buildings written into preallocated results: an operation between a monthly
    array and a per-building coefficient then runs along contiguous memory, and the block's
    temporaries stay in the cache instead of streaming through memory once per operation.
    """
    c = constants()
    clim = {k: np.asarray(climate[k], dtype=float) for k in _CLIMATE_KEYS}
    facades = [clim.pop(f"i_sol_{o}_kwh_m2") for o in ORIENTS]
    clim["i_vert"] = facades[0] + facades[1] + facades[2] + facades[3]  # equal share per facade
    k = _coefficients(b, c)
    n = len(k["h_tr"])
    occ = np.asarray(b.occupied_fraction, dtype=float)
    gains = None if b.electric_gains_kwh is None else np.asarray(b.electric_gains_kwh, dtype=float)
    # month-major storage of the (n, 12) results; terms not kept reuse one block-sized scratch each
    kept = [np.empty((12, n)) for _ in range(3 + 6 * detail)]
    scratch = [] if detail else [np.empty((12, min(n, BLOCK_ROWS))) for _ in range(6)]
    for s in range(0, n, BLOCK_ROWS):
        rows = slice(s, min(s + BLOCK_ROWS, n))
        width = rows.stop - rows.start
        _block(
            {name: v[rows] for name, v in k.items()},
            _per_building(occ, rows),
            None if gains is None else _per_building(gains, rows),
            {name: _per_month(v, rows) for name, v in clim.items()},
            [m[:, rows] for m in kept] + [m[:, :width] for m in scratch],
            c,
        )
    heating, cooling, q_int, *terms = (m.T for m in kept)
    q_tr, q_ve, q_sol, eta, h_ve, tau = terms if detail else [None] * 6
    return MonthlyBalance(heating, cooling, q_tr, q_ve, q_int, q_sol, eta, k["h_tr"], h_ve, tau)


def _per_building(x: np.ndarray, rows: slice) -> np.ndarray:
    """A block of an (n,) or (n, 12) input as it broadcasts against (12, rows), contiguous."""
    return x[rows] if x.ndim == 1 else np.ascontiguousarray(x[rows].T)


def _per_month(x: np.ndarray, rows: slice) -> np.ndarray:
    """A block of a (12,) or (n, 12) climate value as it broadcasts against (12, rows)."""
    return x[:, None] if x.ndim == 1 else np.ascontiguousarray(x[rows].T)


def _coefficients(b: BalanceInputs, c: dict[str, float]) -> dict[str, np.ndarray]:
    """The per-building (n,) factors of the monthly equations, computed once [W/K, kW, kWh/K]."""
    area = np.asarray(b.heated_area_m2, dtype=float)
    ua_wall, ua_roof = b.u_wall_w_m2k * b.wall_area_m2, b.u_roof_w_m2k * b.roof_area_m2
    ua_win = b.u_window_w_m2k * b.window_area_m2
    h_tr = np.asarray(
        ua_wall + ua_roof + ua_win
        + c["ground_reduction_factor"] * b.u_floor_w_m2k * b.ground_floor_area_m2
        + (b.wall_area_m2 + b.roof_area_m2) * b.thermal_bridge_w_m2k,
        dtype=float,
    )  # fmt: skip
    eta_oc = 0.0 if b.heat_recovery_efficiency is None else np.asarray(b.heat_recovery_efficiency, float)
    b_ve = 1.0 - eta_oc  # Dz.U. 2015 poz. 376 tab. 21: balanced ventilation with heat recovery
    rse = c["external_surface_resistance_m2k_w"]
    win_factor = (
        b.g_window * c["window_incidence_factor"] * (1 - c["window_frame_fraction"])
        * c["external_shading_factor"] * b.window_area_m2 / 4.0
    )  # fmt: skip
    rse_alpha = rse * c["opaque_solar_absorptance"]
    sky_w = (
        rse * c["sky_radiation_coefficient_w_m2k"] * c["sky_temperature_difference_k"]
        * (c["form_factor_wall"] * (ua_wall + ua_win) + c["form_factor_roof"] * ua_roof)
    )  # fmt: skip
    full = lambda x: np.broadcast_to(np.asarray(x, dtype=float), h_tr.shape)  # noqa: E731
    return {
        "h_tr": h_tr,
        # H_ve = vent x occupied share + infiltration [W/K]
        "h_ve_occ": full(c["rho_c_air_wh_m3k"] * b.ventilation_l_s_m2 * b_ve * 3.6 * area),
        "h_ve_inf": full(c["rho_c_air_wh_m3k"] * b.infiltration_ach * b.volume_m3),
        # Q_int / t = occupant gains: (occupied - unoccupied) x share + unoccupied [kW]
        "int_occ": full(area * (b.occupant_gains_occupied_w_m2 - b.occupant_gains_unoccupied_w_m2) / 1000.0),
        "int_base": full(area * b.occupant_gains_unoccupied_w_m2 / 1000.0),
        # Q_sol = sol_vert I_vert + sol_hor I_hor - sky t [kWh]
        "sol_vert": full(win_factor + rse_alpha * ua_wall / 4.0),
        "sol_hor": full(rse_alpha * ua_roof),
        "sky": full(sky_w / 1000.0),
        "capacity": full(b.heat_capacity_kj_m2k * 1000.0 / 3600.0 * area),  # C_m [Wh/K]
        "setpoint": full(b.setpoint_heat_c),
        "setpoint_cool": full(b.setpoint_cool_c),
        "cooled": full(b.cooled_area_fraction),
        "intermittent": full(b.intermittent_heating),
        "heating_factor": full(b.heating_factor),
    }


def _block(k, occ, gains, clim, out: list[np.ndarray], c: dict[str, float]) -> None:
    """The monthly part of :func:`monthly_balance` for one block, (12, rows), written into ``out``.

    ``k`` holds the block's (rows,) coefficients, ``occ`` and ``gains`` are (rows,) or (12, rows),
    ``clim`` (12, 1) or (12, rows).
    """
    heating, cooling, q_int, q_tr, q_ve, q_sol, eta, h_ve, tau = out
    t_h, t_ext = clim["hours"], clim["t_ext_c"]
    np.multiply(k["h_ve_occ"], occ, out=h_ve)
    h_ve += k["h_ve_inf"]
    h_tot = h_ve + k["h_tr"]
    np.multiply(k["int_occ"], occ, out=q_int)
    q_int += k["int_base"]
    q_int *= t_h
    if gains is not None:
        q_int += gains
    np.multiply(k["sol_vert"], clim["i_vert"], out=q_sol)
    q_sol += k["sol_hor"] * clim["i_sol_hor_kwh_m2"]
    q_sol -= k["sky"] * t_h
    q_gn = q_int + q_sol
    np.divide(k["capacity"], h_tot, out=tau)
    kt = k["setpoint"] - t_ext
    kt *= t_h / 1000.0  # (theta_set - theta_e) t [kK h]
    np.multiply(k["h_tr"], kt, out=q_tr)
    np.multiply(h_ve, kt, out=q_ve)
    q_ht = q_tr + q_ve
    heats = q_ht > 0
    all_heat = bool(heats.all())
    gamma = (
        np.divide(q_gn, q_ht)
        if all_heat
        else np.divide(q_gn, q_ht, out=np.full_like(q_ht, -1.0), where=heats)
    )
    a = tau * (1.0 / c["tau_0_h"])
    a += c["a_0"]
    _utilisation_into(gamma, a, eta)
    np.multiply(eta, q_gn, out=heating)
    np.subtract(q_ht, heating, out=heating)
    np.maximum(heating, 0.0, out=heating)
    if not all_heat:
        heating[~heats] = 0.0
    # intermittent heating, EN ISO 13790 eq. 61, a_red within [f_hr, 1]; tau_0 / tau = tau_0 H / C_m,
    # and a_red <= 1 holds by itself (what it subtracts from 1 is >= 0)
    intermittent = k["intermittent"] > 0
    if intermittent.any():
        a_red = np.maximum(gamma, 0.0)
        a_red *= h_tot
        a_red *= (c["b_red"] * c["tau_0_h"]) / k["capacity"]
        a_red *= 1.0 - occ
        np.subtract(1.0, a_red, out=a_red)
        np.maximum(a_red, occ, out=a_red)
        if not intermittent.all():
            a_red[:, ~intermittent] = 1.0
        heating *= a_red
    heating *= k["heating_factor"]
    cooling[:] = 0.0
    cooled = np.flatnonzero(k["cooled"] > 0)  # only buildings with cooling
    if cooled.size:
        _cooling_into(cooling, cooled, k, h_tot, q_gn, a, t_ext, t_h)


def _cooling_into(cooling, cooled, k, h_tot, q_gn, a, t_ext, t_h) -> None:
    """Cooling need of the cooled buildings (columns ``cooled``), EN ISO 13790 eqs. 64-66.

    Q_C,nd = Q_gn - eta_ls Q_ht with eta_ls = the heating expression at 1/gamma = Q_ht / Q_gn where
    both are positive, and 1 otherwise (no losses to use, or no gains).
    """
    per = lambda x: x[:, cooled] if x.shape[-1] > 1 else x  # noqa: E731
    q_ht = k["setpoint_cool"][cooled] - per(t_ext)
    q_ht *= per(t_h) / 1000.0
    q_ht *= h_tot[:, cooled]
    q_gn_c = q_gn[:, cooled]
    both = (q_ht > 0) & (q_gn_c > 0)
    inverse_gamma = np.divide(q_ht, q_gn_c, out=np.full_like(q_ht, -1.0), where=both)
    eta_ls = np.empty_like(q_ht)
    _utilisation_into(inverse_gamma, a[:, cooled], eta_ls)
    eta_ls *= q_ht
    np.subtract(q_gn_c, eta_ls, out=eta_ls)
    np.maximum(eta_ls, 0.0, out=eta_ls)
    eta_ls *= k["cooled"][cooled]
    cooling[:, cooled] = eta_ls


def _utilisation_into(gamma: np.ndarray, a: np.ndarray, eta: np.ndarray) -> None:
    """Gain utilisation factor for heating, EN ISO 13790:2008 eqs. 52-54 [-], written into ``eta``:
    (1 - g^a) / (1 - g^(a+1)) for g > 0, a / (a + 1) at g = 1, 1 for g <= 0 (one log/exp pair; the rare
    branches cost a copy only where they occur). The loss factor for cooling (eqs. 64-66) is the same
    expression at 1/g (:func:`_cooling_into`)."""
    positive = gamma > 0
    all_positive = bool(positive.all())
    near_one = np.abs(gamma - 1.0) < 1e-9
    any_near = bool(near_one.any())
    g = gamma
    if not all_positive or any_near:
        g = gamma.copy()
        g[~positive | near_one] = 0.5
    np.log(g, out=eta)
    eta *= a
    np.exp(eta, out=eta)  # g^a
    ga_g = eta * g
    np.subtract(1.0, eta, out=eta)
    np.subtract(1.0, ga_g, out=ga_g)
    eta /= ga_g
    if any_near:
        eta[near_one] = (a / (a + 1.0))[near_one]
    if not all_positive:
        eta[~positive] = 1.0


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
