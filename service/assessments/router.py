"""HTTP for assessments (jobs), the synchronous estimate and named climates."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import Response

from service.assessments import climates, repository, results, service
from service.assessments.models import Assessment, Climate
from service.assessments.schemas import (
    AssessmentList,
    AssessmentOut,
    AssessmentRequest,
    AssessmentResultOut,
    ClimateList,
    ClimateOut,
    EstimateRequest,
)
from service.body import RawBody, read_raw_body
from service.deps import PrincipalDep, SessionDep
from service.exports.responses import attachment
from service.inventory.service import visible_inventory
from service.jobs.dispatch import accepted
from service.jobs.schemas import JobOut
from service.openapi import PDF_OR_JOB_RESPONSE, DialectQuery, LangQuery, problem_responses
from service.reports import service as reports

router = APIRouter(tags=["energy"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLIMATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A PVGIS TMY (csv or json) or an EPW file, as multipart field 'file' or the raw body "
        "with ?filename=site.epw",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def assessment_out(session: Any, row: Assessment, with_result: bool = False) -> AssessmentOut:
    job = repository.get_job(session, row.job_id)
    status = "succeeded" if row.totals is not None else (job.status if job else "unknown")
    result = None
    if with_result and row.totals is not None:
        records = repository.load_building_records(session, row.id)
        meta = dict(row.meta or {})
        result = AssessmentResultOut(
            buildings=[results.nest(r) for r in records],
            totals_by_type=row.totals_by_type or [],
            totals=row.totals,
            warnings=meta.pop("warnings", []),
            meta=meta,
        )
    return AssessmentOut(
        id=row.id,
        inventory_id=row.inventory_id,
        inventory_version=row.inventory_version,
        climate_id=row.climate_id,
        status=status,
        job=JobOut.from_row(job) if job else None,
        params=row.params,
        city_lat=row.city_lat,
        city_lon=row.city_lon,
        city_location_source=row.city_location_source,
        engine_version=row.engine_version,
        created_at=row.created_at,
        finished_at=row.finished_at,
        url=f"/v1/assessments/{row.id}",
        result=result,
    )


def climate_out(row: Climate) -> ClimateOut:
    return ClimateOut(
        id=row.id,
        name=row.name,
        filename=row.filename,
        file_format=row.file_format,
        source=row.source,
        period=row.period,
        lat=row.lat,
        lon=row.lon,
        altitude_m=row.altitude_m,
        ghi_kwh_m2_per_year=row.ghi_kwh_m2_per_year,
        mean_temp_air_c=row.mean_temp_air_c,
        created_at=row.created_at,
        url=f"/v1/climates/{row.id}",
    )


@router.post(
    "/v1/inventories/{inventory_id}/assessments",
    status_code=202,
    response_model=JobOut,
    responses=problem_responses(401, 403, 404, 422),
)
def start_assessment(
    inventory_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    body: Annotated[AssessmentRequest | None, Body()] = None,
) -> Response:
    """Start an energy assessment job of one inventory version (the city, or an advisor with plan access).

    The job's `result_url` points at `GET /v1/assessments/{id}` once it has succeeded."""
    assessment, job = service.start_assessment(session, principal, inventory_id, body or AssessmentRequest())
    return accepted(request, session, job, f"/v1/assessments/{assessment.id}")


