"""HTTP for readiness (with a key): indicator values, scores, publications. Thin: use cases in service.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from service.body import RawBody, read_raw_body
from service.deps import PrincipalDep, SessionDep
from service.exports.responses import attachment
from service.jobs.dispatch import accepted
from service.jobs.schemas import JobOut
from service.openapi import PDF_RESPONSE, LangQuery, problem_responses
from service.readiness import service
from service.readiness.public_cache import invalidate_served
from service.readiness.schemas import (
    INDICATORS_BODY,
    PreviewOut,
    PublicationIn,
    PublicationList,
    PublicationOut,
    RunOut,
    ScoreOut,
    ScoresRequest,
    SubmissionOut,
    ValuesOut,
    WithdrawalIn,
)
from service.reports import service as reports

router = APIRouter(prefix="/v1/readiness", tags=["readiness"])
TerytPath = Annotated[
    str, Path(pattern=r"^\d{7}$", description="7-digit TERYT gmina code", examples=["0663011"])
]


@router.put(
    "/{teryt}/indicators", response_model=SubmissionOut, openapi_extra=INDICATORS_BODY,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)  # fmt: skip
def put_indicators(
    teryt: TerytPath,
    body: Annotated[RawBody, Depends(read_raw_body)],
    session: SessionDep,
    principal: PrincipalDep,
) -> SubmissionOut:
    """Report indicator values of the gmina (the city itself, or an advisor with plan access).

    Each (indicator, year) in the body becomes a new version; the earlier one stays readable
    (`?history=true`). Every problem comes back at once with row and field; nothing is stored then."""
    sub, stored, superseded = service.submit_values(
        session, principal, teryt, body.content, body.content_type
    )
    return SubmissionOut(
        submission_id=sub.id, teryt=teryt, version=sub.version, values_stored=stored,
        values_superseded=superseded, created_at=sub.created_at,
    )  # fmt: skip


@router.get("/{teryt}/indicators", response_model=ValuesOut, responses=problem_responses(401, 404, 422))
def get_indicators(
    teryt: TerytPath, session: SessionDep, principal: PrincipalDep,
    history: Annotated[bool, Query(description="include earlier (superseded) versions")] = False,
) -> ValuesOut:  # fmt: skip
    """Every value of the gmina with its source and origin (reference, BDL, city); `used` marks the scored ones."""
    return service.indicator_values(session, principal, teryt, history)


@router.post(
    "/scores", status_code=201, response_model=RunOut,
    responses={**problem_responses(401, 403, 404, 422), 202: {"model": JobOut, "description": "computed as a job"}},
)  # fmt: skip
def post_scores(
    body: ScoresRequest, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Compute readiness scores: one gmina without uncertainty runs at once (201), else as a job (202)."""
    payload = body.model_dump(mode="json")
    out, job = service.post_scores(session, principal, payload)
    if out is not None:
        return Response(out.model_dump_json(), status_code=201, media_type="application/json",
                        headers={"Location": f"/v1/readiness/scores/{out.run_id}"})  # fmt: skip
    return accepted(request, session, job, f"/v1/readiness/scores/{job.subject_id}")


