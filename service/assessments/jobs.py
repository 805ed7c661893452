"""The energy assessment job: load the version's buildings, run the engine with progress, store results."""

from __future__ import annotations

import uuid
from typing import Any

from energy import ENGINE_VERSION
from energy.errors import EnergyInputError
from service.assessments import climates, repository, service
from service.db import utcnow
from service.inventory import service as inventories
from service.jobs.registry import JobContext, JobError, register

# Share of the job's progress bar: loading 0-5 %, engine 5-85 %, storing 85-99 %.
ENGINE_START_PCT, ENGINE_SPAN_PCT = 5.0, 80.0


@register("energy_assessment")
def energy_assessment_job(ctx: JobContext) -> dict[str, Any]:
    session = ctx.session
    assessment = repository.get_assessment(session, uuid.UUID(ctx.subject_id))
    if assessment is None:
        raise JobError("not-found", "the assessment of this job no longer exists")
    ctx.progress(1, "loading buildings")
    frame = inventories.buildings_of_version(session, assessment.version_id)
    if frame.empty:
        raise JobError("invalid-input", "the inventory version has no buildings")
    climate = None
    if assessment.climate_id is not None:
        row = repository.get_climate(session, assessment.climate_id)
        if row is None:
            raise JobError("not-found", f"climate {assessment.climate_id} no longer exists")
        climate = climates.engine_climate(row)
    n = len(frame)

    def progress(fraction: float, message: str) -> None:
        ctx.progress(ENGINE_START_PCT + ENGINE_SPAN_PCT * fraction, f"{n:,} buildings: {message}")

    try:
        result = service.run_engine(
            frame, assessment.params, assessment.city_lat, assessment.city_lon, climate, progress
        )
    except EnergyInputError as exc:
        raise JobError("invalid-input", str(exc)) from exc
    ctx.progress(86, f"storing results of {n:,} buildings")
    payload = service.result_payload(result, records=False)
    repository.store_buildings(session, assessment.id, *service.stored_buildings(result))
    assessment.engine_version = ENGINE_VERSION
    assessment.meta = {**payload["meta"], "warnings": payload["warnings"]}
    assessment.totals = payload["totals"]
    assessment.totals_by_type = payload["totals_by_type"]
    assessment.building_count = n
    assessment.finished_at = utcnow()
    session.flush()
    totals = payload["totals"]
    summary = {
        "building_count": n,
        "co2_t_per_year": round(totals.get("co2_t_per_year", 0.0), 1),
        "cost_pln_per_year": round(totals.get("cost_pln_per_year", 0.0)),
        "pv_capacity_kwp": round(totals.get("pv_capacity_kwp", 0.0), 1),
        "warnings": len(payload["warnings"]),
    }
    return {"summary": summary, "result_path": f"/v1/assessments/{assessment.id}"}
