"""The energy diagnosis of public buildings: what a council reads about one finished assessment.

Context only (tables and figures from an :class:`AssessmentDocument`); the template
``templates/energy.html`` lays it out. Aggregations are pandas over all buildings, never a loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from service.assessments.document import AssessmentDocument, carrier_sources, run_rows
from service.charts.assessment import co2_by_type_svg, ep_chart_svg, pv_by_type_svg
from service.charts.i18n import chart_language
from service.charts.maps import assessment_map_svg
from service.i18n import translator
from service.inventory.summary import construction_era
from service.reports import annex
from service.reports.pdf import svg_data_uri

TOP_N = 5
# The annex lists every building (``service.reports.annex``); the lists of warnings and calibration
# deviations stop at this many rows and point to the XLSX workbook of the same run, which has them all.
LIST_MAX_ROWS = 200


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def buildings_table(doc: AssessmentDocument) -> pd.DataFrame:
    """One row per building with the figures the report shows (EP_H+W against its limit)."""
    b = doc.buildings
    frame = pd.DataFrame({
        "building_id": b["building_id"].astype(str),
        "name": _col(b, "name").fillna(""),
        "building_type": b["building_type"],
        "construction_year": _col(b, "construction_year"),
        "heated_area_m2": _col(b, "heated_area_m2").astype(float),
        "ep_hw": _col(b, "ep_hw_kwh_per_m2_year").astype(float),
        "ep_limit": _col(b, "ep_limit_kwh_per_m2_year").astype(float),
        "co2_t": _col(b, "co2_t_per_year").astype(float),
        "cost_pln": _col(b, "cost_pln_per_year").astype(float),
        "pv_kwp": _col(b, "pv_capacity_kwp").astype(float),
        "pv_value_pln": _col(b, "pv_value_pln_per_year").astype(float),
        "lat": _col(b, "lat").astype(float),
        "lon": _col(b, "lon").astype(float),
    })  # fmt: skip
    frame["ep_ratio"] = frame["ep_hw"] / frame["ep_limit"].where(frame["ep_limit"] > 0)
    return frame


def _summary(doc: AssessmentDocument, table: pd.DataFrame) -> dict[str, Any]:
    t = doc.totals
    area = float(t.get("heated_area_m2") or 0.0)
    final = sum(
        float(v or 0.0) for k, v in t.items() if k.startswith("final_") and k.endswith("_kwh_per_year")
    )
    weights = table["heated_area_m2"].where(table["ep_hw"].notna(), 0.0)
    ep_mean = float((table["ep_hw"].fillna(0) * weights).sum() / weights.sum()) if weights.sum() else None
    meets = int((table["ep_ratio"] <= 1.0).sum())
    return {
        "n_buildings": int(t.get("n_buildings") or len(table)),
        "heated_area_m2": area,
        "final_mwh": final / 1000.0,
        "ep_mean": ep_mean,
        "meets": meets,
        "co2_t": float(t.get("co2_t_per_year") or 0.0),
        "cost_pln": float(t.get("cost_pln_per_year") or 0.0),
        "pv_kwp": float(t.get("pv_capacity_kwp") or 0.0),
        "pv_mwh": float(t.get("pv_yield_kwh_per_year") or 0.0) / 1000.0,
        "pv_value_pln": float(t.get("pv_value_pln_per_year") or 0.0),
    }


def _by_era(table: pd.DataFrame) -> list[dict[str, Any]]:
    era = construction_era(table["construction_year"])
    grouped = table.groupby(era, observed=True).agg(
        buildings=("building_id", "size"), heated_area_m2=("heated_area_m2", "sum"),
        co2_t=("co2_t", "sum"), ep_hw=("ep_hw", "median"),
    )  # fmt: skip
    return [{"era": str(k), **v} for k, v in grouped.to_dict("index").items()]


def _calibration(doc: AssessmentDocument) -> list[dict[str, Any]]:
    b = doc.buildings
    ratio_cols = [c for c in b.columns if c.startswith("model_to_meter_")]
    rows = []
    for col in ratio_cols:
        carrier = col.removeprefix("model_to_meter_")
        metered = b.get(f"metered_{carrier}_kwh_normalised")
        have = b[col].notna()
        if not have.any():
            continue
        part = pd.DataFrame({"building_id": b.loc[have, "building_id"], "name": b.loc[have, "name"],
                             "carrier": carrier, "ratio": b.loc[have, col].astype(float),
                             "metered_kwh": metered[have].astype(float) if metered is not None else np.nan})  # fmt: skip
        rows.append(part)
    if not rows:
        return []
    return pd.concat(rows).sort_values("ratio", ascending=False).to_dict("records")


def _data_quality(doc: AssessmentDocument, table: pd.DataFrame) -> dict[str, Any]:
    defaults = doc.buildings.get("defaults_used", pd.Series([], dtype=object)).explode().dropna()
    fields = defaults.astype(str).str.split(":", n=1).str[0].value_counts()
    no_coords = table.loc[table["lat"].isna() | table["lon"].isna(), ["building_id", "name"]]
    return {
        "defaults_by_field": [{"field": k, "buildings": int(v)} for k, v in fields.items()],
        "warnings": doc.warnings,
        "no_coordinates": no_coords.to_dict("records"),
    }


def _charts(doc: AssessmentDocument, table: pd.DataFrame, lang: str) -> dict[str, str]:
    with chart_language(lang):
        return _draw(doc, table, lang)


def _draw(doc: AssessmentDocument, table: pd.DataFrame, lang: str) -> dict[str, str]:
    t = translator(lang)
    name = doc.inventory_name
    records = doc.buildings.copy()
    if "ep_hw_kwh_per_m2_year" in records:
        records["ep_kwh_per_m2_year"] = records["ep_hw_kwh_per_m2_year"]  # the limit's own scope
    charts = {
        "ep": ep_chart_svg(records, t.gettext("EP against the WT 2021 limit – {name}", name=name)),
        "co2": co2_by_type_svg(
            doc.totals_by_type, t.gettext("CO₂ emissions by building type – {name}", name=name)
        ),
    }
    if table["lat"].notna().any():
        charts["map"] = assessment_map_svg(records, t.gettext("Buildings by EP / limit – {name}", name=name))
    if doc.totals.get("pv_capacity_kwp"):
        charts["pv"] = pv_by_type_svg(
            doc.totals_by_type, t.gettext("Rooftop PV potential – {name}", name=name)
        )
    return {k: svg_data_uri(v) for k, v in charts.items()}


def context(doc: AssessmentDocument, lang: str) -> dict[str, Any]:
    """Everything ``energy.html`` shows, computed once."""
    table = buildings_table(doc)
    worst = table.dropna(subset=["ep_ratio"]).sort_values("ep_ratio", ascending=False).head(TOP_N)
    levers = table.sort_values("co2_t", ascending=False).head(TOP_N)
    total_co2 = float(table["co2_t"].sum()) or 1.0
    sources = carrier_sources()
    quality = _data_quality(doc, table)
    warnings_total = len(quality["warnings"])
    quality["warnings"] = quality["warnings"][:LIST_MAX_ROWS]
    return {
        "doc": doc,
        "summary": _summary(doc, table),
        "worst": worst.to_dict("records"),
        "levers": [{**r, "share": r["co2_t"] / total_co2} for r in levers.to_dict("records")],
        "by_type": doc.totals_by_type,
        "by_era": _by_era(table),
        "calibration": (calibration := _calibration(doc))[:LIST_MAX_ROWS],
        "calibration_total": len(calibration),
        "quality": quality,
        "warnings_total": warnings_total,
        "sources": sources.to_dict("records"),
        "run": run_rows(doc, lang),
        "annex": annex.listing(table, lang),
        "annex_total": len(table),
        "list_max": LIST_MAX_ROWS,
        "charts": _charts(doc, table, lang),
        "climates": doc.meta.get("climate", []),
        "method": doc.meta.get("method", ""),
        "pv_climate": doc.meta.get("pv_climate", ""),
    }
