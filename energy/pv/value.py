"""Self-consumption of rooftop PV against an hourly load, and its value under Polish net-billing.

Net-billing (Act of 29 October 2021 amending the RES Act, Dz.U. 2021 poz. 2376, in force for
prosumers connected from 1 April 2022): energy fed into the grid is not netted in kWh but credited
at its market value - the monthly market price RCEm published by PSE until 30 June 2024, the
hourly price RCE from 1 July 2024 - into a prosumer deposit that pays only the energy component
of later bills. So self-consumed energy is worth the avoided retail price and exported energy the
market price. Installations above 50 kW (not micro-installations) are outside the prosumer scheme
and sell at a contracted market price; the same two-price valuation applies with that price.
Default prices and their sources: ``energy/data/pv_parameters.csv``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from energy.pv.params import PVInputError, PVParams


def _hourly_matrix(values, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise PVInputError(f"{name}: expected an (hours x n) array, got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        h, j = np.unravel_index(int(bad.argmax()), arr.shape)
        raise PVInputError(f"{name}: hour {h}, column {j}: {arr[h, j]} is not a finite value >= 0")
    return arr


def self_consumption(ac_kwh, load_kwh) -> dict[str, np.ndarray]:
    """Hour-by-hour self-consumption of PV output against a load.

    Parameters
    ----------
    ac_kwh : array (n_hours, n)
        PV AC energy per hour [kWh].
    load_kwh : array (n_hours, n)
        Electricity use per hour [kWh].

    Returns
    -------
    dict of ndarray (n,)
        ``pv_kwh_per_year``, ``load_kwh_per_year``, ``self_consumed_kwh_per_year``
        (sum of ``min(pv, load)`` per hour), ``exported_kwh_per_year``, ``imported_kwh_per_year``,
        ``self_consumption_ratio`` (self-consumed / PV, 0 without PV) and
        ``self_sufficiency_ratio`` (self-consumed / load, 0 without load).

    Notes
    -----
    Energy balance per hour t: ``sc_t = min(pv_t, load_t)``, ``export_t = pv_t - sc_t``,
    ``import_t = load_t - sc_t``; no battery. Hourly netting understates simultaneity within
    the hour slightly (sub-hourly peaks are not resolved).
    """
    ac = _hourly_matrix(ac_kwh, "ac_kwh")
    load = _hourly_matrix(load_kwh, "load_kwh")
    if ac.shape != load.shape:
        raise PVInputError(f"load_kwh: shape {load.shape} differs from ac_kwh shape {ac.shape}")
    pv = ac.sum(axis=0)
    use = load.sum(axis=0)
    sc = np.minimum(ac, load).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(pv > 0, sc / pv, 0.0)
        sufficiency = np.where(use > 0, sc / use, 0.0)
    return {
        "pv_kwh_per_year": pv,
        "load_kwh_per_year": use,
        "self_consumed_kwh_per_year": sc,
        "exported_kwh_per_year": pv - sc,
        "imported_kwh_per_year": use - sc,
        "self_consumption_ratio": ratio,
        "self_sufficiency_ratio": sufficiency,
    }


def net_billing_value(
    self_consumed_kwh,
    exported_kwh,
    params: PVParams | None = None,
    *,
    retail_price_pln_per_kwh=None,
    export_price_pln_per_kwh=None,
) -> np.ndarray:
    """Yearly value of PV under net-billing [PLN/yr].

    ``value = E_self * p_retail + E_export * p_export``.

    Parameters
    ----------
    self_consumed_kwh : array (n,) or (n_hours, n)
        Self-consumed energy per year [kWh/yr] or per hour [kWh].
    exported_kwh : array (n,) or (n_hours, n)
        Exported energy, same layout [kWh].
    params : PVParams, optional
        Default prices.
    retail_price_pln_per_kwh, export_price_pln_per_kwh : float or array, optional
        Override prices [PLN/kWh]; with hourly energies a price may be an hourly array
        (n_hours,), e.g. the hourly RCE, which is then weighted by the hourly export.

    Returns
    -------
    ndarray (n,)
        Value [PLN/yr].
    """
    params = params or PVParams()
    p_retail = (
        params.retail_price_pln_per_kwh if retail_price_pln_per_kwh is None else retail_price_pln_per_kwh
    )
    p_export = (
        params.export_price_pln_per_kwh if export_price_pln_per_kwh is None else export_price_pln_per_kwh
    )
    sc = np.asarray(self_consumed_kwh, dtype=float)
    ex = np.asarray(exported_kwh, dtype=float)
    if sc.shape != ex.shape:
        raise PVInputError(f"exported_kwh: shape {ex.shape} differs from self_consumed_kwh shape {sc.shape}")
    if np.any(~np.isfinite(sc) | (sc < 0)) or np.any(~np.isfinite(ex) | (ex < 0)):
        raise PVInputError("self_consumed_kwh / exported_kwh: values must be finite and >= 0")
    values = []
    for energy, price, name in ((sc, p_retail, "retail"), (ex, p_export, "export")):
        price = np.asarray(price, dtype=float)
        if np.any(~np.isfinite(price)):
            raise PVInputError(f"{name}_price_pln_per_kwh: not finite")
        if price.ndim == 1 and energy.ndim == 2:
            if price.size != energy.shape[0]:
                raise PVInputError(
                    f"{name}_price_pln_per_kwh: {price.size} prices for {energy.shape[0]} hours"
                )
            price = price[:, None]
        values.append(energy * price)
    total = values[0] + values[1]
    return total.sum(axis=0) if total.ndim == 2 else total


@lru_cache(maxsize=1)
def net_billing_rules() -> pd.DataFrame:
    """``energy/data/pv_net_billing.csv``: monthly RCEm, deposit factor, micro-installation limit."""
    with resources.files("energy.data").joinpath("pv_net_billing.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _rule(name: str) -> float:
    t = net_billing_rules()
    return float(t.loc[t["parameter"] == name, "value"].iloc[0])


def micro_installation_max_kw() -> float:
    """Micro-installation limit [kW] (RES Act art. 2 pkt 19); the package generator's PV cap too."""
    return _rule("micro_installation_max_kw")


