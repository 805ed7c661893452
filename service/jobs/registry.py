"""Job kinds: a name mapped to a function that computes the job inside a worker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session, sessionmaker

from service.db import utcnow
from service.jobs.models import Job


class JobError(Exception):
    """A final, readable failure (bad data found late, an infeasible model): never retried."""

    def __init__(self, error_type: str, detail: str) -> None:
        super().__init__(detail)
        self.error_type = error_type
        self.detail = detail


class TransientJobError(Exception):
    """A failure worth retrying with backoff (a lost connection)."""


class JobCancelled(Exception):
    """Raised inside a job when its row says it was cancelled."""


@dataclass
class JobContext:
    """What a job function gets: its own session, its parameters, and a progress reporter."""

    session: Session
    job_id: uuid.UUID
    kind: str
    subject_type: str
    subject_id: str
    params: dict[str, Any]
    org_id: uuid.UUID
    owner_org_id: uuid.UUID
    attempt: int
    _progress_sessions: sessionmaker[Session] = field(repr=False)
    settings: Any = field(default=None, repr=False)  # the worker's Settings (sub-jobs are sent with them)
    _last_write: float = field(default=0.0, repr=False)
    _last_pct: int = field(default=-1, repr=False)

    def progress(self, percent: float, message: str = "") -> None:
        """Record progress (0-100) in its own short transaction so readers see it while we work.

        Raises :class:`JobCancelled` when the job was cancelled meanwhile.
        """
        pct = max(0, min(99, int(percent)))
        now = time.monotonic()
        if pct == self._last_pct and now - self._last_write < 0.5:
            return
        with self._progress_sessions() as s:
            # Session.execute() is typed as Result; an UPDATE yields a CursorResult (rowcount).
            done = cast(
                "CursorResult[Any]",
                s.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.status == "running", Job.attempts == self.attempt)
                    .values(progress=pct, message=message[:300], heartbeat_at=utcnow())
                ),
            ).rowcount
            s.commit()
        self._last_write, self._last_pct = now, pct
        if not done:
            raise JobCancelled(str(self.job_id))


JobFunction = Callable[[JobContext], dict[str, Any] | None]
JOB_KINDS: dict[str, JobFunction] = {}


def register(kind: str) -> Callable[[JobFunction], JobFunction]:
    def decorator(fn: JobFunction) -> JobFunction:
        JOB_KINDS[kind] = fn
        return fn

    return decorator


def load_kinds() -> dict[str, JobFunction]:
    """Import every module that registers job kinds (kept in one list so workers see them all)."""
    # Plain imports inside the function: each of these modules registers itself with this one.
    import service.assessments.jobs
    import service.indices.jobs
    import service.inventory.summary
    import service.jobs.kinds
    import service.portfolios.jobs
    import service.readiness.jobs
    import service.reports.jobs  # noqa: F401

    return JOB_KINDS
