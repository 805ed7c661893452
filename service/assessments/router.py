"""HTTP for assessments (jobs), the synchronous estimate and named climates."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import Response

from service.assessments import service
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
from service.exports.responses import attachment, svg
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
    return service.assessment_list(session, principal, inventory_id)


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
        return service.assessment_view(session, principal, assessment_id)
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
    return service.estimate_out(session, principal, body, request.app.state.settings)


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
    out = service.upload_climate(session, principal, body.content, body.filename or filename, name)
    return Response(
        out.model_dump_json(), status_code=201, media_type="application/json", headers={"Location": out.url}
    )


@router.get("/v1/climates", response_model=ClimateList, responses=problem_responses(401))
def list_climates(session: SessionDep, principal: PrincipalDep) -> ClimateList:
    return service.climate_list(session, principal)


@router.get("/v1/climates/{climate_id}", response_model=ClimateOut, responses=problem_responses(401, 404))
def get_climate(climate_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ClimateOut:
    return service.climate_view(session, principal, climate_id)


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An accessible SVG image (role=img, title, desc)",
        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
    }
}


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
    return svg(service.chart_svg(session, principal, assessment_id, "map", lang))


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
    return svg(service.chart_svg(session, principal, assessment_id, kind, lang))
