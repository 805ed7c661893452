"""Building typology: defaults by building type and construction era, geometry, load profiles.

Every default comes from ``energy/data/typology_envelope.csv`` (U-values, g, infiltration,
thermal bridges, heat capacity by Polish regulation era), ``typology_usage.csv`` (set-points,
ventilation rates, occupant gains, DHW, electricity, schedules by building type) and
``typology_ventilation.csv`` (ventilation system and heat-recovery efficiency by building type and
era) and ``typology_airtightness.csv`` (design n50 of new buildings, from which their infiltration
follows), each value with source, year and grade (A/B/C sourced, ENG engineering default).

Geometry (compactness assumptions, engineering defaults)
--------------------------------------------------------
footprint = heated_area / storeys; rectangular plan with the type's length/width ratio r:
perimeter = 2 (sqrt(A r) + sqrt(A / r)); gross wall = perimeter x storeys x storey height;
windows = window_to_wall_ratio x gross wall, spread equally over N/E/S/W; roof and ground floor
= footprint (roof area, tilt, azimuth and shading for PV are left to :mod:`energy.pv`); ventilated volume = heated_area x (storey height - 0.3 m slab).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from energy.balance import constants
from energy.errors import EnergyInputError

BUILDING_TYPES = (
    "school", "kindergarten", "office", "healthcare", "sports_hall", "culture", "social_housing", "other",
)  # fmt: skip
VENTILATION_SYSTEMS = ("natural", "exhaust", "balanced", "balanced_hr")
MAX_HEAT_RECOVERY = 0.95  # above any seasonal efficiency of a real recovery unit (plausibility bound)
ELEMENTS = {"wall": "u_wall_w_m2k", "roof": "u_roof_w_m2k", "window": "u_window_w_m2k"}
SLAB_THICKNESS_M = 0.3  # engineering default, storey height minus slab = clear height
PITCHED_BEFORE_YEAR = 1960  # engineering default: older municipal buildings mostly pitched roofs
OPTIONAL_INPUTS = {
    "window_to_wall_ratio": np.nan, "roof_type": None, "roof_tilt_deg": np.nan,
    "roof_azimuth_deg": np.nan, "roof_shading_factor": np.nan, "existing_pv_kwp": 0.0,
    "roof_area_m2": np.nan, "dhw_system": None, "led_lighting": False, "bms": False,
    "heat_pump_flow_temp": 55.0,
}  # fmt: skip


def _read(name: str) -> pd.DataFrame:
    with resources.files("energy.data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


@lru_cache(maxsize=1)
def envelope_table() -> pd.DataFrame:
    """Era table (long format: era, from_year, to_year, parameter, value, unit, source, ...)."""
    return _read("typology_envelope.csv")


@lru_cache(maxsize=1)
def usage_table() -> pd.DataFrame:
    """Building-type table, wide: one row per building type, one column per parameter."""
    return _read("typology_usage.csv").pivot(index="building_type", columns="parameter", values="value")


@lru_cache(maxsize=1)
def ventilation_table() -> pd.DataFrame:
    """Ventilation system by building type ('*' = every type) and construction era."""
    return _read("typology_ventilation.csv")


@lru_cache(maxsize=1)
def airtightness_table() -> pd.DataFrame:
    """Design airtightness n50 [1/h] by construction era and ventilation system (eras with a rule only)."""
    return _read("typology_airtightness.csv")


def ventilation_defaults(building_type, year) -> tuple[np.ndarray, np.ndarray]:
    """Default (ventilation_system, heat_recovery_efficiency) per building (vectorised).

    A row for the building's own type wins over the '*' row of the same era.
    """
    t = ventilation_table()
    types = np.asarray(building_type, dtype=object)
    years = np.asarray(year, dtype=float)
    system = np.empty(len(types), dtype=object)
    eta = np.zeros(len(types))
    for own in (False, True):  # '*' rows first, then the type's own rows overwrite them
        rows = t[(t["building_type"] != "*") == own]
        for _, r in rows.iterrows():  # a few rows of data, not buildings
            hit = (years >= r["from_year"]) & (years <= r["to_year"])
            if own:
                hit &= types == r["building_type"]
            system[hit] = r["ventilation_system"]
            eta[hit] = float(r["heat_recovery_efficiency"])
    return system, eta


def era_values(year, parameter: str) -> np.ndarray:
    """Era default of ``parameter`` for construction/retrofit years (vectorised)."""
    t = envelope_table()
    t = t[t["parameter"] == parameter].sort_values("from_year")
    idx = np.searchsorted(t["from_year"].to_numpy(), np.asarray(year, dtype=float), side="right") - 1
    return t["value"].to_numpy()[np.clip(idx, 0, len(t) - 1)]


def _column(df: pd.DataFrame, name: str, default) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index, dtype=object if default is None else None)


def _check(df: pd.DataFrame) -> None:
    for col in ("building_id", "building_type", "construction_year", "heated_area_m2", "storeys"):
        if col not in df.columns:
            raise EnergyInputError(f"missing required column '{col}'")
    bad = ~df["building_type"].isin(BUILDING_TYPES)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise EnergyInputError(
            f"building '{df['building_id'].iloc[i]}', field building_type: "
            f"'{df['building_type'].iloc[i]}' is not one of {list(BUILDING_TYPES)}"
        )
    for col, lo, hi in (("roof_tilt_deg", 0, 90), ("roof_azimuth_deg", 0, 360)):
        if col in df.columns:
            v = pd.to_numeric(df[col], errors="coerce")
            out = v.notna() & ~v.between(lo, hi)
            if out.any():
                i = int(np.argmax(out.to_numpy()))
                raise EnergyInputError(
                    f"building '{df['building_id'].iloc[i]}', field {col}: {v.iloc[i]} outside {lo}..{hi}"
                )
    if "ventilation_system" in df.columns:
        v = df["ventilation_system"]
        bad = v.notna() & ~v.isin(VENTILATION_SYSTEMS)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise EnergyInputError(
                f"building '{df['building_id'].iloc[i]}', field ventilation_system: "
                f"'{v.iloc[i]}' is not one of {list(VENTILATION_SYSTEMS)}"
            )
    if "heat_recovery_efficiency" in df.columns:
        eta = pd.to_numeric(df["heat_recovery_efficiency"], errors="coerce")
        out = eta.notna() & ~eta.between(0, MAX_HEAT_RECOVERY)
        system = (
            df["ventilation_system"]
            if "ventilation_system" in df.columns
            else pd.Series(None, index=df.index)
        )
        no_unit = eta.fillna(0).gt(0) & system.notna() & ~system.isin(["balanced_hr"])
        for mask, why in ((out, f"outside 0..{MAX_HEAT_RECOVERY}"),
                          (no_unit, "heat recovery needs ventilation_system balanced_hr")):  # fmt: skip
            if mask.any():
                i = int(np.argmax(mask.to_numpy()))
                raise EnergyInputError(
                    f"building '{df['building_id'].iloc[i]}', field heat_recovery_efficiency: {eta.iloc[i]} {why}"
                )
    for col in ("heated_area_m2", "storeys"):
        nonpos = ~(pd.to_numeric(df[col], errors="coerce") > 0)
        if nonpos.any():
            i = int(np.argmax(nonpos.to_numpy()))
            raise EnergyInputError(f"building '{df['building_id'].iloc[i]}', field {col}: must be > 0")


def apply_defaults(buildings: pd.DataFrame) -> tuple[pd.DataFrame, list[list[str]]]:
    """Fill what the city did not give from the typology; add geometry columns.

    Parameters
    ----------
    buildings : DataFrame, one row per building (input contract of :mod:`energy.assess`)

    Returns
    -------
    filled : DataFrame with envelope, usage and geometry columns (units in names)
    defaults_used : list (per row) of strings naming each defaulted input and its basis
    """
    _check(buildings)
    df = buildings.reset_index(drop=True).copy()
    n = len(df)
    notes = np.empty((n, 0), dtype=object)
    year = df["construction_year"].to_numpy(dtype=float)

    def note(mask, text):
        nonlocal notes
        notes = np.column_stack([notes, np.where(mask, text, None)])

    for element, col in ELEMENTS.items():
        given = pd.to_numeric(_column(df, col, np.nan), errors="coerce").to_numpy(dtype=float)
        retro = pd.to_numeric(_column(df, f"{element}_retrofit_year", np.nan), errors="coerce")
        retro = retro.to_numpy(dtype=float)
        basis = np.where(np.isfinite(retro), np.fmax(retro, year), year)
        df[col] = np.where(np.isfinite(given), given, era_values(basis, col))
        note(~np.isfinite(given) & np.isfinite(retro), f"{col}: era of {element}_retrofit_year")
        note(~np.isfinite(given) & ~np.isfinite(retro), f"{col}: era of construction_year")
        if element == "window":
            df["g_window"] = era_values(basis, "g_window")
    floor_given = pd.to_numeric(_column(df, "u_floor_w_m2k", np.nan), errors="coerce").to_numpy(float)
    df["u_floor_w_m2k"] = np.where(np.isfinite(floor_given), floor_given, era_values(year, "u_floor_w_m2k"))
    for p in ("infiltration_ach", "thermal_bridge_w_m2k", "heat_capacity_kj_m2k"):
        df[p] = era_values(year, p)

    _ventilation(df, year, note)
    usage = usage_table().loc[df["building_type"].to_numpy()].reset_index(drop=True)
    for p in usage.columns:
        if p not in OPTIONAL_INPUTS:
            df[p] = usage[p].to_numpy(dtype=float)
    for col, default in OPTIONAL_INPUTS.items():
        val = df[col] if col in df.columns else pd.Series(np.nan, index=df.index, dtype=object)
        missing = val.isna().to_numpy()
        if col == "window_to_wall_ratio":
            val = np.where(missing, usage[col].to_numpy(), pd.to_numeric(val, errors="coerce"))
        elif col == "roof_type":
            val = np.where(missing, np.where(year < PITCHED_BEFORE_YEAR, "pitched", "flat"), val)
        elif col == "dhw_system":
            val = np.where(missing, df["heating_system"].to_numpy(), val)
        elif default is not None and not (isinstance(default, float) and np.isnan(default)):
            val = np.where(missing, default, val)
        df[col] = val
        if col.startswith("roof_") and col != "roof_type":
            note(missing, f"{col}: PV default (energy.pv)")
        elif col not in ("led_lighting", "bms", "existing_pv_kwp", "heat_pump_flow_temp"):
            note(missing, f"{col}: typology default")
    note(~np.isfinite(floor_given), "u_floor_w_m2k: era of construction_year")
    for col in ("window_to_wall_ratio", "roof_azimuth_deg", "roof_shading_factor", "existing_pv_kwp",
                "roof_area_m2", "heat_pump_flow_temp", "roof_tilt_deg"):  # fmt: skip
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["led_lighting"] = df["led_lighting"].astype(bool)
    df["bms"] = df["bms"].astype(bool)

    _geometry(df)
    _airtightness(df, year, note)
    defaults_used = [[x for x in row if x is not None] for row in notes]
    return df, defaults_used


def _ventilation(df: pd.DataFrame, year: np.ndarray, note) -> None:
    """Ventilation system and recovery efficiency: given, implied by a given efficiency, or the era's."""
    sys_default, eta_default = ventilation_defaults(df["building_type"].to_numpy(), year)
    given = _column(df, "ventilation_system", None).to_numpy(dtype=object)
    eta_given = pd.to_numeric(_column(df, "heat_recovery_efficiency", np.nan), errors="coerce").to_numpy(
        float
    )
    has_sys = pd.notna(given)
    has_eta = np.isfinite(eta_given)
    implied = ~has_sys & has_eta & (eta_given > 0)  # an efficiency alone means a recovery unit
    system = np.where(has_sys, given, np.where(implied, "balanced_hr", sys_default))
    eta = np.where(has_eta, eta_given, np.where(has_sys, 0.0, eta_default))
    # a city that says 'balanced_hr' without its efficiency gets the era's, or the newest era's
    newest = float(ventilation_defaults(["*"], [9999])[1][0])
    need_eta = (system == "balanced_hr") & ~has_eta
    eta = np.where(need_eta, np.where(eta_default > 0, eta_default, newest), eta)
    df["ventilation_system"] = system
    df["heat_recovery_efficiency"] = np.where(system == "balanced_hr", eta, 0.0)
    note(~has_sys & ~implied, "ventilation_system: typology default (type and era)")
    note(need_eta, "heat_recovery_efficiency: typology default (type and era)")