def rcem_pln_per_kwh() -> tuple[np.ndarray, np.ndarray]:
    """Monthly RCEm [PLN/kWh] (12,) and whether each month's value was published (sourced).

    Months without a sourced value take the mean of the sourced months (engineering fill).
    """
    t = net_billing_rules()
    rows = t[t["parameter"] == "rcem_pln_per_mwh"].sort_values("month")
    values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(float) / 1000.0
    sourced = np.isfinite(values)
    return np.where(sourced, values, np.nanmean(values)), sourced


def monthly_export_value(
    self_consumed_kwh,
    exported_kwh_by_month,
    capacity_kw,
    retail_price_pln_per_kwh: float,
    rcem_pln_per_kwh_by_month=None,
    market_value_pln=None,
) -> dict[str, np.ndarray]:
    """Yearly PV value under the Polish rules, with the regime that applies [PLN/yr].

    ``value = E_self * p_retail + sum_m E_export,m * RCEm_m * f``, with ``f`` the deposit factor 1.23
    for a micro-installation (<= 50 kW, prosumer net-billing) and 1 above it (no prosumer deposit; the
    energy is sold, valued here at the same monthly market price).

    Parameters
    ----------
    self_consumed_kwh : array (n,)
        Self-consumed PV energy [kWh/yr], valued at the retail price the building pays.
    exported_kwh_by_month : array (n, 12)
        Exported energy per calendar month [kWh].
    capacity_kw : array (n,)
        Installed capacity of the installation [kW] (decides the regime).
    retail_price_pln_per_kwh : float
        The price the building buys grid electricity at (energy + variable distribution) [PLN/kWh].
    rcem_pln_per_kwh_by_month : array (12,), optional
        Monthly market prices [PLN/kWh]; defaults to the packaged RCEm.
    market_value_pln : array (n,), optional
        Export already valued hour by hour at a given RCE series [PLN/yr]; replaces the monthly RCEm
        (the deposit factor still applies to micro-installations).

    Returns
    -------
    dict with ``value_pln_per_year``, ``self_consumption_value_pln_per_year``,
    ``export_value_pln_per_year`` (n,), ``regime`` (n,) of str and ``deposit_factor`` (n,).
    """
    sc = np.asarray(self_consumed_kwh, float)
    ex = np.asarray(exported_kwh_by_month, float).reshape(len(sc), 12)
    price = (
        rcem_pln_per_kwh()[0] if rcem_pln_per_kwh_by_month is None else np.asarray(rcem_pln_per_kwh_by_month)
    )
    if price.shape != (12,) or np.any(~np.isfinite(price) | (price < 0)):
        raise PVInputError("rcem_pln_per_kwh_by_month: 12 finite prices >= 0 expected")
    micro = np.asarray(capacity_kw, float) <= micro_installation_max_kw()
    factor = np.where(micro, _rule("deposit_factor"), 1.0)
    market = ex @ price if market_value_pln is None else np.asarray(market_value_pln, float)
    export_value = market * factor
    own_value = sc * float(retail_price_pln_per_kwh)
    regime = np.where(
        micro,
        "micro-installation, prosumer net-billing (RES Act art. 4b): export at RCEm x 1.23",
        "above 50 kW, not a micro-installation (RES Act art. 2 pkt 19): export sold at RCEm, no deposit factor",
    )
    return {
        "value_pln_per_year": own_value + export_value,
        "self_consumption_value_pln_per_year": own_value,
        "export_value_pln_per_year": export_value,
        "regime": regime,
        "deposit_factor": factor,
    }
