"""Assessment: start one (sourced defaults editable), live progress, results, one building."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from energy.errors import EnergyError
from service.deps import SessionDep
from service.errors import Conflict, ValidationProblem, as_problem
from service.exports.responses import attachment
from service.reports import service as reports
from service.web import queries
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import CsrfUserDep, UserDep, page_lang

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/inventories/{inventory_id}/assess")
def assess_form(request: Request, inventory_id: uuid.UUID, session: SessionDep, user: UserDep) -> Response:
    user.principal.require("jobs:write")
    view = queries.assess_form(session, user.principal, inventory_id)
    return page(request, "assessments/start.html", nav="inventories", view=view, form={}, findings=[])


@router.post("/inventories/{inventory_id}/assess")
async def assess_start(
    request: Request, inventory_id: uuid.UUID, session: SessionDep, user: CsrfUserDep
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        assessment = queries.start_assessment(
            session, user.principal, inventory_id, form, page_lang(request), request.app.state.dispatcher
        )
    except (ValidationProblem, Conflict, EnergyError) as exc:  # nothing stored; Conflict: no coordinates
        problem = as_problem(exc)  # an engine's error: the 422 the API answers for it
        view = queries.assess_form(session, user.principal, inventory_id)
        findings = translated_findings(problem.errors)
        return page(
            request,
            "assessments/start.html",
            problem.status,
            nav="inventories",
            view=view,
            form=form,
            findings=findings,
        )
    return RedirectResponse(f"/app/assessments/{assessment.id}", status_code=303)


@router.get("/assessments/{assessment_id}")
def assessment_page(
    request: Request, assessment_id: uuid.UUID, session: SessionDep, user: UserDep
) -> Response:
    view = queries.assessment_view(session, user.principal, assessment_id, page_lang(request))
    return page(request, "assessments/detail.html", nav="inventories", view=view)


@router.get("/assessments/{assessment_id}/charts/{kind}")
def chart(
    request: Request, assessment_id: uuid.UUID, kind: str, session: SessionDep, user: UserDep
) -> Response:
    """One chart as an HTML fragment; the page asks for each after its first render (htmx)."""
    chart = queries.assessment_chart(session, user.principal, assessment_id, kind[:20], page_lang(request))
    return page(request, "assessments/_chart.html", chart=chart, kind=kind[:20])


@router.get("/assessments/{assessment_id}/download/{kind}")
def download(
    request: Request, assessment_id: uuid.UUID, kind: str, session: SessionDep, user: UserDep
) -> Response:
    if kind == "pdf":
        return _report(request, assessment_id, session, user)
    content, name, fmt = queries.assessment_download(
        session, user.principal, assessment_id, kind[:8], page_lang(request)
    )
    return attachment(content, name, fmt)


def _report(request: Request, assessment_id: uuid.UUID, session: SessionDep, user: UserDep) -> Response:
    """The PDF when it is ready (a small city, or a big city's finished report job); else the page
    that follows the report job and then offers the download."""
    lang = page_lang(request)
    prefer_job = request.query_params.get("async") == "true"  # as the API's ?async=true
    out = reports.energy_report_started(
        session, user.principal, assessment_id, lang, prefer_job, request.app.state.dispatcher
    )
    if out.content is not None:
        return attachment(out.content, out.filename, "pdf")
    return page(
        request, "assessments/report.html", nav="inventories", assessment_id=assessment_id,
        ready=False, job=out.job,
    )  # fmt: skip


@router.get("/assessments/{assessment_id}/report/progress")
def report_progress(
    request: Request, assessment_id: uuid.UUID, session: SessionDep, user: UserDep
) -> Response:
    """The report job's progress fragment htmx polls; when the PDF is stored it offers the download."""
    ready, job = reports.energy_report_state(session, user.principal, assessment_id, page_lang(request))
    return page(
        request, "assessments/_report_progress.html", assessment_id=assessment_id, ready=ready, job=job
    )


@router.get("/assessments/{assessment_id}/progress")
def progress(request: Request, assessment_id: uuid.UUID, session: SessionDep, user: UserDep) -> Response:
    """The progress fragment htmx polls; once the job has ended the page reloads with the results."""
    row, job = queries.job_progress(session, user.principal, assessment_id)
    response = page(request, "assessments/_progress.html", row=row, job=job)
    if row.totals is not None or (job is not None and job.status in ("failed", "cancelled")):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/assessments/{assessment_id}/buildings/{building_id}")
def building_page(
    request: Request, assessment_id: uuid.UUID, building_id: str, session: SessionDep, user: UserDep
) -> Response:
    doc, building = queries.building_view(session, user.principal, assessment_id, building_id[:100])
    return page(request, "assessments/building.html", nav="inventories", doc=doc, b=building)
