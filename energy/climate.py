"""Climate: packaged Polish typical years, user PVGIS/EPW files, monthly climate for the balance.

Conventions
-----------
``Climate.hourly`` has 8760 rows, pvlib column names (ghi, dni, dhi [W/m^2], temp_air [degC],
wind_speed [m/s]) and a tz-aware index whose label is the **start** of each hourly interval
(pvlib's ``read_epw`` convention). Solar geometry is evaluated at the middle of the interval.

References
----------
.. [1] Ministry (MIiR) typical meteorological years for energy-performance calculations, IMGW
   data 1971-2000, EPW copies; see ``energy/data/SOURCES.md``.
.. [2] Perez R. et al. (1990), Modeling daylight availability and irradiance components from
   direct and global irradiance, Solar Energy 44(5), 271-289 (transposition, via pvlib).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pvlib

from energy.errors import ClimateDataError

COLUMNS = ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
EARTH_RADIUS_KM = 6371.0088
REFERENCE_YEAR = 2005  # the dummy year of the ministry EPW files (non-leap)
ORIENTATIONS = {"n": 0.0, "e": 90.0, "s": 180.0, "w": 270.0}
GROUND_ALBEDO = 0.2  # EN ISO 52010-1:2017 default ground reflectance


@dataclass
class Climate:
    """One typical year of hourly weather at a site.

    Attributes
    ----------
    name, station_id : str
    lat, lon : float [deg]; altitude_m : float [m]
    hourly : DataFrame, 8760 rows, columns ``COLUMNS``, tz-aware interval-start index
    source : str, where the data come from; period : str, years the typical year stands for
    """

    name: str
    station_id: str
    lat: float
    lon: float
    altitude_m: float
    hourly: pd.DataFrame
    source: str
    period: str
    _monthly: pd.DataFrame | None = field(default=None, repr=False, compare=False)


def _data_path(name: str):
    return resources.files("energy.data").joinpath("climate", name)


@lru_cache(maxsize=1)
def list_stations() -> pd.DataFrame:
    """Packaged stations: station_id, name, lat, lon, altitude_m, period, annual GHI, provenance."""
    with _data_path("stations.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"station_id": str})


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance [km] between points given in degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def nearest_station(lat, lon) -> np.ndarray:
    """Station id of the nearest packaged station for each point (vectorised haversine).

    Parameters
    ----------
    lat, lon : array_like [deg]

    Returns
    -------
    numpy.ndarray of str, same length as ``lat``
    """
    st = list_stations()
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    d = haversine_km(lat[:, None], lon[:, None], st["lat"].to_numpy(), st["lon"].to_numpy())
    return st["station_id"].to_numpy()[np.argmin(d, axis=1)]


def _year_index(tz: str) -> pd.DatetimeIndex:
    return pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=8760, freq="h", tz=tz)


@lru_cache(maxsize=1)
def _conventions() -> pd.Series:
    with resources.files("energy.data").joinpath("climate_conventions.csv").open("r") as fh:
        return pd.read_csv(fh).set_index("parameter")["value"]


@lru_cache(maxsize=32)
def _load_station_cached(station_id: str) -> Climate:
    st = list_stations().set_index("station_id")
    if station_id not in st.index:
        raise ClimateDataError(f"station_id '{station_id}': no packaged climate for this station")
    row = st.loc[station_id]
    with _data_path(f"{station_id}.csv.gz").open("rb") as fh:
        hourly = pd.read_csv(fh, compression="gzip").astype(float)
    tz_offset = int(row["tz_offset_h"])
    # the ministry's hourly values are centred on the full hour of their label, not on its middle:
    # shift the interval-start index so that start + 30 min is that centre (climate_conventions.csv)
    centre = float(_conventions()["ministry_hour_centre_after_label_min"])
    hourly.index = _year_index(f"Etc/GMT{-tz_offset:+d}") + pd.Timedelta(minutes=centre - 30.0)
    return Climate(
        name=str(row["name"]),
        station_id=station_id,
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        altitude_m=float(row["altitude_m"]),
        hourly=hourly[COLUMNS],
        source=f"MIiR/IMGW typical meteorological year ({row['epw_file']})",
        period=str(row["period"]),
    )


def load_station(station_id: str) -> Climate:
    """Packaged ministry (IMGW) typical year of one station (cached; treat as read-only)."""
    return _load_station_cached(str(station_id))


def _validate_hourly(df: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ClimateDataError(f"{what}: missing column(s) {missing}")
    df = df[COLUMNS]
    if len(df) == 8784:  # leap year: drop 29 February, as TMY conventions do
        df = df[~((df.index.month == 2) & (df.index.day == 29))]
    if len(df) < 8760:
        raise ClimateDataError(f"{what}: {len(df)} hourly rows, a full year needs 8760 (truncated?)")
    if len(df) > 8760:
        raise ClimateDataError(f"{what}: {len(df)} hourly rows, expected one year of 8760")
    numeric = df.apply(pd.to_numeric, errors="coerce")
    empty = numeric.isna().all(axis=1).to_numpy()
    if empty[-1]:
        complete = int(np.argmax(empty))
        raise ClimateDataError(f"{what}: truncated, only {complete} of 8760 hourly rows present")
    bad = numeric.isna()
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise ClimateDataError(f"{what}: non-numeric or missing value in row {row}, column {COLUMNS[col]}")
    for col in ("ghi", "dni", "dhi"):
        neg = numeric[col].to_numpy() < -0.5
        if neg.any():
            row = int(np.argmax(neg))
            raise ClimateDataError(f"{what}: negative irradiance {col}={numeric[col].iloc[row]} in row {row}")
    if numeric["ghi"].max() > 1400 or numeric["dni"].max() > 1400:
        raise ClimateDataError(f"{what}: irradiance above 1400 W/m2, impossible at the ground")
    if not numeric["temp_air"].between(-60, 60).all():
        raise ClimateDataError(f"{what}: air temperature outside -60..60 degC")
    return numeric.clip(lower={"ghi": 0, "dni": 0, "dhi": 0, "temp_air": -60, "wind_speed": 0})


CLIMATE_FORMATS = ("epw", "csv", "json")


def climate_format(content: bytes, filename: str | None) -> str | None:
    """The format of an uploaded climate file: its extension when it names one, else what the
    content shows (an EPW opens with its ``LOCATION`` record, a PVGIS TMY csv with ``Latitude``, a
    PVGIS json with ``{``), so that a file saved without its extension is still read; None when
    neither tells."""
    ext = (filename or "").lower().rsplit(".", 1)[-1] if "." in (filename or "") else ""
    if ext in CLIMATE_FORMATS:
        return ext
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"LOCATION,"):
        return "epw"
    if head.startswith(b"Latitude"):
        return "csv"
    if head.startswith(b"{"):
        return "json"
    return None


def read_user_climate(content: bytes, filename: str, name: str) -> Climate:
    """Read a PVGIS TMY (csv or json) or an EPW file through :mod:`pvlib.iotools`.

    Raises
    ------
    ClimateDataError
        Unknown format, unparsable/truncated file, fewer than 8760 hours, non-numeric cells,
        negative irradiance or impossible temperatures; the message says which.
    """
    what = f"climate file '{filename}'"
    if not content.strip():
        raise ClimateDataError(f"{what}: the file is empty")
    ext = climate_format(content, filename)
    if ext is None:
        named = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
        raise ClimateDataError(
            f"{what}: unknown format '.{named}', expected .epw, .csv or .json"
            if named
            else f"{what}: its format is not recognisable, expected a PVGIS TMY (.csv, .json) or an EPW file"
        )
    try:
        if ext == "epw":
            data, meta = pvlib.iotools.read_epw(io.StringIO(content.decode("latin-1")))
            lat, lon, alt = meta["latitude"], meta["longitude"], meta["altitude"]
            station, source = str(meta.get("WMO_code", "user")), f"EPW upload '{filename}'"
        else:  # a PVGIS TMY, csv or json
            buf = io.BytesIO(content) if ext == "csv" else io.StringIO(content.decode("utf-8"))
            data, meta = pvlib.iotools.read_pvgis_tmy(buf, pvgis_format=ext)
            inputs: dict[str, Any] = meta.get("inputs", meta) if isinstance(meta, dict) else {}
            loc = inputs.get("location", inputs)
            lat, lon, alt = loc["latitude"], loc["longitude"], loc.get("elevation", 0.0)
            station, source = "user", f"PVGIS TMY upload '{filename}'"
    except Exception as exc:  # pvlib raises many types on malformed files
        reason = (
            f"missing header field {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        )
        raise ClimateDataError(f"{what}: cannot be parsed as .{ext} ({reason})") from exc
    hourly = _validate_hourly(pd.DataFrame(data), what)
    idx = hourly.index
    if ext != "epw":  # PVGIS TMY months come from different years: put them on one year
        idx = pd.DatetimeIndex([t.replace(year=REFERENCE_YEAR) for t in idx.tz_convert("UTC")], tz="UTC")
    hourly = hourly.set_axis(idx).sort_index()
    months = "EPW year as uploaded" if ext == "epw" else "PVGIS TMY (months from several years)"
    return Climate(name, station, float(lat), float(lon), float(alt), hourly, source, months)


@lru_cache(maxsize=1)
def _pv_scaling() -> pd.Series:
    with resources.files("energy.data").joinpath("pv_climate_scaling.csv").open("r") as fh:
        return pd.read_csv(fh).set_index("parameter")["value"]


def pv_climate(climate: Climate) -> Climate:
    """Climate used for PV yield (documented default).

    The ministry typical years (1971-2000) run 10-15 % low on solar radiation against recent
    satellite data. For packaged stations the hourly GHI is multiplied by one factor,
    PVGIS-SARAH3 TMY 2005-2023 over MIiR TMY annual GHI at Warsaw (1141.4 / 978.1), see
    ``energy/data/pv_climate_scaling.csv``, and split again into beam and diffuse with the
    Erbs-Driesse model (Driesse et al. 2024, pvlib) on the station's sun positions. No per-station
    satellite climatology was available offline, so the Warsaw ratio is applied at every station;
    uploading a PVGIS TMY for the site is recommended and is used unchanged.
    """
    if not climate.source.startswith("MIiR/IMGW"):
        return climate
    factor = float(_pv_scaling()["irradiance_scale_factor"])
    hourly = climate.hourly.copy()
    ghi = hourly["ghi"].to_numpy() * factor
    # Only GHI is scaled; beam and diffuse are split again from it on the station's own sun positions
    # (Erbs-Driesse decomposition), instead of keeping the files' diffuse-heavy split (0.65-0.75
    # against 0.47 in PVGIS-SARAH3).
    mid = hourly.index + pd.Timedelta(minutes=30)
    sp = pvlib.solarposition.get_solarposition(mid, climate.lat, climate.lon, climate.altitude_m)
    zenith = sp["zenith"].to_numpy()
    dni_extra = pvlib.irradiance.get_extra_radiation(mid).to_numpy()
    split = pvlib.irradiance.erbs_driesse(ghi, zenith, datetime_or_doy=mid, dni_extra=dni_extra)
    # beam cannot exceed the extraterrestrial beam (low-sun hours of a high clearness index); the
    # diffuse takes the rest, so that ghi = dhi + dni cos(zenith) still holds
    dni = np.minimum(np.nan_to_num(np.asarray(split["dni"], dtype=float)), dni_extra)
    cos_z = np.clip(np.cos(np.radians(zenith)), 0.0, None)
    hourly["ghi"] = ghi
    hourly["dni"] = dni
    hourly["dhi"] = np.clip(ghi - dni * cos_z, 0.0, None)
    return replace(
        climate,
        hourly=hourly,
        source=f"{climate.source}, GHI x{factor:.3f} to PVGIS-SARAH3 2005-2023 level, beam and diffuse "
        "re-split by Erbs-Driesse (pvlib)",
        _monthly=None,
    )


def monthly_climate(climate: Climate) -> pd.DataFrame:
    """Monthly climate for the monthly balance (cached on the object).

    Returns
    -------
    DataFrame, index month 1..12, columns: t_ext_c [degC] mean air temperature, hours [h],
    hdd_15_k_day [K day] heating degree days base 15 degC from daily means, and
    i_sol_{hor,n,e,s,w}_kwh_m2 [kWh/m^2] solar irradiation on the horizontal and on vertical
    planes facing N/E/S/W (Perez transposition, ground albedo 0.2).
    """
    if climate._monthly is not None:
        return climate._monthly
    h = climate.hourly
    mid = h.index + pd.Timedelta(minutes=30)
    sp = pvlib.solarposition.get_solarposition(mid, climate.lat, climate.lon, climate.altitude_m)
    zenith, sun_azimuth = sp["apparent_zenith"].to_numpy(), sp["azimuth"].to_numpy()
    dni_extra = pvlib.irradiance.get_extra_radiation(mid).to_numpy()
    airmass = pvlib.atmosphere.get_relative_airmass(zenith)
    dni, ghi, dhi = (h[c].to_numpy() for c in ("dni", "ghi", "dhi"))
    month = h.index.month
    out = pd.DataFrame(index=pd.RangeIndex(1, 13, name="month"))
    out["t_ext_c"] = h["temp_air"].groupby(month).mean().to_numpy()
    out["hours"] = h["temp_air"].groupby(month).size().to_numpy().astype(float)
    daily = h["temp_air"].groupby(h.index.date).mean()
    hdd = np.clip(15.0 - daily.to_numpy(), 0, None)
    out["hdd_15_k_day"] = pd.Series(hdd).groupby(pd.DatetimeIndex(daily.index).month).sum().to_numpy()
    out["i_sol_hor_kwh_m2"] = h["ghi"].groupby(month).sum().to_numpy() / 1000.0
    for key, azimuth in ORIENTATIONS.items():
        poa = pvlib.irradiance.get_total_irradiance(
            90.0,
            azimuth,
            zenith,
            sun_azimuth,
            dni,
            ghi,
            dhi,
            dni_extra=dni_extra,
            airmass=airmass,
            albedo=GROUND_ALBEDO,
            model="perez",
        )["poa_global"]
        poa = pd.Series(np.nan_to_num(np.asarray(poa, dtype=float)), index=h.index)
        out[f"i_sol_{key}_kwh_m2"] = poa.groupby(month).sum().to_numpy() / 1000.0
    climate._monthly = out
    return out
