"""Running jobs: claim the row, compute, store the result in the same transaction as the final status.

The same ``run_job`` runs inside a Celery worker (production) or a local process pool (embedded
default). Claiming is an atomic conditional UPDATE, so a redelivered message (after a worker was
killed) takes the job over only when its heartbeat is stale, and the job completes once. A message
that finds the job running with a fresh heartbeat waits (up to twice ``job_stale_after_s``) for it to
finish or go stale, instead of dropping at once what may be the only message of a job whose worker
just died; were it to give up, the sweep (:mod:`service.jobs.sweep`) still recovers the job.

Attempts are bounded (``job_max_attempts``, take-overs included): a job that keeps failing on a
temporary error, or keeps killing its worker, fails readably instead of running forever. Messages
and error details shown to clients name the problem in a plain sentence; the SQL and its
parameters stay in the server's log.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, or_, select, update
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.db import engine_for, session_factory, utcnow
from service.jobs.models import Job
from service.jobs.registry import JobCancelled, JobContext, JobError, TransientJobError, load_kinds
from service.logs import request_id_var
from service.settings import Settings, get_settings

log = logging.getLogger("miasto.jobs")


def claimable(stale_before: datetime) -> ColumnElement[bool]:
    """A job a worker may claim: queued, or running with a heartbeat older than ``stale_before``."""
    return or_(
        Job.status == "queued",
        (Job.status == "running") & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
    )


def _claim(sessions, job_id: uuid.UUID, stale_after_s: int, max_attempts: int) -> int | None:
    now = utcnow()
    with sessions() as s:
        stale_before = now - timedelta(seconds=stale_after_s)
        given_up = s.execute(
            update(Job)
            .where(Job.id == job_id, claimable(stale_before), Job.attempts >= max_attempts)
            .values(
                status="failed",
                finished_at=now,
                error_type="too-many-attempts",
                error_detail=f"the job was started {max_attempts} times without finishing; it was given up",
                message="failed",
            )
        ).rowcount
        if given_up:
            s.commit()
            log.error("job %s given up after %d attempts", job_id, max_attempts)
            return None
        claimed = s.execute(
            update(Job)
            .where(Job.id == job_id, claimable(stale_before))
            .values(
                status="running",
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                progress=0,
                message="started",
            )
        ).rowcount
        s.commit()
        if not claimed:
            return None
        return s.scalar(select(Job.attempts).where(Job.id == job_id))


def _claim_or_wait(sessions, job_id: uuid.UUID, stale_after_s: int, max_attempts: int) -> int | None:
    """Claim the job; while another worker holds it with a fresh heartbeat, wait for it to finish
    (then None) or for its heartbeat to go stale (then take it over). Gives up after twice the
    stale time: the owner is alive, and if it dies later the sweep sends the job again."""
    deadline = time.monotonic() + 2 * stale_after_s
    while True:
        attempt = _claim(sessions, job_id, stale_after_s, max_attempts)
        if attempt is not None:
            return attempt
        with sessions() as s:
            status, subject_type = s.execute(
                select(Job.status, Job.subject_type).where(Job.id == job_id)
            ).one()
        # a part of a fanned-out job (service.jobs.fanout) held by a live worker is skipped at once:
        # this worker is more use on the next part, and the parent takes over a part whose worker died
        if status != "running" or subject_type == "job" or time.monotonic() > deadline:
            return None
        time.sleep(max(0.25, min(5.0, stale_after_s / 5)))


def client_text(exc: BaseException) -> str:
    """What a client may read about a failure: a plain sentence, never SQL or its parameters."""
    if isinstance(exc, TransientJobError):
        return str(exc)[:200] or "a temporary error"
    if isinstance(exc, OperationalError):
        return "the database was unreachable or busy"
    if isinstance(exc, IntegrityError):
        return "the database refused the job's results (a constraint was violated)"
    if isinstance(exc, DataError):
        return "a value did not fit the database"
    if isinstance(exc, SQLAlchemyError):
        return "a database error stopped the job"
    return f"an unexpected error ({type(exc).__name__}) stopped the job"


def _heartbeat(sessions, job_id: uuid.UUID, attempt: int, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        try:
            with sessions() as s:
                s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
                    .values(heartbeat_at=utcnow())
                )
                s.commit()
        except Exception:  # a missed beat is not fatal; the next one retries
            log.warning("heartbeat failed for job %s", job_id)


def _finish(sessions, job_id: uuid.UUID, attempt: int, **values: Any) -> bool:
    with sessions() as s:
        done = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
            .values(finished_at=utcnow(), **values)
        ).rowcount
        s.commit()
    return bool(done)


def _claim_for_run(sessions, job_uuid: uuid.UUID, settings: Settings, wait: bool) -> int | None:
    """The attempt number this worker holds, or None. ``wait=False`` skips at once a job another
    worker holds with a fresh heartbeat (a parent working through its parts, :mod:`service.jobs.fanout`)."""
    claim = _claim_or_wait if wait else _claim
    return claim(sessions, job_uuid, settings.job_stale_after_s, settings.job_max_attempts)


def _start_heartbeat(sessions, job_uuid: uuid.UUID, attempt: int, settings: Settings) -> threading.Event:
    """A daemon thread beating for this attempt until the returned event is set."""
    stop = threading.Event()
    interval = max(0.5, settings.job_stale_after_s / 4)
    threading.Thread(
        target=_heartbeat, args=(sessions, job_uuid, attempt, stop, interval), daemon=True
    ).start()
    return stop


def _job_context(job: Job, session: Session, sessions, attempt: int, settings: Settings) -> JobContext:
    """What the job kind is given: its session, the job's subject and parameters, progress reporting."""
    return JobContext(
        session=session,
        job_id=job.id,
        kind=job.kind,
        subject_type=job.subject_type,
        subject_id=job.subject_id,
        params=dict(job.params or {}),
        org_id=job.org_id,
        owner_org_id=job.owner_org_id,
        attempt=attempt,
        _progress_sessions=sessions,
        settings=settings,
    )


