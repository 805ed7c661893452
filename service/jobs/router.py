"""HTTP for jobs: read status and progress, list, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import PrincipalDep, SessionDep
from service.jobs import service
from service.jobs.schemas import JobList, JobOut, JobStatus
from service.openapi import problem_responses

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, responses=problem_responses(401, 404))
def get_job(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """Status, progress (0-100) with a short message, typed error, and a link to the result."""
    principal.require("jobs:read")
    return JobOut.model_validate(service.get_job(session, principal, job_id))


@router.get("", response_model=JobList, responses=problem_responses(401, 422))
def list_jobs(
    session: SessionDep,
    principal: PrincipalDep,
    status: JobStatus | None = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobList:
    """Jobs on data you can see, newest first; filter by status or kind."""
    principal.require("jobs:read")
    jobs = service.list_jobs(session, principal, status, kind, limit)
    return JobList(items=[JobOut.model_validate(j) for j in jobs], count=len(jobs))


@router.post("/{job_id}/cancel", response_model=JobOut, responses=problem_responses(401, 403, 404, 409))
def cancel_job(job_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> JobOut:
    """Cancel a queued or running job and answer the job, now `cancelled`; a running job stops at its
    next progress report. The job stays readable at `GET /v1/jobs/{id}` (a cancelled job is a record,
    not a deleted resource: hence a POST of an action, not a DELETE). 409 when it has already finished."""
    principal.require("jobs:write")
    return JobOut.model_validate(service.cancel_job(session, principal, job_id))
