"""Use cases for jobs: create (flush only), read with tenancy, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db import utcnow
from service.errors import Conflict, NotFound
from service.jobs.models import FINAL_STATUSES, Job
from service.logs import request_id_var
from service.orgs.service import Principal, require_access, visible_city_ids

__all__ = ["FINAL_STATUSES", "cancel_job", "create_job", "get_job", "list_jobs"]


def create_job(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    owner_org_id: uuid.UUID,
    subject_type: str,
    subject_id: str,
    params: dict[str, Any] | None = None,
    job_id: uuid.UUID | None = None,
) -> Job:
    """A queued job row (flush only); ``job_id`` fixes its id (the demo's documented ids), else a new uuid4."""
    job = Job(
        id=job_id or uuid.uuid4(),
        kind=kind,
        org_id=principal.org_id,
        owner_org_id=owner_org_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        params=params or {},
        request_id=request_id_var.get(),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, principal: Principal, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.owner_org_id not in visible_city_ids(session, principal):
        raise NotFound(f"job {job_id} not found")
    return job


def list_jobs(
    session: Session, principal: Principal, status: str | None, kind: str | None, limit: int
) -> list[Job]:
    query = select(Job).where(Job.owner_org_id.in_(visible_city_ids(session, principal)))
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query.order_by(Job.created_at.desc()).limit(limit)))


def cancel_job(session: Session, principal: Principal, job_id: uuid.UUID) -> Job:
    """Cancel a queued or running job: it needs what starting it needs (``jobs:write`` and plan
    access to the city), so an advisor with a read grant sees the job but gets 403 cancelling it."""
    job = get_job(session, principal, job_id)
    principal.require("jobs:write")
    require_access(session, principal, job.owner_org_id, "plan", f"job {job_id}")
    if job.status in FINAL_STATUSES:
        raise Conflict(f"job {job_id} is already {job.status}")
    # The worker's next progress call or its final conditional update sees the new status.
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(("queued", "running")))
        .values(status="cancelled", message="cancelled by request", finished_at=utcnow())
    )
    session.flush()
    session.refresh(job)
    return job