@router.get(
    "/v1/inventories/{inventory_id}/assessments",
    response_model=AssessmentList,
    responses=problem_responses(401, 404),
)
def list_assessments(inventory_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> AssessmentList:
    inventory = visible_inventory(session, principal, inventory_id)
    items = [assessment_out(session, a) for a in repository.list_assessments(session, inventory.id)]
    return AssessmentList(items=items, count=len(items))


@router.get(
    "/v1/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses={**problem_responses(401, 404, 409), 200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def get_assessment(
    assessment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    format: Literal["json", "csv", "xlsx"] = "json",
    dialect: DialectQuery = "plain",
    lang: LangQuery = "pl",
) -> Any:
    """Per building: need by use, final energy by carrier, primary energy, EP vs limit, CO2, cost, PV,
    defaults used and warnings; totals by building type and for the city.

    `?format=csv` exports the per-building table: `dialect=plain` (default, for machines: comma,
    decimal point, full precision, API names) or `dialect=excel-pl` (for a Polish spreadsheet: UTF-8
    with BOM, semicolon, decimal comma, headers with units in `lang`, rounded figures).
    `?format=xlsx` is a workbook a person reads (summary, buildings, by type, warnings, defaults used,
    run and sources) with headers in `lang` (pl, en, uk)."""
    if format == "json":
        return assessment_out(session, service.visible_assessment(session, principal, assessment_id), True)
    content, filename = service.export_file(session, principal, assessment_id, format, dialect, lang)
    return attachment(content, filename, format)


@router.get(
    "/v1/assessments/{assessment_id}/report.pdf",
    response_class=Response,
    responses={**problem_responses(401, 404, 409), **PDF_OR_JOB_RESPONSE},
)
def assessment_report(
    assessment_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = "pl",
    async_: Annotated[
        bool,
        Query(alias="async", description="make the report by a job (202) even for a small city"),
    ] = False,
    prefer: Annotated[str | None, Header(description="`respond-async`: the same as `?async=true`")] = None,
) -> Response:
    """The energy diagnosis of public buildings (PDF, `lang` = pl, en or uk; another value gives Polish):
    summary for decision makers, inventory by type and era, map, EP against the WT 2021 limits, CO2 and
    cost by type, rooftop PV, calibration, data quality, method and sources, an annex of every building.
    Reproducible: it names the run, engine version and date; the same run gives the same document.

    A city of more than 300 buildings (or `?async=true`, `Prefer: respond-async`) gets 202 and the
    report job; the same GET answers 200 with the stored PDF once the job has succeeded (and 202 with
    the same job while it runs). 409 while the assessment runs."""
    wants_job = async_ or "respond-async" in (prefer or "").lower()
    out = reports.energy_report_or_job(session, principal, assessment_id, lang, wants_job)
    if out.content is not None:
        return attachment(out.content, out.filename, "pdf")
    location = f"/v1/assessments/{assessment_id}/report.pdf?lang={out.job.params['lang']}"
    return accepted(request, session, out.job, location, dispatch=out.new_job)


@router.post(
    "/v1/energy/estimate",
    response_model=AssessmentResultOut,
    responses=problem_responses(401, 403, 404, 413, 422),
)
def estimate(request: Request, body: EstimateRequest, session: SessionDep, principal: PrincipalDep) -> Any:
    """Synchronous assessment of up to `max_sync_buildings` (100) buildings given in the body; the
    same validation as inventories and the same result shape as an assessment."""
    payload = service.estimate(session, principal, body, request.app.state.settings)
    return AssessmentResultOut(**{**payload, "buildings": [results.nest(r) for r in payload["buildings"]]})


@router.post(
    "/v1/climates",
    status_code=201,
    response_model=ClimateOut,
    openapi_extra=CLIMATE_BODY,
    responses=problem_responses(401, 403, 413, 422),
)
def upload_climate(
    body: Annotated[RawBody, Depends(read_raw_body)],
    session: SessionDep,
    principal: PrincipalDep,
    name: Annotated[str | None, Query(max_length=200, examples=["Lublin, dach ratusza"])] = None,
    filename: Annotated[str | None, Query(max_length=200, examples=["tmy_51.248_22.566.csv"])] = None,
) -> Response:
    """Upload a named climate for your organisation (PVGIS TMY csv/json or EPW); reuse its id in
    assessments and estimates. A truncated file, fewer than 8760 hours, non-numeric cells or negative
    irradiance is a 422 naming the problem; nothing is stored then."""
    row = climates.upload_climate(session, principal, body.content, body.filename or filename, name)
    out = climate_out(row)
    return Response(
        out.model_dump_json(), status_code=201, media_type="application/json", headers={"Location": out.url}
    )


@router.get("/v1/climates", response_model=ClimateList, responses=problem_responses(401))
def list_climates(session: SessionDep, principal: PrincipalDep) -> ClimateList:
    items = [climate_out(c) for c in climates.list_climates(session, principal)]
    return ClimateList(items=items, count=len(items))


@router.get("/v1/climates/{climate_id}", response_model=ClimateOut, responses=problem_responses(401, 404))
def get_climate(climate_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ClimateOut:
    return climate_out(climates.visible_climate(session, principal, climate_id))


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An accessible SVG image (role=img, title, desc)",
        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
    }
}


def _svg(content: str) -> Response:
    return Response(content, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@router.get(
    "/v1/assessments/{assessment_id}/map.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409), **SVG_RESPONSE},
)
def assessment_map(
    assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, lang: LangQuery = "pl"
) -> Response:
    """Map of the buildings by lon/lat: circle area ∝ heated area, colour by EP / EP-limit class, a
    tooltip per building (name, EP, CO2); buildings without coordinates are named under the map."""
    return _svg(service.chart_svg(session, principal, assessment_id, "map", lang))


@router.get(
    "/v1/assessments/{assessment_id}/chart.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409, 422), **SVG_RESPONSE},
)
def assessment_chart(
    assessment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    kind: Annotated[
        Literal["ep", "co2_by_type", "pv"],
        Query(
            description="ep: EP per building with its limit; co2_by_type; pv: PV yield vs self-consumption"
        ),
    ] = "ep",
    lang: LangQuery = "pl",
) -> Response:
    """A chart of a finished assessment as SVG, labels and numbers in `lang` (pl, en, uk); 409 while it
    has no results (or no PV results for pv)."""
    return _svg(service.chart_svg(session, principal, assessment_id, kind, lang))