@router.get("/scores/{run_id}", response_model=RunOut, responses=problem_responses(401, 404))
def get_run(run_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> RunOut:
    """A score run: its request, configuration hash and the stored scores of every gmina."""
    return service.run_view(session, principal, run_id)


@router.get("/scores/{run_id}/report.pdf", response_class=Response,
            responses={**problem_responses(401, 404, 409, 422), **PDF_RESPONSE})  # fmt: skip
def run_report(
    run_id: uuid.UUID, session: SessionDep, principal: PrincipalDep,
    teryt: Annotated[str, Query(pattern=r"^\d{7}$", description="the gmina of the run to report on", examples=["0663011"])],
    lang: LangQuery = "pl",
) -> Response:  # fmt: skip
    """The readiness diagnosis (PDF, `lang` = pl, en or uk) of one gmina from a chosen run: score, pillars
    and their uncertainty intervals, capacity against need and what breaks first, strengths, weaknesses
    and the best lever, the peer group, every indicator with year, source and age, method and sources."""
    content, filename = reports.readiness_report(session, principal, teryt, lang, run_id=run_id)
    return attachment(content, filename, "pdf")


@router.get("/{teryt}/publications/{snapshot_id}/report.pdf", response_class=Response,
            responses={**problem_responses(401, 404, 422), **PDF_RESPONSE})  # fmt: skip
def publication_report(
    teryt: TerytPath, snapshot_id: Annotated[str, Path(max_length=64, examples=["rs-0663011-0001"])],
    session: SessionDep, principal: PrincipalDep, lang: LangQuery = "pl",
) -> Response:  # fmt: skip
    """The readiness diagnosis of a published snapshot (the run it was published from), as PDF."""
    content, filename = reports.readiness_report(session, principal, teryt, lang, snapshot_id=snapshot_id)
    return attachment(content, filename, "pdf")


@router.get("/{teryt}/scores", response_model=ScoreOut, responses=problem_responses(401, 404, 422))
def latest_scores(teryt: TerytPath, session: SessionDep, principal: PrincipalDep) -> ScoreOut:
    """The most recently computed scores of the gmina."""
    return service.latest_score_view(session, principal, teryt)


@router.post(
    "/{teryt}/publications/preview", response_model=PreviewOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)  # fmt: skip
def preview_publication(
    teryt: TerytPath, body: PublicationIn, request: Request, session: SessionDep, principal: PrincipalDep
) -> PreviewOut:
    """Exactly the snapshot that publishing this run would make public now; nothing is stored."""
    base_url = request.app.state.settings.base_url
    snap = service.preview_snapshot(session, principal, teryt, body.run_id, base_url)
    return PreviewOut(
        teryt=teryt, run_id=body.run_id, snapshot=snap.model_dump(mode="json"),
        widget_url=f"/v1/public/readiness/{teryt}/widget",
    )  # fmt: skip


@router.post(
    "/{teryt}/publications", status_code=201, response_model=PublicationOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)  # fmt: skip
def post_publication(
    teryt: TerytPath, body: PublicationIn, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Freeze the named run's scores into an immutable public snapshot; it supersedes the previous one.

    The run must be named and must carry uncertainty intervals (at least 100 uncertainty runs): a
    run without them answers 422 and nothing goes public. Preview first with `.../publications/preview`."""
    base_url = request.app.state.settings.base_url
    pub = service.publish_now(session, principal, teryt, body.run_id, base_url)
    invalidate_served(request.app.state, teryt)
    out = PublicationOut.model_validate(pub, context={"base_url": base_url})
    return Response(out.model_dump_json(), status_code=201, media_type="application/json",
                    headers={"Location": f"/v1/public/readiness/{teryt}"})  # fmt: skip


@router.post(
    "/{teryt}/publications/{snapshot_id}/withdrawal", response_model=PublicationOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)  # fmt: skip
def withdraw_publication(
    teryt: TerytPath, snapshot_id: Annotated[str, Path(max_length=64, examples=["rs-0663011-0001"])],
    body: WithdrawalIn, request: Request, session: SessionDep, principal: PrincipalDep,
) -> PublicationOut:  # fmt: skip
    """Withdraw a publication: while it is the latest, the public endpoints answer 410 Gone with the date
    (the widget shows a short notice); a new publication supersedes it. The snapshot itself is kept."""
    pub = service.withdraw_now(session, principal, teryt, snapshot_id, body.reason)
    invalidate_served(request.app.state, teryt)
    return PublicationOut.model_validate(pub, context={"base_url": request.app.state.settings.base_url})


@router.get(
    "/{teryt}/publications", response_model=PublicationList, responses=problem_responses(401, 404, 422)
)
def list_publications(
    teryt: TerytPath, request: Request, session: SessionDep, principal: PrincipalDep
) -> PublicationList:
    """Every published snapshot of the gmina, newest first (published snapshots never change)."""
    base_url = request.app.state.settings.base_url
    items = [
        PublicationOut.model_validate(p, context={"base_url": base_url})
        for p in service.publications(session, principal, teryt)
    ]
    return PublicationList(teryt=teryt, count=len(items), items=items)
