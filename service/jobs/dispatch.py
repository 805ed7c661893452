"""Hand committed jobs to workers: Celery when a broker is set, else a local process pool.

Jobs are dispatched only after the commit that created their rows (a worker must find the row).
The local pool uses processes, not threads, so CPU-heavy jobs leave the API responsive.
"""

from __future__ import annotations

import logging
import multiprocessing
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("miasto.jobs")


class LocalPool:
    def __init__(self, workers: int, database_url: str) -> None:
        self.database_url = database_url
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        self.futures: dict[str, Future[str]] = {}

    def submit(self, job_id: str) -> None:
        from service.jobs.runner import run_job

        future = self.executor.submit(run_job, job_id, self.database_url)
        self.futures[job_id] = future
        future.add_done_callback(lambda f: self._done(job_id, f))

    def _done(self, job_id: str, future: Future[str]) -> None:
        self.futures.pop(job_id, None)
        if future.exception() is not None:
            log.error("local job %s raised %r", job_id, future.exception())

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class Dispatcher:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._pool: LocalPool | None = None
        self._celery: Celery | None = None
        self._stopped: list[LocalPool] = []

    @property
    def uses_broker(self) -> bool:
        return bool(self.settings.broker_url)

    def dispatch(self, job_ids: Iterable[uuid.UUID | str]) -> None:
        for job_id in job_ids:
            if self.uses_broker:
                if self._celery is None:
                    from service.jobs.celery_app import make_celery

                    self._celery = make_celery(self.settings)
                self._celery.send_task("miasto.run_job", args=[str(job_id)], queue="miasto")
            else:
                if self._pool is None:
                    self._pool = LocalPool(self.settings.local_workers, self.settings.database_url)
                self._pool.submit(str(job_id))

    def shutdown(self) -> None:
        """Stop taking jobs; queued futures are cancelled, running ones finish in the background."""
        if self._pool is not None:
            self._pool.shutdown()
            self._stopped.append(self._pool)
            self._pool = None

    def join(self, timeout_s: float = 60.0) -> None:
        """Wait for the jobs still running in stopped pools (tests use it before dropping a database).

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


def accepted(request, session, job, content_location: str | None = None, dispatch: bool = True):
    """The end of every route that starts a job: commit (the row must exist before a worker looks),
    dispatch, and answer 202 with the job and its Location. ``dispatch=False``: the job was already
    started by an earlier request (a GET asking again while it runs); answer it without a second start."""
    from fastapi.responses import Response

    from service.deps import commit
    from service.jobs.schemas import JobOut

    commit(session)
    if dispatch:
        request.app.state.dispatcher.dispatch([job.id])
    headers = {"Location": f"/v1/jobs/{job.id}"}
    if content_location:
        headers["Content-Location"] = content_location
    return Response(
        JobOut.from_row(job).model_dump_json(),
        status_code=202,
        media_type="application/json",
        headers=headers,
    )