def _airtightness(df: pd.DataFrame, year: np.ndarray, note) -> None:
    """Infiltration from the design airtightness where the building's era sets one (WT 2021 zal. 2 pkt 2.3.3).

    Dz.U. 2015 poz. 376 tab. 21 (EN ISO 13789 Annex B) gives the airflow through the envelope as
    V_x = V n50 e / (1 + (f/e) ((V_su - V_ex) / (V n50))^2): with balanced flows it is V n50 e; an
    exhaust-only system draws the make-up air through the envelope, so while it runs V_x shrinks to the
    unbalanced term. The building's mean is the occupied-hours share of each (fans run when occupied).
    Eras without an n50 rule keep their era infiltration (``typology_envelope.csv``).
    """
    table = airtightness_table()
    system = df["ventilation_system"].to_numpy(dtype=object)
    n50 = np.full(len(df), np.nan)
    for _, r in table.iterrows():  # a few rows of data, not buildings
        hit = (year >= r["from_year"]) & (year <= r["to_year"]) & (system == r["ventilation_system"])
        n50[hit] = float(r["n50_ach"])
    rule = np.isfinite(n50)
    if not rule.any():
        return
    c = constants()
    e, f = c["infiltration_shielding_e"], c["infiltration_shielding_f"]
    volume = df["volume_m3"].to_numpy(float)
    flow = df["ventilation_l_s_m2"].to_numpy(float) * 3.6 * df["heated_area_m2"].to_numpy(float)
    supply = np.where(np.isin(system, ("balanced", "balanced_hr")), flow, 0.0)
    exhaust = np.where(np.isin(system, ("balanced", "balanced_hr", "exhaust")), flow, 0.0)
    leak = volume * np.where(rule, n50, 1.0)  # V n50 [m3/h]
    running = leak * e / (1.0 + (f / e) * ((supply - exhaust) / leak) ** 2)
    occ = occupied_fraction(df["building_type"].to_numpy())
    mean_ach = (occ * running + (1.0 - occ) * leak * e) / volume
    df["infiltration_ach"] = np.where(rule, mean_ach, df["infiltration_ach"].to_numpy(float))
    df["n50_ach"] = n50
    note(rule, "infiltration_ach: n50 of the era's airtightness rule (WT 2021 zal. 2 pkt 2.3.3)")


