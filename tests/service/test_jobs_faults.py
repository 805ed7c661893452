"""Jobs under faults, with real processes: a Redis of the test's own stopped mid-run, a Celery worker's
busy child killed with SIGKILL, the job table swept, local retries, and SIGTERM to a uvicorn API."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from tests.conftest import fresh_database, make_settings, make_tenants
from tests.service.procs import (
    OwnRedis,
    alive,
    children,
    service_env,
    start_api,
    start_worker,
    stop,
    wait_for,
)
from tests.service.test_jobs import create_noop, job_row

FINAL = ("succeeded", "failed", "cancelled")
SQL_WORDS = re.compile(r"SELECT|no_such_table|s3cr3t|\[SQL|parameters", re.IGNORECASE)


@pytest.fixture
def own_redis():  # type: ignore[no-untyped-def]
    redis = OwnRedis().start()
    yield redis
    redis.stop()


def finished(url: str, job_id: uuid.UUID, timeout_s: float = 90):  # type: ignore[no-untyped-def]
    return wait_for(lambda: (j := job_row(url, job_id)).status in FINAL and j, timeout_s, 0.25)


def set_job(url: str, job_id: uuid.UUID, **values) -> None:  # type: ignore[no-untyped-def]
    from service.db import engine_for, session_scope
    from service.jobs.models import Job

    with session_scope(engine_for(url)) as s:
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def row_counts(url: str) -> dict[str, int]:
    from service.db import Base, engine_for, session_scope

    engine = engine_for(url)
    names = set(inspect(engine).get_table_names())
    with session_scope(engine) as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
            if t.name in names
        }


@pytest.mark.celery
def test_kill_busy_child_job_completes_once(db_url, own_redis):
    """SIGKILL of the prefork child running a job: the message goes at once to the sibling, which
    waits for the dead owner's heartbeat to go stale and takes over (it used to answer "skipped"
    and leave the job running forever). The sweep is held off, so this is the redelivery path."""
    from service.jobs.dispatch import Dispatcher

    make_tenants(db_url)
    env = service_env(
        db_url,
        broker_url=own_redis.url,
        job_stale_after_s="10",  # longer than a redelivery takes here, so the sibling sees a fresh beat
        job_visibility_timeout_s="600",
        job_sweep_interval_s="600",
    )
    worker = start_worker(env, concurrency=2)
    try:
        wait_for(lambda: len(children(worker.pid)) >= 2, 60)
        job_id = create_noop(db_url, seconds=6)  # fresh: the worker's startup sweep leaves it alone
        Dispatcher(make_settings(db_url, broker_url=own_redis.url)).dispatch([job_id])
        running = wait_for(lambda: "in process" in (j := job_row(db_url, job_id)).message and j, 60)
        busy = int(running.message.rsplit(" ", 1)[1])
        assert busy != worker.pid and alive(busy)
        os.kill(busy, signal.SIGKILL)
        job = finished(db_url, job_id)
        assert job.status == "succeeded", (job.message, job.error_detail)
        assert job.attempts == 2 and job.result == {"slept_s": 6.0, "attempt": 2}
        assert str(busy) not in job.message
        time.sleep(3)  # no third run appears afterwards
        assert job_row(db_url, job_id).attempts == 2
    finally:
        stop(worker)


@pytest.mark.celery
def test_worker_sweep_recovers_orphaned_and_undispatched_jobs(db_url, own_redis):
    """Jobs with no message anywhere: one never dispatched (the broker was down at its commit), one
    left running by a worker that is gone. A new worker's sweep sends both; each completes once."""
    from service.db import utcnow

    make_tenants(db_url)
    long_ago = utcnow() - timedelta(minutes=10)
    undispatched = create_noop(db_url)
    set_job(db_url, undispatched, created_at=long_ago)
    orphaned = create_noop(db_url, seconds=0.5)
    set_job(
        db_url,
        orphaned,
        status="running",
        attempts=1,
        progress=38,
        heartbeat_at=long_ago,
        dispatched_at=long_ago,
    )
    env = service_env(db_url, broker_url=own_redis.url, job_stale_after_s="5", job_sweep_interval_s="2")
    worker = start_worker(env, concurrency=1)
    try:
        for job_id, attempts in ((undispatched, 1), (orphaned, 2)):
            job = finished(db_url, job_id)
            assert job.status == "succeeded", job.error_detail
            assert job.attempts == attempts and job.result["attempt"] == attempts
    finally:
        stop(worker)