def _mark_succeeded(session: Session, job_uuid: uuid.UUID, attempt: int, result: dict[str, Any]) -> bool:
    """Set the job succeeded with its result summary, in the job kind's transaction (not committed),
    unless it is no longer this attempt's running job (cancelled meanwhile): whether it was set."""
    # Results and the final status commit together: either both are stored or neither.
    # Session.execute() is typed as Result; an UPDATE yields a CursorResult (rowcount).
    done = cast(
        "CursorResult[Any]",
        session.execute(
            update(Job)
            .where(Job.id == job_uuid, Job.status == "running", Job.attempts == attempt)
            .values(
                status="succeeded",
                progress=100,
                message="done",
                result=result.get("summary", result),
                result_path=result.get("result_path"),
                finished_at=utcnow(),
            )
        ),
    ).rowcount
    return bool(done)


def run_job(
    job_id: str | uuid.UUID,
    database_url: str | None = None,
    settings: Settings | None = None,
    *,
    wait: bool = True,
) -> str:
    """Compute one job; returns its final status (or 'skipped' when another worker owns it)."""
    settings = settings or get_settings()
    job_uuid = uuid.UUID(str(job_id))
    sessions = session_factory(engine_for(database_url or settings.database_url))
    kinds = load_kinds()
    attempt = _claim_for_run(sessions, job_uuid, settings, wait)
    if attempt is None:
        return "skipped"
    stop = _start_heartbeat(sessions, job_uuid, attempt, settings)
    session = sessions()
    token = request_id_var.set(None)
    try:
        job = session.get(Job, job_uuid)
        assert job is not None
        request_id_var.set(job.request_id)
        log.info("job %s (%s) attempt %d started", job.id, job.kind, attempt, extra={"job_id": str(job.id)})
        fn = kinds.get(job.kind)
        if fn is None:
            raise JobError("unknown-job-kind", f"no worker code for job kind '{job.kind}'")
        ctx = _job_context(job, session, sessions, attempt, settings)
        session.expunge(job)
        result = fn(ctx) or {}
        if _mark_succeeded(session, job_uuid, attempt, result):
            session.commit()
            log.info("job %s succeeded", job_uuid, extra={"job_id": str(job_uuid)})
            return "succeeded"
        session.rollback()
        return "cancelled"
    except JobCancelled:
        session.rollback()
        return "cancelled"
    except JobError as exc:
        session.rollback()
        _finish(
            sessions,
            job_uuid,
            attempt,
            status="failed",
            error_type=exc.error_type,
            error_detail=exc.detail,
            message="failed",
        )
        return "failed"
    except (TransientJobError, OperationalError) as exc:
        session.rollback()
        reason = client_text(exc)
        log.warning("job %s attempt %d: temporary error", job_uuid, attempt, exc_info=True)
        if attempt >= settings.job_max_attempts:
            _finish(
                sessions,
                job_uuid,
                attempt,
                status="failed",
                error_type="temporary-error-persisted",
                error_detail=f"{reason}, on each of {attempt} attempts",
                message="failed",
            )
            return "failed"
        # Give the row back so the retry can claim it at once.
        message = (
            f"retrying after a temporary error: {reason} (attempt {attempt} of {settings.job_max_attempts})"
        )
        _finish(sessions, job_uuid, attempt, status="queued", message=message[:300])
        raise
    except Exception as exc:  # any other error is a bug: fail the job readably, keep the traceback in the log
        session.rollback()
        log.exception("job %s failed", job_uuid)
        _finish(
            sessions,
            job_uuid,
            attempt,
            status="failed",
            error_type="internal-error",
            error_detail=client_text(exc) + "; it has been logged with the job id",
            message="failed",
        )
        return "failed"
    finally:
        stop.set()
        session.close()
        request_id_var.reset(token)


def run_job_local(job_id: str, settings: Settings) -> str:
    """``run_job`` for the local pool, with the API's settings: a temporary error answers "retry"
    (the pool resubmits it after a backoff) instead of an exception crossing the process boundary."""
    try:
        return run_job(job_id, settings.database_url, settings)
    except (TransientJobError, OperationalError):
        return "retry"
