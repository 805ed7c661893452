"""Pure conversions of engine results: flat JSON-safe records for storage, nested records for the
API, and the flat export table (CSV/XLSX). No physics here: every figure comes from ``energy``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from energy.carriers import CARRIERS

PV_FIELDS = {
    "capacity_kwp": "pv_capacity_kwp",
    "existing_kwp": "pv_existing_kwp",
    "usable_roof_m2": "pv_usable_roof_m2",
    "tilt_deg": "pv_tilt_deg",
    "azimuth_deg": "pv_azimuth_deg",
    "yield_kwh_per_year": "pv_yield_kwh_per_year",
    "specific_yield_kwh_per_kwp": "pv_specific_yield_kwh_per_kwp",
    "self_consumed_kwh_per_year": "pv_self_consumed_kwh_per_year",
    "exported_kwh_per_year": "pv_exported_kwh_per_year",
    "self_consumption_ratio": "pv_self_consumption_ratio",
    "value_pln_per_year": "pv_value_pln_per_year",
    "export_value_pln_per_year": "pv_export_value_pln_per_year",
    "retail_price_pln_per_kwh": "pv_retail_price_pln_per_kwh",
    "value_regime": "pv_value_regime",
}
CALIBRATION_PREFIXES = ("metered_", "model_to_meter_", "calibration_")
MONTHS = range(1, 13)


def _num(record: dict[str, Any], key: str) -> float:
    value = record.get(key)
    return 0.0 if value is None else float(value)


def nest(record: dict[str, Any]) -> dict[str, Any]:
    """A stored flat record grouped the way the API shows it (need, final, EP, PV, calibration)."""
    r = record
    pv = {k: r.get(col) for k, col in PV_FIELDS.items()} if "pv_capacity_kwp" in r else None
    calibration = {k: v for k, v in r.items() if k.startswith(CALIBRATION_PREFIXES) and v is not None}
    return {
        **{
            k: r.get(k)
            for k in (
                "building_id",
                "name",
                "building_type",
                "construction_year",
                "heated_area_m2",
                "heating_system",
                "climate_station_id",
                "climate_name",
            )
        },
        "need": {
            "heating_kwh_per_year": _num(r, "heating_need_kwh_per_year"),
            "heating_kwh_per_m2_year": _num(r, "heating_need_kwh_per_m2_year"),
            "cooling_kwh_per_year": _num(r, "cooling_need_kwh_per_year"),
            "dhw_kwh_per_year": _num(r, "dhw_need_kwh_per_year"),
            "lighting_kwh_per_year": _num(r, "lighting_kwh_per_year"),
            "equipment_kwh_per_year": _num(r, "equipment_kwh_per_year"),
            "auxiliary_electricity_kwh_per_year": r.get("auxiliary_electricity_kwh_per_year"),
            "ventilation_fans_kwh_per_year": r.get("ventilation_fans_kwh_per_year"),
            "internal_gains_kwh_per_year": r.get("internal_gains_kwh_per_year"),
            "heating_kwh_by_month": [_num(r, f"heating_need_kwh_month_{m:02d}") for m in MONTHS],
        },
        "ventilation": {
            "system": r.get("ventilation_system"),
            "heat_recovery_efficiency": r.get("heat_recovery_efficiency"),
        },
        "final_kwh_per_year": {c: _num(r, f"final_{c}_kwh_per_year") for c in CARRIERS},
        "primary_nonrenewable_kwh_per_year": _num(r, "primary_nonrenewable_kwh_per_year"),
        "ep": {
            "ep_kwh_per_m2_year": r.get("ep_kwh_per_m2_year"),
            "ep_hw_kwh_per_m2_year": r.get("ep_hw_kwh_per_m2_year"),
            "limit_kwh_per_m2_year": r.get("ep_limit_kwh_per_m2_year"),
            "meets_limit": r.get("meets_ep_limit"),
        },
        "co2_t_per_year": _num(r, "co2_t_per_year"),
        "cost_pln_per_year": _num(r, "cost_pln_per_year"),
        "district_heat": {
            "w_primary": _num(r, "district_heat_w_primary"),
            "co2_kg_per_kwh": _num(r, "district_heat_co2_kg_per_kwh"),
            "source": r.get("district_heat_factor_source"),
        },
        "pv": pv,
        "calibration": calibration,
        "defaults_used": list(r.get("defaults_used") or []),
        "warnings": list(r.get("warnings") or []),
    }


def export_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The per-building table for CSV/XLSX: flat columns, lists joined with '; '."""
    frame = pd.DataFrame.from_records(records)
    for col in ("defaults_used", "warnings"):
        if col in frame:
            frame[col] = frame[col].map(lambda v: "; ".join(v) if isinstance(v, list) else v)
    return frame
