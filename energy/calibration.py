"""Calibration against metered consumption: degree-day normalisation and model-to-meter ratios.

The weather-dependent part of a metered carrier (its space-heating share in the model) is
scaled by HDD_typical / HDD_metered_year (heating degree days base 15 degC, as in
``monthly_climate``); the rest is kept:

    E_norm = E_meter (s HDD_typ / HDD_year + 1 - s)

Without degree days for the metered year the typical year is used (factor 1) and the result
says so. ratio = model / E_norm per carrier; ratios outside 0.5-2 are data-quality warnings.

References
----------
.. [1] ISO 15927-6:2007 (accumulated temperature differences, degree days); the degree-day
   correction of metered heating energy as in EN 15603:2008 / EN ISO 52000-1 7.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# metered column -> model final-energy column it is compared with
METER_MAP = {
    "metered_gas_kwh": "final_gas_kwh",
    "metered_district_heat_kwh": "final_district_heat_kwh",
    "metered_electricity_kwh": "final_electricity_kwh",
    "metered_heat_kwh": "final_heat_uses_kwh",  # heat for heating + DHW, whatever the carrier
}
RATIO_LOW, RATIO_HIGH = 0.5, 2.0


def weather_normalise(metered_kwh, weather_share, hdd_metered_year, hdd_typical) -> np.ndarray:
    """Metered energy normalised to the typical year [kWh] (broadcasts)."""
    s = np.clip(np.asarray(weather_share, float), 0.0, 1.0)
    factor = np.asarray(hdd_typical, float) / np.asarray(hdd_metered_year, float)
    return np.asarray(metered_kwh, float) * (s * factor + 1.0 - s)


def calibrate(
    filled: pd.DataFrame,
    final: pd.DataFrame,
    hdd_typical: np.ndarray,
    hdd_by_year: dict[int, float] | None = None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Model-to-meter ratios per carrier and warnings for ratios outside 0.5-2.

    Parameters
    ----------
    filled : typology-filled buildings (building_id, heating_system, metered_* columns)
    final : output of :func:`energy.carriers.final_energy` (same row order)
    hdd_typical : (n,) [K day] HDD base 15 degC of each building's typical-year climate
    hdd_by_year : optional {year: HDD [K day]} for the metered years (city climate)

    Returns
    -------
    ratios : DataFrame with normalised meter and ratio_<meter> columns (NaN without meter)
    warnings : list of {building_id, field, message}
    """
    from energy.carriers import _system_rows

    heat_carrier = _system_rows(filled, "heating_system")["carrier"].to_numpy()
    # float with NaN: a nullable Int64 column (the service's) would hand pd.NA to map under pandas 3
    years = pd.to_numeric(filled.get("metered_year", pd.Series(np.nan, index=filled.index))).astype(float)
    hdd_year = years.map(lambda y: (hdd_by_year or {}).get(int(y), np.nan) if np.isfinite(y) else np.nan)
    hdd_year = np.where(np.isfinite(hdd_year.to_numpy(float)), hdd_year, hdd_typical)
    metered_any = np.zeros(len(filled), bool)
    for meter in METER_MAP:
        if meter in filled.columns:
            metered_any |= np.isfinite(pd.to_numeric(filled[meter], errors="coerce").to_numpy(float))
    no_hdd = metered_any & np.isfinite(years.to_numpy(float)) & (hdd_year == hdd_typical)
    no_hdd |= metered_any & ~np.isfinite(years.to_numpy(float))
    warnings: list[dict] = [
        {
            "building_id": str(filled["building_id"].iloc[i]),
            "field": "metered_year",
            "message": f"no degree days for metered year {years.iloc[i]}: the meter is not weather-normalised "
            "(typical year assumed, factor 1); give hdd_by_year",
        }
        for i in np.flatnonzero(no_hdd)
    ]
    heat_uses = final["final_heating_kwh"] + final["final_dhw_kwh"]
    out = pd.DataFrame(index=filled.index)
    out["calibration_hdd_source"] = np.where(
        np.isfinite(hdd_year) & (hdd_year != hdd_typical), "metered year", "typical year"
    )
    for meter, model_col in METER_MAP.items():
        if meter not in filled.columns:
            continue
        metered = pd.to_numeric(filled[meter], errors="coerce").to_numpy(float)
        if model_col == "final_heat_uses_kwh":
            model, share = heat_uses.to_numpy(float), final["final_heating_kwh"] / heat_uses
        else:
            carrier = model_col.removeprefix("final_").removesuffix("_kwh")
            model = final[model_col].to_numpy(float)
            heat_part = np.where(heat_carrier == carrier, final["final_heating_kwh"], 0.0)
            share = np.divide(heat_part, model, out=np.zeros_like(model), where=model > 0)
        norm = weather_normalise(metered, share, hdd_year, hdd_typical)
        ratio = np.divide(model, norm, out=np.full_like(model, np.nan), where=norm > 0)
        name = meter.removeprefix("metered_").removesuffix("_kwh")
        out[f"{meter}_normalised"] = norm
        out[f"model_to_meter_{name}"] = ratio
        bad = np.isfinite(ratio) & ((ratio < RATIO_LOW) | (ratio > RATIO_HIGH))
        bad |= np.isfinite(metered) & (metered <= 0)
        for i in np.flatnonzero(bad):
            warnings.append(
                {
                    "building_id": str(filled["building_id"].iloc[i]),
                    "field": meter,
                    "message": f"model-to-meter ratio {ratio[i]:.2f} outside {RATIO_LOW}-{RATIO_HIGH} "
                    f"(model {model[i]:.0f} kWh, weather-normalised meter {norm[i]:.0f} kWh)",
                }
            )
    return out, warnings


