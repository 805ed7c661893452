"""Celery over Redis: tasks take only a job id and open their own session."""

from __future__ import annotations

from typing import Any

from celery import Celery, signals
from sqlalchemy.exc import OperationalError

from service.jobs.registry import TransientJobError
from service.settings import Settings, get_settings


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("miasto", broker=settings.broker_url or "redis://127.0.0.1:6379/0")
    app.conf.update(
        task_acks_late=True,  # a killed worker's message is delivered again ...
        task_reject_on_worker_lost=True,  # ... also when the pool child dies
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # the job table is the storage, not the result backend
        # An unacked message (its worker was killed) becomes visible again after the timeout; the
        # sweep that restores it runs every interval seconds (kombu's default is ~100 s).
        broker_transport_options={
            "visibility_timeout": settings.job_visibility_timeout_s,
            "unacked_restore_interval": max(1, min(10, settings.job_visibility_timeout_s // 2)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_default_queue="miasto",
    )
    return app


celery_app = make_celery()


@celery_app.task(
    name="miasto.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientJobError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=get_settings().job_max_attempts,  # the runner fails the job at its last attempt
)
def run_job_task(job_id: str) -> str:
    from service.jobs.runner import run_job

    return run_job(job_id)


_sweeper: Any = None


@signals.worker_ready.connect
def _start_sweep(**_: Any) -> None:
    """The worker's main process sweeps the job table on start and periodically (service.jobs.sweep):
    undispatched jobs (the broker was down) and jobs whose worker died are sent again."""
    global _sweeper
    from service.jobs.dispatch import Dispatcher

    _sweeper = Dispatcher(get_settings()).sweeper()


@signals.worker_shutdown.connect
def _stop_sweep(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop()