def _geometry(df: pd.DataFrame) -> None:
    area = df["heated_area_m2"].to_numpy(float)
    storeys = df["storeys"].to_numpy(float)
    ratio = df["plan_aspect_ratio"].to_numpy(float)
    h = df["storey_height_m"].to_numpy(float)
    footprint = area / storeys
    perimeter = 2.0 * (np.sqrt(footprint * ratio) + np.sqrt(footprint / ratio))
    gross_wall = perimeter * storeys * h
    window = gross_wall * df["window_to_wall_ratio"].to_numpy(float)
    df["footprint_m2"] = footprint
    df["wall_area_m2"] = gross_wall - window
    df["window_area_m2"] = window
    df["envelope_roof_area_m2"] = footprint
    df["ground_floor_area_m2"] = footprint
    df["volume_m3"] = area * (h - SLAB_THICKNESS_M)


def occupancy_weights(year_index: pd.DatetimeIndex) -> pd.DataFrame:
    """Relative hourly electricity weight per building type (8760 x types).

    1 in occupied hours, ``base_load_fraction`` otherwise; schools closed in July-August.
    """
    u = usage_table()
    hour = year_index.hour.to_numpy()[:, None]
    dow = year_index.day_of_week.to_numpy()[:, None]
    month = year_index.month.to_numpy()[:, None]
    start, end = u["occupied_start_h"].to_numpy(), u["occupied_end_h"].to_numpy()
    occ = (hour >= start) & (hour < end) & (dow < u["occupied_days_per_week"].to_numpy())
    occ &= ~((u["summer_closed"].to_numpy() > 0) & ((month == 7) | (month == 8)))
    w = np.where(occ, 1.0, u["base_load_fraction"].to_numpy())
    return pd.DataFrame(w, index=year_index, columns=u.index)


