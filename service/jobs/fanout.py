"""Sub-jobs: the independent parts of one job spread over the workers the deployment already runs.

A job (the parent) whose work splits into independent parts creates one job row per part (its own
``kind``, subject ``job`` = the parent's id, the part's ``index`` in its params), commits them and
sends their messages like any job's: the other Celery workers take them from the queue (without a
broker, a few extra local processes started for the purpose do). The parent's own worker works
through the same list meanwhile, from its end, so a part runs once, on whichever worker claims it
first (the runner's atomic claim; a worker that finds a part taken skips it at once), and a parent
with no free worker beside it simply does all parts itself.

Each part stores its result in its own row as it finishes; the parent's progress counts finished
parts. A part that fails ends the parent with the part's typed error, naming the part; cancelling
the parent cancels the parts still queued or running (a running part stops at its next progress
report). A redelivered parent finds the parts of its earlier attempt and keeps what they finished.
A part whose worker died is taken over by the parent once its heartbeat is stale (or sent again by
the sweep, like any job).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from service.db import utcnow
from service.jobs.models import FINAL_STATUSES, Job
from service.jobs.registry import JobCancelled, JobContext, JobError, TransientJobError
from service.settings import Settings, get_settings

log = logging.getLogger("miasto.jobs")
POLL_S = 0.1  # how often the parent looks at its parts while other workers hold all the rest


class PartFailed(JobError):
    """A part of a fanned-out job failed (or was cancelled): its index and its own error."""

    def __init__(self, index: int, error_type: str, detail: str) -> None:
        super().__init__(error_type, detail)
        self.index = index


def worker_slots(settings: Settings, timeout_s: float = 0.5) -> int:
    """How many jobs the deployment runs at once: the local pool's size without a broker, else the
    concurrency of the Celery workers that answer within ``timeout_s`` (1 when none answers)."""
    if not settings.broker_url:
        return settings.local_workers
    try:
        from service.jobs.celery_app import make_celery

        stats = make_celery(settings).control.inspect(timeout=timeout_s).stats() or {}
    except Exception:  # noqa: BLE001 - an unreachable broker: do not fan out
        log.warning("could not count the Celery workers; the job runs on one")
        return 1
    return max(1, sum(int(s.get("pool", {}).get("max-concurrency", 1)) for s in stats.values()))


def fan_out(
    ctx: JobContext,
    kind: str,
    parts: list[dict[str, Any]],
    workers: int,
    on_done: Callable[[int, int], None] | None = None,
    order: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Run ``parts`` (one params dict each) as ``kind`` jobs over ``workers`` workers, this one included.

    Returns each part's result (its job's ``result``) in the order of ``parts``. ``on_done(done,
    total)`` is called whenever the count of finished parts changes (the parent's progress; it may
    raise :class:`JobCancelled`, which cancels the parts). Raises :class:`PartFailed` for the first
    failed part in order. ``order`` (a permutation of the parts' indexes; default their order) is the
    order they are handed out in: the other workers take it from the front, this one from the end, so
    that parts which are cheaper to run one after the other on the same worker can be put side by side.
    """
    if order is not None and sorted(order) != list(range(len(parts))):
        raise ValueError(f"order {order} is not a permutation of the {len(parts)} parts' indexes")
    settings = ctx.settings or get_settings()
    ids = _ensure_parts(ctx, kind, parts)
    handout = ids if order is None else [ids[i] for i in order]
    helpers = _helpers(settings, workers - 1)
    try:
        if settings.broker_url or workers > 1:
            helpers.dispatch(handout)
        return _collect(ctx, ids, handout, settings, on_done)
    except (JobCancelled, JobError):
        _cancel(ctx, ids)
        raise
    finally:
        helpers.shutdown()


def _ensure_parts(ctx: JobContext, kind: str, parts: list[dict[str, Any]]) -> list[uuid.UUID]:
    """The parts' job rows, committed: those of an earlier attempt of the parent, else new ones."""
    with ctx._progress_sessions() as s:
        existing = {
            int(params.get("index", -1)): job_id
            for job_id, params in s.execute(
                select(Job.id, Job.params).where(
                    Job.kind == kind, Job.subject_type == "job", Job.subject_id == str(ctx.job_id)
                )
            )
        }
        ids = []
        for index, params in enumerate(parts):
            if index not in existing:
                job = Job(
                    id=uuid.uuid4(),
                    kind=kind,
                    org_id=ctx.org_id,
                    owner_org_id=ctx.owner_org_id,
                    subject_type="job",
                    subject_id=str(ctx.job_id),
                    params={**params, "index": index, "of": len(parts)},
                )
                s.add(job)
                existing[index] = job.id
            ids.append(existing[index])
        s.commit()
    return ids


def _helpers(settings: Settings, extra: int) -> Any:
    """Who else runs parts: the Celery workers (their queue), or ``extra`` local processes."""
    from service.jobs.dispatch import Dispatcher

    if settings.broker_url:
        return Dispatcher(settings)
    return Dispatcher(settings.model_copy(update={"local_workers": max(1, extra)}))


def _collect(
    ctx: JobContext,
    ids: list[uuid.UUID],
    handout: list[uuid.UUID],
    settings: Settings,
    on_done: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    from service.jobs.runner import claimable, run_job

    done_before = -1
    while True:
        stale_before = utcnow() - timedelta(seconds=settings.job_stale_after_s)
        with ctx._progress_sessions() as s:
            rows = {r.id: r for r in s.execute(select(Job.id, Job.status, Job.result, Job.error_type, Job.error_detail,
                                                       claimable(stale_before).label("claimable")).where(Job.id.in_(ids)))}  # fmt: skip
        for index, job_id in enumerate(ids):
            r = rows[job_id]
            if r.status == "failed":
                raise PartFailed(index, r.error_type or "failed", r.error_detail or "failed")
            if r.status == "cancelled":
                raise PartFailed(index, "cancelled", "the part was cancelled")
        done = sum(rows[j].status == "succeeded" for j in ids)
        if done != done_before and on_done is not None:
            on_done(done, len(ids))
        done_before = done
        if done == len(ids):
            return [dict(rows[j].result or {}) for j in ids]
        # from the end: the other workers take the queue from the front; the runner's own claim rule
        mine = next((j for j in reversed(handout) if rows[j].claimable), None)
        if mine is None:  # every part left is held by a live worker
            time.sleep(POLL_S)
            continue
        try:
            run_job(mine, settings.database_url, settings, wait=False)
        except (
            TransientJobError,
            OperationalError,
        ):  # the part went back to the queue; it is tried again in a moment
            time.sleep(POLL_S)


def _cancel(ctx: JobContext, ids: list[uuid.UUID]) -> None:
    with ctx._progress_sessions() as s:
        s.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.status.not_in(FINAL_STATUSES))
            .values(status="cancelled", message="cancelled with the job it is part of", finished_at=utcnow())
        )
        s.commit()
