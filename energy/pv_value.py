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

import numpy as np

from energy.pv_params import PVInputError, PVParams


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
