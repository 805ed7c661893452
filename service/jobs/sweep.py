"""Recover jobs from the job table, whatever happened to their messages.

The job table is the truth; a broker message is only a nudge. A periodic sweep sends a job's message
again when

* it is ``queued`` and was never dispatched (the broker was down when the API committed it), older
  than ``job_stale_after_s`` so that the API's own dispatch of a just-committed job is not doubled;
* it is ``queued`` and its message went out longer ago than ``job_visibility_timeout_s`` and nobody
  claimed it (the message was lost: Redis restarted without persistence);
* it is ``running`` and its heartbeat is older than ``job_stale_after_s`` (its worker died): the
  new message's claim takes the job over (:func:`service.jobs.runner.run_job`).

Where it runs: where jobs run. With a broker, in the main process of every Celery worker (on start
and every ``job_sweep_interval_s``, :mod:`service.jobs.celery_app`); without one, in the API process
that owns the local pool (its lifespan). Several sweepers are safe: each job is taken by a
conditional UPDATE of ``dispatched_at``, so only one of them sends it per round.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.db import utcnow
from service.jobs.models import Job
from service.settings import Settings

log = logging.getLogger("miasto.jobs")
BATCH = 500  # jobs re-sent per round at most; the next round takes the rest


def due(settings: Settings, now: datetime) -> ColumnElement[bool]:
    """The rows whose message should be sent (again) at ``now``."""
    stale_before = now - timedelta(seconds=settings.job_stale_after_s)
    lost_before = now - timedelta(seconds=settings.job_visibility_timeout_s)
    never_sent = (Job.status == "queued") & Job.dispatched_at.is_(None) & (Job.created_at < stale_before)
    lost = (Job.status == "queued") & (Job.dispatched_at < lost_before)
    orphaned = (
        (Job.status == "running")
        & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before)
        & or_(Job.dispatched_at.is_(None), Job.dispatched_at < stale_before)
    )
    return or_(never_sent, lost, orphaned)


def sweep(
    sessions: sessionmaker[Session], settings: Settings, send: Callable[[Iterable[uuid.UUID]], Any]
) -> list[uuid.UUID]:
    """One round: take the due jobs (mark them dispatched now) and hand them to ``send``."""
    now = utcnow()
    taken: list[uuid.UUID] = []
    with sessions() as s:
        for job_id in s.scalars(select(Job.id).where(due(settings, now)).limit(BATCH)):
            # Session.execute() is typed as Result; an UPDATE yields a CursorResult (rowcount).
            won = cast(
                "CursorResult[Any]",
                s.execute(update(Job).where(Job.id == job_id, due(settings, now)).values(dispatched_at=now)),
            ).rowcount
            if won:
                taken.append(job_id)
        s.commit()
    if taken:
        log.warning("sweep: re-dispatching %d undispatched, lost or orphaned job(s)", len(taken))
        send(taken)
    return taken


class Sweeper:
    """A daemon thread that sweeps at once and then every ``job_sweep_interval_s`` until stopped."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, send: Callable[[Iterable[uuid.UUID]], Any]
    ) -> None:
        self.sessions, self.settings, self.send = sessions, settings, send
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="miasto-job-sweep", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sweep(self.sessions, self.settings, self.send)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the sweeping
                log.warning("job sweep failed; trying again in %d s", self.settings.job_sweep_interval_s)
            self._stop.wait(self.settings.job_sweep_interval_s)
