"""Hourly AC yield of many rooftop PV arrays at one site, vectorised over roofs.

The chain is the one of ``pvlib.modelchain.ModelChain`` with a PVWatts system
(solar position -> Perez or Hay-Davies transposition -> physical IAM on the beam ->
SAPM or Faiman cell temperature -> PVWatts DC -> PVWatts losses -> PVWatts inverter),
re-arranged so that everything that depends on the hour only is computed once per
site and everything that depends on the roof is a broadcast over (daylight hours x roofs):

* the cosine of the angle of incidence is a matrix product
  ``cos(aoi) = [cos z, sin z cos A, sin z sin A] @ [cos b, sin b cos g, sin b sin g]^T``
  (z, A solar zenith and azimuth; b, g surface tilt and azimuth);
* the Perez brightness coefficients F1, F2 (Perez et al. 1990) and the Hay-Davies
  anisotropy index depend on the hour only; the sky diffuse is then a sum of rank-one
  terms and one term proportional to ``max(cos aoi, 0)``.

References
----------
Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
Perez, R. et al. (1990). Solar Energy 44(5), 271-289.
Hay, J. E., Davies, J. A. (1980). Proc. First Canadian Solar Radiation Data Workshop, 59.
King, D. L. et al. (2004). Photovoltaic Array Performance Model. SAND2004-3535.
Faiman, D. (2008). Prog. Photovolt. 16, 307-315.
Holmgren, W. F. et al. (2018). pvlib python. JOSS 3(29), 884.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from pvlib import atmosphere, iam, irradiance
from pvlib.location import Location

from energy.pv.params import PVInputError, PVParams, combined_losses_pct
from energy.pv.validate import check_site, check_weather, roof_arrays

# physical IAM (PVWatts: n=1.526, K=4 /m, L=2 mm) tabulated on cos(aoi); linear
# interpolation error < 1e-5 away from grazing incidence, where the beam is ~0 anyway
_IAM_COS_GRID = np.linspace(0.0, 1.0, 4001)
_IAM_TABLE = iam.physical(np.degrees(np.arccos(_IAM_COS_GRID)))
_IAM_SLOPE = np.append(np.diff(_IAM_TABLE), 0.0)


CHUNK_ROOFS = 16  # roofs per chunk: (daylight hours x 16) float64 arrays stay in cache


@dataclass
class SiteSun:
    """Per-site, per-hour quantities shared by all roofs (daylight hours only)."""

    n_hours: int
    day_rows: np.ndarray  # indices of hours with any irradiance
    sun_vec: np.ndarray  # (n_day, 3): cos z, sin z cos A, sin z sin A
    dni: np.ndarray
    dhi: np.ndarray
    ghi: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    sky_iso: np.ndarray  # isotropic sky term multiplying (1 + cos tilt) [W/m^2]
    sky_beam: np.ndarray  # circumsolar term multiplying max(cos aoi, 0) [W/m^2]
    sky_horizon: np.ndarray  # horizon-brightening term multiplying sin tilt [W/m^2]


def site_sun(weather: pd.DataFrame, lat: float, lon: float, altitude_m: float, params: PVParams) -> SiteSun:
    """Solar position, airmass and sky-model coefficients, computed once for a site.

    Parameters
    ----------
    weather : DataFrame
        Hourly ghi, dni, dhi [W/m^2], temp_air [degC], wind_speed [m/s]; tz-aware index.
    lat, lon : float
        Site latitude and longitude [deg].
    altitude_m : float
        Site altitude [m].
    params : PVParams

    Returns
    -------
    SiteSun
    """
    check_weather(weather)
    check_site(lat, lon, altitude_m)
    times = weather.index + pd.Timedelta(minutes=params.solar_position_shift_minutes)
    temp_air = weather["temp_air"].to_numpy(float)
    solpos = Location(lat, lon, altitude=altitude_m).get_solarposition(times, temperature=temp_air)
    ghi, dni, dhi = (weather[c].to_numpy(float) for c in ("ghi", "dni", "dhi"))
    day = (ghi > 0) | (dni > 0) | (dhi > 0)
    rows = np.flatnonzero(day)
    zen = solpos["apparent_zenith"].to_numpy()[rows]
    azi = np.radians(solpos["azimuth"].to_numpy()[rows])
    cz, sz = np.cos(np.radians(zen)), np.sin(np.radians(zen))
    ghi, dni, dhi = ghi[rows], dni[rows], dhi[rows]
    dni_extra = irradiance.get_extra_radiation(times).to_numpy()[rows]
    airmass = atmosphere.get_relative_airmass(zen, model="kastenyoung1989")
    if params.transposition_model == "perez":
        iso, beam, horizon = _perez_terms(zen, cz, dhi, dni, dni_extra, airmass)
    else:
        ai = dni / dni_extra
        iso = np.maximum(dhi * (1 - ai), 0) * 0.5
        beam = dhi * ai / np.maximum(cz, 0.01745)
        horizon = np.zeros_like(dhi)
    return SiteSun(
        n_hours=len(weather),
        day_rows=rows,
        sun_vec=np.column_stack([cz, sz * np.cos(azi), sz * np.sin(azi)]),
        dni=dni,
        dhi=dhi,
        ghi=ghi,
        temp_air=temp_air[rows],
        wind_speed=weather["wind_speed"].to_numpy(float)[rows],
        sky_iso=iso,
        sky_beam=beam,
        sky_horizon=horizon,
    )


@lru_cache(maxsize=1)
def perez_coefficients() -> tuple[np.ndarray, np.ndarray]:
    """The Perez et al. (1990) all-sites-composite table, F1 and F2 rows by sky-clearness bin.

    Returns
    -------
    f1, f2 : ndarray of shape (8, 3)
        ``[f11, f12, f13]`` and ``[f21, f22, f23]`` of the eight epsilon bins [-], from
        ``energy/data/pv_perez_coefficients.csv`` (the table ``pvlib.irradiance.perez`` uses as
        'allsitescomposite1990'; pvlib has no public accessor for it).
    """
    with (
        resources.files("energy.data").joinpath("pv_perez_coefficients.csv").open("r", encoding="utf-8") as fh
    ):
        table = pd.read_csv(fh).pivot(index="epsilon_bin", columns="coefficient", values="value")
    return (
        table[["f11", "f12", "f13"]].to_numpy(dtype=float),
        table[["f21", "f22", "f23"]].to_numpy(dtype=float),
    )


def _perez_terms(zen, cz, dhi, dni, dni_extra, airmass):
    """Hourly Perez terms; same equations and 'allsitescomposite1990' table as pvlib.irradiance.perez.

    The table is :func:`perez_coefficients` (a data file with its source): ``irradiance.perez``
    returns only per-surface components, while these roof-independent terms are computed once per
    hour for all roofs. The ModelChain agreement test fails if the file and pvlib's table part.
    """
    kappa = 1.041
    z = np.radians(zen)
    delta = dhi * airmass / dni_extra
    with np.errstate(invalid="ignore", divide="ignore"):
        eps = ((dhi + dni) / dhi + kappa * z**3) / (1 + kappa * z**3)
    ebin = np.digitize(eps, (0.0, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2)) - 1
    valid = np.isfinite(eps) & np.isfinite(airmass) & (ebin >= 0) & (dhi > 0)
    ebin = np.where(valid, ebin, 0)
    f1c, f2c = perez_coefficients()
    f1 = np.maximum(f1c[ebin, 0] + f1c[ebin, 1] * delta + f1c[ebin, 2] * z, 0)
    f2 = f2c[ebin, 0] + f2c[ebin, 1] * delta + f2c[ebin, 2] * z
    # no sky diffuse below the horizon (pvlib: NaN airmass) or without diffuse light
    d = np.where(valid, dhi, 0.0)
    f1, f2 = np.where(valid, f1, 0.0), np.where(valid, f2, 0.0)
    b = np.maximum(cz, np.cos(np.radians(85.0)))
    return 0.5 * d * (1 - f1), d * f1 / b, d * f2


def iter_ac_chunks(
    sun: SiteSun,
    tilt_deg: np.ndarray,
    azimuth_deg: np.ndarray,
    mount_flat: np.ndarray,
    loss_pct: np.ndarray,
    params: PVParams,
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(roof_slice, ac_kw_per_kwp)`` with ``ac`` of shape (n_daylight_hours, m).

    Roofs are cut into contiguous chunks whose working set stays in cache and always below
    ``params.max_chunk_bytes``. Racked flat-roof and flush pitched-roof arrays differ only in
    their cell-temperature parameters, chosen per column.
    """
    per_roof_bytes = max(len(sun.day_rows), 1) * 8 * 8  # about eight live float64 (hours x m) arrays
    chunk = max(1, min(CHUNK_ROOFS, int(params.max_chunk_bytes // per_roof_bytes)))
    factor_flat = _temperature_factor(sun, params, "flat")
    factor_pitched = _temperature_factor(sun, params, "pitched")
    for start in range(0, len(tilt_deg), chunk):
        idx = slice(start, min(start + chunk, len(tilt_deg)))
        factor = np.where(mount_flat[idx][None, :], factor_flat[:, None], factor_pitched[:, None])
        ac = _ac_per_kwp(sun, tilt_deg[idx], azimuth_deg[idx], loss_pct[idx], factor, params)
        yield idx, ac


def _temperature_factor(sun: SiteSun, params: PVParams, mount: str) -> np.ndarray:
    """Cell temperature is ``poa_global * factor + temp_air`` [degC]; factor [degC m^2/W]."""
    p = params.temperature_parameters(mount)
    if params.temperature_model == "sapm":  # King et al. 2004, eqs. 11-12
        return np.exp(p["a"] + p["b"] * sun.wind_speed) + p["deltaT"] / 1000.0
    return 1.0 / (p["u0"] + p["u1"] * sun.wind_speed)  # Faiman 2008


def _ac_per_kwp(sun, tilt, azimuth, loss_pct, temp_factor, params):
    """AC power per kWp [kW/kWp] of m roofs over the daylight hours, shape (n_day, m)."""
    tr, ar = np.radians(tilt), np.radians(azimuth)
    ct, st = np.cos(tr), np.sin(tr)
    cos_aoi = sun.sun_vec @ np.vstack([ct, st * np.cos(ar), st * np.sin(ar)])
    np.clip(cos_aoi, 0.0, 1.0, out=cos_aoi)  # pvlib clips to [-1, 1]; the beam needs > 0
    beam = cos_aoi * sun.dni[:, None]
    # sky diffuse: rank-one isotropic + horizon terms (one matrix product) + circumsolar
    sky = np.column_stack([sun.sky_iso, sun.sky_horizon]) @ np.vstack([1 + ct, st])
    sky += cos_aoi * sun.sky_beam[:, None]
    np.maximum(sky, 0.0, out=sky)
    sky += np.outer(sun.ghi * (0.5 * params.albedo), 1 - ct)  # + ground-reflected diffuse
    effective = _physical_iam(cos_aoi)
    effective *= beam
    effective += sky
    beam += sky  # now the plane-of-array global irradiance, drives the cell temperature
    return _pvwatts(effective, beam, temp_factor, sun.temp_air, loss_pct, params)


def _physical_iam(cos_aoi: np.ndarray) -> np.ndarray:
    """pvlib.iam.physical as a function of cos(aoi) by linear interpolation on a uniform grid."""
    x = cos_aoi * (_IAM_COS_GRID.size - 1)
    k = x.astype(np.intp)
    np.minimum(k, _IAM_COS_GRID.size - 2, out=k)
    x -= k
    x *= _IAM_SLOPE.take(k)
    x += _IAM_TABLE.take(k)
    return x


def _pvwatts(effective, poa_global, temp_factor, temp_offset, loss_pct, params):
    """PVWatts DC, losses and inverter per kWp (Dobos 2014, eqs. 1-6) [kW/kWp].

    ``pdc = G_eff / 1000 * (1 + gamma (T_cell - 25)) * (1 - L / 100)`` with
    ``T_cell = poa_global * temp_factor + temp_offset``, temp_factor (hours x roofs) [degC m^2/W],
    temp_offset (hours,) [degC]; the inverter efficiency
    ``eta = eta_nom / eta_ref * (-0.0162 zeta - 0.0059 / zeta + 0.9858)``, ``zeta = pdc / pdc0_inv``,
    gives ``pac = eta * pdc`` clipped to ``[0, eta_nom * pdc0_inv]``; since ``pdc / zeta`` is the
    constant ``pdc0_inv``, ``pac`` is a quadratic in ``pdc`` and needs no division.
    """
    gamma = params.gamma_pdc
    pdc = poa_global
    pdc *= temp_factor
    pdc *= gamma
    pdc += (1.0 + gamma * (temp_offset - 25.0))[:, None]
    pdc *= effective
    pdc *= (0.001 * (1 - loss_pct / 100.0))[None, :]
    eta_nom = params.inverter_efficiency_nominal
    scale = eta_nom / params.inverter_efficiency_reference
    pdc0_inv = 1.0 / (params.dc_ac_ratio * eta_nom)  # inverter DC limit per kWp
    ac = pdc * (-0.0162 * scale / pdc0_inv)
    ac += 0.9858 * scale
    ac *= pdc
    ac -= 0.0059 * scale * pdc0_inv  # at pdc == 0 this is < 0 and is clipped to 0 as in pvlib
    np.clip(ac, 0.0, eta_nom * pdc0_inv, out=ac)
    return ac


def simulate_ac(
    weather: pd.DataFrame,
    lat: float,
    lon: float,
    altitude_m: float,
    tilt_deg,
    azimuth_deg,
    kwp,
    params: PVParams | None = None,
    shading_factor=None,
    *,
    flat_mount=None,
    dtype=np.float64,
) -> np.ndarray:
    """Hourly AC energy of n rooftop arrays at one site [kWh per hour], shape (n_hours, n).

    Parameters
    ----------
    weather : DataFrame
        Hourly ghi, dni, dhi [W/m^2], temp_air [degC], wind_speed [m/s], tz-aware index.
    lat, lon : float
        Site latitude, longitude [deg].
    altitude_m : float
        Site altitude [m].
    tilt_deg, azimuth_deg : array (n,)
        Module tilt [deg, 0..90] and azimuth [deg, 0..360, 180 = south].
    kwp : array (n,)
        DC nameplate [kWp].
    params : PVParams, optional
    shading_factor : array (n,), optional
        Share of irradiation lost to shading [-]; replaces the PVWatts default shading loss.
    flat_mount : bool array (n,), optional
        True for racked arrays on flat roofs (open-rack temperature parameters); default
        all False (flush-mounted, close-roof-mount temperature parameters).
    dtype : numpy dtype
        Output dtype (float32 halves the memory of large runs).

    Returns
    -------
    ndarray (n_hours, n)
        AC energy per hour [kWh]; zero at night.
    """
    params = params or PVParams()
    tilt, azim, kwp_arr, shade = roof_arrays(tilt_deg, azimuth_deg, kwp, shading_factor)
    flat = np.zeros(len(tilt), bool) if flat_mount is None else np.asarray(flat_mount, bool)
    if flat.shape != tilt.shape:
        raise PVInputError(f"flat_mount: length {flat.size} differs from tilt_deg length {tilt.size}")
    sun = site_sun(weather, lat, lon, altitude_m, params)
    loss = roof_losses_pct(shade, params, len(tilt))
    out = np.zeros((sun.n_hours, len(tilt)), dtype=dtype)
    for idx, ac in iter_ac_chunks(sun, tilt, azim, flat, loss, params):
        ac *= kwp_arr[idx]
        out[sun.day_rows, idx] = ac
    return out


def roof_losses_pct(shading_factor, params: PVParams, n: int) -> np.ndarray:
    """Combined PVWatts loss per roof [%]; a roof's shading factor replaces the default
    shading loss (NaN or None keeps the default)."""
    if shading_factor is None:
        return np.full(n, params.system_losses_pct)
    shade = np.asarray(shading_factor, dtype=float)
    shading_pct = np.where(np.isnan(shade), params.loss_components_pct["shading"], 100.0 * shade)
    return np.asarray(combined_losses_pct(params.loss_components_pct, shading_pct), float)