@pytest.mark.celery
def test_broker_down_answers_503_stores_nothing_and_loses_no_job(sqlite_url, own_redis):
    """Redis stopped mid-run: reads and public endpoints answer, a job submission is a 503 with
    Retry-After and stores nothing; Redis restarted empty (no persistence): the job accepted before
    the outage is sent again from the job table and runs, like the one accepted after it."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.service.test_assessments_api import create_inventory

    url = sqlite_url
    tenants = make_tenants(url)
    app = create_app(make_settings(url, broker_url=own_redis.url))
    h = tenants.h(tenants.city_key)
    with TestClient(app, raise_server_exceptions=False) as client:
        inv = create_inventory(client, tenants, 2)
        before = client.post(f"/v1/inventories/{inv}/assessments", json={}, headers=h)
        assert before.status_code == 202, before.text
        own_redis.stop()

        counts = row_counts(url)
        refused = client.post(f"/v1/inventories/{inv}/assessments", json={}, headers=h)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        assert "SELECT" not in refused.text
        assert row_counts(url) == counts  # no assessment row, no job
        assert client.get(before.headers["location"], headers=h).status_code == 200
        assert client.get(f"/v1/inventories/{inv}", headers=h).status_code == 200
        assert client.get("/v1/public/readiness/0663011").status_code == 404  # answered, not a 500
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503

        own_redis.start()  # same port, empty: the first job's message is gone
        after = client.post(f"/v1/inventories/{inv}/assessments", json={}, headers=h)
        assert after.status_code == 202, after.text
    app.state.engine.dispose()

    env = service_env(
        url,
        broker_url=own_redis.url,
        job_stale_after_s="3",
        job_visibility_timeout_s="4",
        job_sweep_interval_s="2",
    )
    worker = start_worker(env, concurrency=1)
    try:
        for answer in (before, after):
            job = finished(url, uuid.UUID(answer.json()["id"]))
            assert job.status == "succeeded", job.error_detail
            assert job.attempts == 1
    finally:
        stop(worker)


def test_local_pool_retries_temporary_errors_with_plain_messages(sqlite_url):
    """Without a broker: a job whose first attempt hit a database error (SQLite reports a missing table
    as OperationalError, like a lost connection) is retried by the same process after a backoff; one
    that keeps failing stops after job_max_attempts. Neither shows SQL or parameters to the client."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    url = sqlite_url
    tenants = make_tenants(url)
    once = create_noop(url)
    set_job(url, once, params={"fail_attempts": 1})
    always = create_noop(url)
    set_job(url, always, params={"fail_attempts": 99})
    app = create_app(make_settings(url, job_max_attempts=3))
    h = tenants.h(tenants.city_key)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:  # its startup dispatches both
            done = wait_for(
                lambda: (j := client.get(f"/v1/jobs/{once}", headers=h).json())["status"] in FINAL and j, 60
            )
            assert done["status"] == "succeeded" and done["attempts"] == 2, done
            given_up = wait_for(
                lambda: (j := client.get(f"/v1/jobs/{always}", headers=h).json())["status"] in FINAL and j, 60
            )
            assert given_up["status"] == "failed" and given_up["attempts"] == 3, given_up
            assert given_up["error"]["type"] == "temporary-error-persisted"
            assert "database" in given_up["error"]["detail"]
            assert not SQL_WORDS.search(client.get(f"/v1/jobs/{always}", headers=h).text)
    finally:
        app.state.dispatcher.join()
        app.state.engine.dispose()


def test_database_errors_reach_clients_as_plain_sentences(db_url):
    """On PostgreSQL the same query is a ProgrammingError (not retried): the job fails with a plain
    sentence; on SQLite it is retried and then given up. The SQL stays in the server log."""
    from service.jobs.runner import run_job

    make_tenants(db_url)
    job_id = create_noop(db_url)
    set_job(db_url, job_id, params={"fail_attempts": 99})
    for _ in range(5):
        try:
            if run_job(job_id, db_url) in FINAL:
                break
        except Exception as exc:  # noqa: BLE001 - the Celery task would retry a temporary error
            assert "OperationalError" in type(exc).__name__
            assert not SQL_WORDS.search(job_row(db_url, job_id).message)
    job = job_row(db_url, job_id)
    assert job.status == "failed"
    for text in (job.message, job.error_detail, job.error_type):
        assert not SQL_WORDS.search(text), text


def test_sigterm_to_api_ends_local_pool_children(tmp_path):
    """SIGTERM to uvicorn: the lifespan ends the local pool's children, none is left computing."""
    url = fresh_database("sqlite", tmp_path)
    make_tenants(url)
    job_id = create_noop(url, seconds=120)  # queued before the API starts: its startup dispatches it
    api, _ = start_api(service_env(url, local_workers="1"))
    try:
        running = wait_for(lambda: "in process" in (j := job_row(url, job_id)).message and j, 90)
        child = int(running.message.rsplit(" ", 1)[1])
        descendants = children(api.pid)
        assert child in descendants and alive(child)
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=60)
        wait_for(lambda: not any(alive(pid) for pid in descendants), 20, 0.2)
        assert job_row(url, job_id).status == "running"  # left to the next API's sweep (stale heartbeat)
    finally:
        stop(api, signal.SIGKILL)
        for pid in children(api.pid):
            os.kill(pid, signal.SIGKILL)
