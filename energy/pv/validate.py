"""Input checks of the PV engine: each failure is a PVInputError naming row/field and reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy.pv.params import PVInputError

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
IRRADIANCE_MAX_W_M2 = 1500.0  # above the solar constant at ground level: impossible


def check_weather(weather: pd.DataFrame) -> None:
    """Check an hourly pvlib-style weather frame; raise PVInputError naming column and time."""
    if not isinstance(weather, pd.DataFrame):
        raise PVInputError(f"weather: expected a pandas DataFrame, got {type(weather).__name__}")
    missing = [c for c in WEATHER_COLUMNS if c not in weather.columns]
    if missing:
        raise PVInputError(f"weather: missing columns {missing} (need {list(WEATHER_COLUMNS)})")
    if not isinstance(weather.index, pd.DatetimeIndex) or weather.index.tz is None:
        raise PVInputError("weather.index: must be a tz-aware DatetimeIndex")
    if len(weather) == 0:
        raise PVInputError("weather: no rows")
    if len(weather) > 1:
        # in hours whatever the index resolution (pandas 3 infers s/ms/us, not always ns)
        steps = np.diff(weather.index.to_numpy()) / np.timedelta64(1, "h")
        # typical years (TMY) join months from different years: a jump is allowed at a month change
        month = weather.index.month.to_numpy()
        bad = ~np.isclose(steps, 1.0) & (month[1:] == month[:-1])
        if bad.any():
            at = weather.index[1 + int(bad.argmax())]
            raise PVInputError(f"weather.index at {at}: time steps must be exactly 1 hour (hourly data)")
    for col in WEATHER_COLUMNS:
        values = pd.to_numeric(weather[col], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise PVInputError(
                f"weather[{col!r}] at {weather.index[bad.argmax()]}: missing or non-numeric value"
            )
        if col in ("ghi", "dni", "dhi", "wind_speed"):
            neg = values < 0
            if neg.any():
                raise PVInputError(
                    f"weather[{col!r}] at {weather.index[neg.argmax()]}: negative value {values[neg][0]}"
                )
        if col in ("ghi", "dni", "dhi") and (values > IRRADIANCE_MAX_W_M2).any():
            at = weather.index[(values > IRRADIANCE_MAX_W_M2).argmax()]
            raise PVInputError(f"weather[{col!r}] at {at}: irradiance above {IRRADIANCE_MAX_W_M2} W/m2")


def check_site(lat: float, lon: float, altitude_m: float) -> None:
    """Raise PVInputError for an impossible site location."""
    for name, value, lo, hi in (
        ("lat", lat, -90, 90),
        ("lon", lon, -180, 180),
        ("altitude_m", altitude_m, -500, 9000),
    ):
        try:
            ok = lo <= float(value) <= hi
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise PVInputError(f"{name}: {value!r} outside {lo}..{hi}")


def numeric_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Float column of a table (NaN where empty); a non-numeric cell raises naming row and field."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    raw = frame[name]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        row = bad.index[bad.to_numpy().argmax()]
        raise PVInputError(f"row {row!r}, field {name!r}: {raw[row]!r} is not a number")
    return values.to_numpy(dtype=float)


def as_float_array(values, name: str, n: int | None = None) -> np.ndarray:
    """1-D float array of length n (a scalar is broadcast); error names the field."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise PVInputError(f"{name}: not numeric ({exc})") from None
    if arr.ndim == 0 and n is not None:
        arr = np.full(n, float(arr))
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise PVInputError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise PVInputError(f"{name}: length {arr.size} differs from {n}")
    return arr


def check_range(arr: np.ndarray, name: str, lo: float, hi: float, labels=None, allow_nan=False) -> None:
    """Raise PVInputError naming the first row with a value outside [lo, hi] (or NaN)."""
    bad = (arr < lo) | (arr > hi)
    if not allow_nan:
        bad |= np.isnan(arr)
    if bad.any():
        i = int(bad.argmax())
        row = labels[i] if labels is not None else i
        raise PVInputError(f"row {row!r}, field {name!r}: {arr[i]} outside {lo}..{hi}")


def roof_arrays(tilt_deg, azimuth_deg, kwp, shading_factor, labels=None):
    """Validated float arrays (tilt, azimuth, kwp, shading or None) of equal length."""
    tilt = as_float_array(tilt_deg, "tilt_deg")
    n = tilt.size
    azim = as_float_array(azimuth_deg, "azimuth_deg", n)
    kwp_arr = as_float_array(kwp, "kwp", n)
    check_range(tilt, "tilt_deg", 0.0, 90.0, labels)
    check_range(azim, "azimuth_deg", 0.0, 360.0, labels)
    check_range(kwp_arr, "kwp", 0.0, np.inf, labels)
    shade = None
    if shading_factor is not None:
        shade = as_float_array(shading_factor, "shading_factor", n)
        check_range(shade, "shading_factor", 0.0, 1.0, labels)
    return tilt, azim, kwp_arr, shade
