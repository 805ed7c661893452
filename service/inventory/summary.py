"""The inventory summary job: counts and areas by type, heating system and era; data quality."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from energy.typology import envelope_table
from service.errors import NotFound
from service.inventory import repository
from service.inventory.models import Inventory, InventoryVersion
from service.jobs.registry import JobContext, JobError, register
from service.jobs.service import create_job
from service.orgs.service import Principal, require_access

ENVELOPE_FIELDS = ["u_wall_w_m2k", "u_roof_w_m2k", "u_window_w_m2k"]
METERED_FIELDS = [
    "metered_heat_kwh",
    "metered_electricity_kwh",
    "metered_gas_kwh",
    "metered_district_heat_kwh",
]


def start_summary_job(
    session: Session, principal: Principal, inventory_id: uuid.UUID, version: int | None
) -> Any:
    principal.require("jobs:write")
    inventory = session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFound(f"inventory {inventory_id} not found")
    require_access(session, principal, inventory.org_id, "plan", f"inventory {inventory_id}")
    number = version or inventory.latest_version
    found = repository.get_version(session, inventory.id, number)
    if found is None:
        raise NotFound(f"inventory {inventory_id} has no version {number}")
    return create_job(
        session,
        principal,
        kind="inventory_summary",
        owner_org_id=inventory.org_id,
        subject_type="inventory_version",
        subject_id=str(found.id),
        params={"inventory_id": str(inventory.id), "version": found.version},
    )


def construction_era(years: pd.Series) -> pd.Categorical:
    """The Polish thermal-regulation era of each year, from the energy typology's era table (one
    source for the eras: ``energy/data/typology_envelope.csv``)."""
    eras = envelope_table()[["era", "from_year", "to_year"]].drop_duplicates().sort_values("from_year")
    edges = [*(eras["from_year"].to_numpy(float) - 0.5), np.inf]
    labels = [
        f"<={int(hi)}" if lo <= 0 else (f">={int(lo)}" if hi >= 2100 else f"{int(lo)}-{int(hi)}")
        for lo, hi in zip(eras["from_year"], eras["to_year"], strict=True)
    ]
    return pd.cut(years.astype(float), edges, labels=labels)


def _group(frame: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    grouped = frame.groupby(column, dropna=False, observed=True)["heated_area_m2"].agg(["count", "sum"])
    grouped = grouped.reset_index().rename(columns={"count": "buildings", "sum": "heated_area_m2"})
    grouped[column] = grouped[column].astype(str)
    grouped["heated_area_m2"] = grouped["heated_area_m2"].round(1)
    return grouped.sort_values("heated_area_m2", ascending=False).to_dict(orient="records")


def summarise(frame: pd.DataFrame) -> dict[str, Any]:
    """Pure summary of one inventory version (vectorised; no loop per building)."""
    frame = frame.copy()
    for col in ENVELOPE_FIELDS + METERED_FIELDS + ["lat", "lon", "roof_area_m2"]:
        if col not in frame.columns:
            frame[col] = np.nan
    frame["construction_era"] = construction_era(frame["construction_year"])
    n = len(frame)
    share = lambda mask: round(float(mask.mean()) if n else 0.0, 3)  # noqa: E731
    envelope_missing = frame[ENVELOPE_FIELDS].isna().all(axis=1)
    quality = {
        "share_without_location": share(frame["lat"].isna() | frame["lon"].isna()),
        "share_without_envelope_data": share(envelope_missing),
        "share_without_roof_data": share(frame["roof_area_m2"].isna()),
        "share_with_metered_data": share(frame[METERED_FIELDS].notna().any(axis=1)),
        "share_fossil_heated": share(
            frame["heating_system"].isin(["coal_boiler", "oil_boiler", "gas_boiler"])
        ),
        "share_coal_heated": share(frame["heating_system"].eq("coal_boiler")),
    }
    findings = []
    if quality["share_without_envelope_data"] > 0.5:
        findings.append("most buildings have no U-values: the energy model will rely on typology defaults")
    if quality["share_with_metered_data"] < 0.3:
        findings.append("fewer than 30 % of buildings have metered consumption: calibration will be thin")
    if quality["share_without_location"] > 0:
        findings.append("some buildings have no coordinates: the city's location and climate will be used")
    if quality["share_coal_heated"] > 0:
        findings.append("coal-heated buildings present: first candidates for a heat-source change")
    return {
        "building_count": n,
        "heated_area_m2": round(float(frame["heated_area_m2"].sum()), 1),
        "by_building_type": _group(frame, "building_type"),
        "by_heating_system": _group(frame, "heating_system"),
        "by_construction_era": _group(frame, "construction_era"),
        "data_quality": quality,
        "findings": findings,
    }


@register("inventory_summary")
def inventory_summary_job(ctx: JobContext) -> dict[str, Any]:
    version = ctx.session.get(InventoryVersion, uuid.UUID(ctx.subject_id))
    if version is None:
        raise JobError("not-found", "the inventory version of this job no longer exists")
    ctx.progress(10, "loading buildings")
    frame = repository.load_buildings(ctx.session, version.id)
    ctx.progress(60, f"summarising {len(frame)} buildings")
    summary = summarise(frame)
    summary["warnings_at_intake"] = len(version.warnings or [])
    return summary