def occupied_fraction(building_type) -> np.ndarray:
    """Share of the hours of a year that are occupied, per building (vectorised)."""
    w = occupancy_weights(pd.date_range("2005-01-01", periods=8760, freq="h"))
    frac = (w == 1.0).mean(axis=0)
    return frac.loc[np.asarray(building_type)].to_numpy()


def hourly_load_profile(building_type, monthly_electricity_kwh, year_index) -> np.ndarray:
    """Hourly electricity load [kWh per hour] from monthly electricity and occupancy schedules.

    Parameters
    ----------
    building_type : array_like of str, length n
    monthly_electricity_kwh : array_like (n, 12) [kWh per month]
    year_index : DatetimeIndex of 8760 hours (e.g. ``Climate.hourly.index``)

    Returns
    -------
    numpy.ndarray (8760, n) [kWh/h]; each month of each column sums to its monthly value.
    """
    types = np.asarray(building_type)
    monthly = np.asarray(monthly_electricity_kwh, dtype=float).reshape(len(types), 12)
    w = occupancy_weights(pd.DatetimeIndex(year_index))
    month0 = pd.DatetimeIndex(year_index).month.to_numpy() - 1
    msum = w.groupby(month0).sum().to_numpy()  # 12 x types
    norm = w.to_numpy() / msum[month0]  # 8760 x types, each month sums to 1
    col = w.columns.get_indexer(types)
    if (col < 0).any():
        raise EnergyInputError(f"building_type '{types[col < 0][0]}' has no occupancy schedule")
    return norm[:, col] * monthly.T[month0]


def schedule_monthly(year: int = 2005) -> dict[str, pd.DataFrame]:
    """Monthly schedule statistics per building type (types x 12 months).

    Returns a dict with ``occupied_fraction`` (share of hours occupied), ``days_in_use`` (days
    with at least one occupied hour) and ``electricity_share`` (share of the annual weighted
    hours falling in the month, used to spread annual electricity).
    """
    idx = pd.date_range(f"{year}-01-01", periods=8760, freq="h")
    w = occupancy_weights(idx)
    month = idx.month
    occ = (w == 1.0).groupby(month).mean().T
    days = (w == 1.0).groupby([month, idx.day_of_year]).any().groupby(level=0).sum().T
    share = (w.groupby(month).sum() / w.sum()).T
    return {"occupied_fraction": occ, "days_in_use": days, "electricity_share": share}
