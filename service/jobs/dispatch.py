"""Hand committed jobs to workers: Celery when a broker is set, else a local process pool.

Jobs are dispatched only after the commit that created their rows (a worker must find the row).
The local pool uses processes, not threads, so CPU-heavy jobs leave the API responsive.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import threading
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from service.db import engine_for, session_factory, utcnow
from service.errors import ServiceUnavailable
from service.settings import Settings, get_settings
from service.transactions import commit, transaction

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("miasto.jobs")
RETRY_BACKOFF_MAX_S = 60.0


def retry_delay_s(retry: int) -> float:
    """Exponential backoff with full jitter for the ``retry``-th retry (1, 2, ...) [s]."""
    return random.uniform(0.5, 1.0) * min(RETRY_BACKOFF_MAX_S, 2.0 ** (retry - 1))


class LocalPool:
    """The embedded default: jobs run in child processes of the API.

    A job that stopped on a temporary error (its run answered "retry") is submitted again after a
    backoff; the runner bounds the attempts (``job_max_attempts``). ``shutdown`` ends the children
    with the API, so that none is left computing; a job they were running is recovered from the job
    table by the next API's sweep (its heartbeat goes stale).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers = settings.local_workers
        self.executor = self._executor()
        self.futures: dict[str, Future[str]] = {}
        self.retries: dict[str, int] = {}
        self.closed = False
        self._timers: set[threading.Timer] = set()

    def _executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, job_id: str) -> None:
        from service.jobs.runner import run_job_local

        if self.closed:
            return
        try:
            future = self.executor.submit(run_job_local, job_id, self.settings)
        except BrokenProcessPool:  # a child died (killed): a fresh pool; the sweep recovers its job
            log.warning("local job pool was broken; starting a new one")
            self.executor = self._executor()
            future = self.executor.submit(run_job_local, job_id, self.settings)
        self.futures[job_id] = future
        future.add_done_callback(lambda f: self._done(job_id, f))

    def _done(self, job_id: str, future: Future[str]) -> None:
        self.futures.pop(job_id, None)
        if future.cancelled():
            return
        if future.exception() is not None:
            if not self.closed:
                log.error("local job %s raised %r", job_id, future.exception())
            return
        if future.result() == "retry" and not self.closed:
            retry = self.retries[job_id] = self.retries.get(job_id, 0) + 1
            delay = retry_delay_s(retry)
            log.info("local job %s: retry %d in %.1f s", job_id, retry, delay)
            timer = threading.Timer(delay, self._retry, args=(job_id,))
            timer.daemon = True
            self._timers.add(timer)
            timer.start()
        else:
            self.retries.pop(job_id, None)

    def _retry(self, job_id: str) -> None:
        self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
        self.submit(job_id)

    def shutdown(self) -> None:
        """Cancel what waits and end the children that compute (terminate, then kill)."""
        self.closed = True
        for timer in self._timers:
            timer.cancel()
        processes = list(getattr(self.executor, "_processes", {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


class Dispatcher:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._pool: LocalPool | None = None
        self._celery: Celery | None = None
        self._redis: Any = None
        self._stopped: list[LocalPool] = []

    @property
    def uses_broker(self) -> bool:
        return bool(self.settings.broker_url)

    def ensure_available(self) -> None:
        """Before committing a new job: a 503 with Retry-After when the broker does not answer, so
        that a rejected submission stores nothing (no job, no portfolio row that never runs)."""
        if not self.uses_broker:
            return
        import redis

        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.settings.broker_url or "", socket_connect_timeout=1, socket_timeout=1
            )
        try:
            self._redis.ping()
        except redis.RedisError as exc:
            log.warning("broker unreachable (%s): job submission refused with 503", type(exc).__name__)
            raise ServiceUnavailable(
                "the job queue is unavailable at the moment; nothing was stored, please try again later",
                self.settings.broker_retry_after_s,
            ) from exc

    def dispatch(self, job_ids: Iterable[uuid.UUID | str]) -> list[str]:
        """Send each job's message; returns the ids that could not be sent.

        Never raises for a broker that is down: the jobs stay ``queued`` with ``dispatched_at`` NULL
        and the sweep (:mod:`service.jobs.sweep`) sends them once the broker is back.
        """
        sent: list[str] = []
        unsent: list[str] = []
        for job_id in map(str, job_ids):
            try:
                self._send(job_id)
                sent.append(job_id)
            except Exception as exc:  # noqa: BLE001 - kombu raises several kinds for a broker that is down
                log.warning("could not dispatch job %s (%s); the sweep will", job_id, type(exc).__name__)
                unsent.append(job_id)
        self._mark(sent, dispatched=True)
        self._mark(unsent, dispatched=False)
        return unsent

    def _send(self, job_id: str) -> None:
        if self.uses_broker:
            if self._celery is None:
                from service.jobs.celery_app import make_celery

                self._celery = make_celery(self.settings)
            self._celery.send_task(
                "miasto.run_job",
                args=[job_id],
                queue="miasto",
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
            )
        else:
            if self._pool is None:
                self._pool = LocalPool(self.settings)
            self._pool.submit(job_id)

    def _mark(self, job_ids: list[str], dispatched: bool) -> None:
        if not job_ids:
            return
        from service.jobs.models import Job

        try:
            with session_factory(engine_for(self.settings.database_url))() as s:
                s.execute(
                    update(Job)
                    .where(Job.id.in_([uuid.UUID(j) for j in job_ids]))
                    .values(dispatched_at=utcnow() if dispatched else None)
                )
                s.commit()
        except Exception:  # noqa: BLE001 - the sweep's other conditions still find the job
            log.warning("could not record the dispatch of %d job(s)", len(job_ids))

    def sweeper(self) -> Any:
        """A started :class:`~service.jobs.sweep.Sweeper` that re-sends due jobs through this dispatcher."""
        from service.jobs.sweep import Sweeper

        sessions = session_factory(engine_for(self.settings.database_url))
        return Sweeper(sessions, self.settings, self.dispatch).start()

    def shutdown(self) -> None:
        """Stop taking jobs: waiting ones are cancelled, running children are ended (see LocalPool)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._stopped.append(self._pool)
            self._pool = None

    def join(self, timeout_s: float = 60.0) -> None:
        """Stop the pool and wait for what it still tracks (tests use it before dropping a database).

        Bounded: a future whose work item was in the call queue when the pool shut down may never
        resolve (its worker already exited), and waiting on it would hang forever.
        """
        self.shutdown()
        while self._stopped:
            pool = self._stopped.pop()
            _, pending = wait(list(pool.futures.values()), timeout=timeout_s)
            if pending:
                log.warning(
                    "%d local job(s) did not finish within %.0f s of shutdown", len(pending), timeout_s
                )


@contextmanager
def starting_jobs(session: Any, dispatcher: Dispatcher) -> Iterator[list[Any]]:
    """The transaction of a use case that starts jobs, the one way for the API and the workspace.

    The block stores its rows and appends the ids of the jobs to start to the list it is given.
    Then the broker must answer (else ServiceUnavailable, 503 + Retry-After), the transaction
    commits (the rows must exist before a worker looks) and the messages are sent; a send that
    fails after the commit leaves the job to the sweep. Anything raised in the block or by the
    broker check rolls everything back: nothing is stored."""
    job_ids: list[Any] = []
    with transaction(session):
        yield job_ids
        if job_ids:
            dispatcher.ensure_available()
    if job_ids:
        dispatcher.dispatch(job_ids)


def commit_and_dispatch(dispatcher: Dispatcher, session: Any, job_ids: Iterable[Any]) -> None:
    """Start jobs whose rows the session holds (see :func:`starting_jobs`)."""
    with starting_jobs(session, dispatcher) as started:
        started.extend(job_ids)


def accepted(request, session, job, content_location: str | None = None, dispatch: bool = True):
    """The end of every route that starts a job: check the broker answers (else 503 + Retry-After and
    nothing stored), commit (the row must exist before a worker looks), dispatch, and answer 202 with the job and its Location. ``dispatch=False``: the job was already
    started by an earlier request (a GET asking again while it runs); answer it without a second start."""
    from fastapi.responses import Response

    from service.jobs.schemas import JobOut

    if dispatch:
        commit_and_dispatch(request.app.state.dispatcher, session, [job.id])
    else:
        commit(session)
    headers = {"Location": f"/v1/jobs/{job.id}"}
    if content_location:
        headers["Content-Location"] = content_location
    return Response(
        JobOut.model_validate(job).model_dump_json(),
        status_code=202,
        media_type="application/json",
        headers=headers,
    )