# carriers whose own meter calibrates them (the heat meter's ratio is reported, not applied)
APPLIED = {"gas": "metered_gas_kwh", "district_heat": "metered_district_heat_kwh",
           "electricity": "metered_electricity_kwh"}  # fmt: skip
FACTOR_MAX = 10.0  # plausibility ceiling of a given calibration factor (ratios outside 0.5-2 already warn)


def calibration_factors(filled: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    """Meter-to-model factor per applied carrier [-] (1 where not metered).

    ``factor_c = E_norm,c / E_model,c = 1 / ratio_c``. A row may carry ``calibration_factor_<carrier>``
    (a package variant takes its building's factors); a given value wins over the meter.
    """
    from energy.errors import ParameterError

    out = pd.DataFrame(index=filled.index)
    for carrier, meter in APPLIED.items():
        name = meter.removeprefix("metered_").removesuffix("_kwh")
        ratio = cal.get(f"model_to_meter_{name}", pd.Series(np.nan, index=cal.index)).to_numpy(float)
        factor = np.divide(1.0, ratio, out=np.ones(len(ratio)), where=np.isfinite(ratio) & (ratio > 0))
        col = f"calibration_factor_{carrier}"
        if col in filled:
            given = pd.to_numeric(filled[col], errors="coerce").to_numpy(float)
            bad = np.isfinite(given) & ((given <= 0) | (given > FACTOR_MAX))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ParameterError(
                    f"row {i} (building '{filled['building_id'].iloc[i]}'), field {col}: {given[i]} "
                    f"must be in (0, {FACTOR_MAX:g}]"
                )
            factor = np.where(np.isfinite(given), given, factor)
        out[col] = factor
    return out


def apply_calibration(final: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Final energy with each metered carrier scaled to its weather-normalised meter [kWh/yr]."""
    out = final.copy()
    for carrier in APPLIED:
        out[f"final_{carrier}_kwh"] = final[f"final_{carrier}_kwh"].to_numpy(float) * factors[
            f"calibration_factor_{carrier}"
        ].to_numpy(float)
    return out
