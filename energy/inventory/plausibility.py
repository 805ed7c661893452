"""Plausibility rules: values that are possible but odd enough for a clerk to double-check.

Each finding is a warning (the submission is still accepted). The thresholds are engineering
defaults chosen for Polish municipal building stock, not values from a standard; they are named
here so that they can be tuned in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy.inventory.validation import FieldIssue

#: Kindergartens (przedszkola) in Poland are low-rise; a taller one is most likely a typo.
KINDERGARTEN_MAX_STOREYS = 4
#: Schools above this are rare (tower-block schools do not exist in the municipal stock).
SCHOOL_MAX_STOREYS = 8
#: Less heated floor than this per storey is a shed, a kiosk or an area typed in the wrong unit.
MIN_AREA_PER_STOREY_M2 = 10.0
#: Buildings older than this are listed monuments where most envelope measures are restricted.
OLD_BUILDING_YEAR = 1800
#: A roof can exceed the footprint (eaves, pitched surfaces), but not by this much.
MAX_ROOF_TO_FOOTPRINT = 1.5
#: Flat roofs are laid with a few degrees of fall; above this the roof is not flat.
FLAT_ROOF_MAX_TILT_DEG = 10.0
#: Pitched roofs below this tilt are flat for PV purposes.
PITCHED_ROOF_MIN_TILT_DEG = 5.0
#: Densest rooftop PV: ~0.2 kWp per m2 of module (400 Wp, 2 m2) -> the whole roof covered.
MAX_PV_KWP_PER_ROOF_M2 = 0.25
GAS_SYSTEMS = ("gas_boiler",)


def plausibility_warnings(b: pd.DataFrame, out) -> None:
    """Add plausibility warnings for validated buildings ``b`` to the collector ``out``.

    Parameters
    ----------
    b : DataFrame
        Canonical, typed buildings (invalid cells already missing).
    out : IssueCollector
        Receives the warnings (``warning=True``), with the raw values of the named field.
    """
    storeys = b["storeys"].astype(float).to_numpy()
    area_m2 = b["heated_area_m2"].to_numpy(dtype=float)
    btype = b["building_type"].to_numpy(dtype=object, na_value=None)

    def warn(mask, field, reason):
        out.add(np.nan_to_num(np.asarray(mask, dtype=float)).astype(bool), field, reason, warning=True)

    with np.errstate(invalid="ignore", divide="ignore"):
        warn(
            (btype == "kindergarten") & (storeys > KINDERGARTEN_MAX_STOREYS),
            "storeys",
            f"a kindergarten with more than {KINDERGARTEN_MAX_STOREYS} storeys is unusual",
        )
        warn(
            (btype == "school") & (storeys > SCHOOL_MAX_STOREYS),
            "storeys",
            f"a school with more than {SCHOOL_MAX_STOREYS} storeys is unusual",
        )
        footprint_m2 = area_m2 / storeys
        warn(
            footprint_m2 < MIN_AREA_PER_STOREY_M2,
            "heated_area_m2",
            f"less than {MIN_AREA_PER_STOREY_M2:g} m2 of heated area per storey; check the unit",
        )
        warn(
            b["construction_year"].astype(float) < OLD_BUILDING_YEAR,
            "construction_year",
            f"built before {OLD_BUILDING_YEAR}; check the year (historic buildings limit envelope measures)",
        )
        roof_m2 = b["roof_area_m2"].to_numpy(dtype=float)
        warn(
            roof_m2 > MAX_ROOF_TO_FOOTPRINT * footprint_m2,
            "roof_area_m2",
            f"roof area is more than {MAX_ROOF_TO_FOOTPRINT:g} x the footprint (heated_area_m2 / storeys)",
        )
        tilt = b["roof_tilt_deg"].to_numpy(dtype=float)
        roof_type = b["roof_type"].to_numpy(dtype=object, na_value=None)
        warn(
            (roof_type == "flat") & (tilt > FLAT_ROOF_MAX_TILT_DEG),
            "roof_tilt_deg",
            f"a flat roof tilted more than {FLAT_ROOF_MAX_TILT_DEG:g} deg",
        )
        warn(
            (roof_type == "pitched") & (tilt < PITCHED_ROOF_MIN_TILT_DEG),
            "roof_tilt_deg",
            f"a pitched roof tilted less than {PITCHED_ROOF_MIN_TILT_DEG:g} deg",
        )
        pv = b["existing_pv_kwp"].to_numpy(dtype=float)
        warn(
            pv > MAX_PV_KWP_PER_ROOF_M2 * roof_m2,
            "existing_pv_kwp",
            f"more PV than the roof can hold (> {MAX_PV_KWP_PER_ROOF_M2:g} kWp per m2 of roof)",
        )
    heating = b["heating_system"].to_numpy(dtype=object, na_value=None)
    dhw = b["dhw_system"].to_numpy(dtype=object, na_value=None)
    gas_used = np.isin(heating, GAS_SYSTEMS) | np.isin(dhw, GAS_SYSTEMS)
    warn(
        (b["metered_gas_kwh"].to_numpy(dtype=float) > 0) & ~gas_used,
        "metered_gas_kwh",
        "gas consumption is metered but neither heating_system nor dhw_system uses gas",
    )
    district = (heating == "district_heating") | (dhw == "district_heating")
    warn(
        (b["metered_district_heat_kwh"].to_numpy(dtype=float) > 0) & ~district,
        "metered_district_heat_kwh",
        "district heat is metered but neither heating_system nor dhw_system is district_heating",
    )
    no_point = b["lat"].isna().to_numpy() & b["lon"].isna().to_numpy()
    no_point &= out.raw_missing("lat") & out.raw_missing("lon")
    if no_point.any():
        rows = out.rows[no_point]
        listed = ", ".join(str(r) for r in rows[:20]) + (", ..." if rows.size > 20 else "")
        out.warnings.append(
            FieldIssue(None, "lat", None, f"{rows.size} building(s) without coordinates (rows {listed}): "
                       "the city's location will be used for climate and solar calculations")
        )  # fmt: skip
