"""Jobs end to end: the local pool, a real Celery worker over Redis, and a worker killed mid-job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import make_settings, make_tenants
from tests.service.procs import wait_for

ROOT = Path(__file__).resolve().parents[2]


def job_row(url: str, job_id: uuid.UUID):  # type: ignore[no-untyped-def]
    from service.db import engine_for, session_scope
    from service.jobs.models import Job

    with session_scope(engine_for(url)) as s:
        job = s.get(Job, job_id)
        s.expunge(job)
        return job


def create_noop(url: str, seconds: float = 0.0) -> uuid.UUID:
    from service.db import engine_for, session_scope
    from service.jobs.service import create_job
    from service.orgs.models import Organisation
    from service.orgs.service import Principal

    with session_scope(engine_for(url)) as s:
        city = s.query(Organisation).filter_by(kind="city").first()
        principal = Principal(
            org_id=city.id, org_kind="city", key_id=uuid.uuid4(), scopes=frozenset({"jobs:write"})
        )
        job = create_job(
            s,
            principal,
            kind="noop",
            owner_org_id=city.id,
            subject_type="none",
            subject_id="-",
            params={"seconds": seconds},
        )
        return job.id


def test_summary_job_through_local_pool(client, tenants):
    from service.inventory.schemas import EXAMPLE_BUILDINGS

    h = tenants.h(tenants.city_key)
    inv = client.post("/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=h).json()[
        "inventory"
    ]["id"]
    r = client.post(f"/v1/inventories/{inv}/summary", headers={**h, "X-Request-ID": "req-summary-1"})
    assert r.status_code == 202, r.text
    job_url = r.headers["location"]
    assert client.get("/healthz").status_code == 200  # the API answers while the job runs
    done = wait_for(
        lambda: (j := client.get(job_url, headers=h).json())["status"] in ("succeeded", "failed") and j, 60
    )
    assert done["status"] == "succeeded", done
    assert done["progress_pct"] == 100
    summary = done["result"]
    assert summary["building_count"] == 2
    assert {g["building_type"]: g["buildings"] for g in summary["by_building_type"]} == {
        "school": 1,
        "kindergarten": 1,
    }
    # eras are the energy typology's regulation periods: 1968 and 1985 both fall in 1967-1985
    eras = {g["construction_era"]: g["buildings"] for g in summary["by_construction_era"]}
    assert eras == {"1967-1985": 2}
    listed = client.get("/v1/jobs?status=succeeded", headers=h).json()
    assert listed["count"] == 1
    assert client.get(job_url, headers=tenants.h(tenants.other_city_key)).status_code == 404
    assert client.post(job_url + "/cancel", headers=h).status_code == 409


def test_cancel_queued_job(client, tenants, app_and_tenants):
    app, _ = app_and_tenants
    url = str(app.state.engine.url.render_as_string(hide_password=False))
    job_id = create_noop(url)  # created but never dispatched: stays queued
    h = tenants.h(tenants.city_key)
    # an advisor with a read grant sees the city's job but may not cancel it (cancelling needs what
    # starting needs: plan access); the job stays queued
    grant = {"advisor_org_id": str(tenants.advisor_id), "access": "read"}
    assert client.post("/v1/grants", json=grant, headers=h).status_code == 201
    adv = tenants.h(tenants.advisor_key)
    assert client.get(f"/v1/jobs/{job_id}", headers=adv).status_code == 200
    assert client.post(f"/v1/jobs/{job_id}/cancel", headers=adv).status_code == 403
    assert client.get(f"/v1/jobs/{job_id}", headers=h).json()["status"] == "queued"
    r = client.post(f"/v1/jobs/{job_id}/cancel", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    # the cancelled job is still a record to read; DELETE is no method of a job (it removed nothing)
    assert client.get(f"/v1/jobs/{job_id}", headers=h).json()["status"] == "cancelled"
    gone = client.delete(f"/v1/jobs/{job_id}", headers=h)
    assert gone.status_code == 405 and gone.headers["allow"] == "GET"
    from service.jobs.runner import run_job

    assert run_job(job_id, url) == "skipped"  # a late worker does not resurrect it


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def celery_env(db_url: str, redis_url: str):  # type: ignore[no-untyped-def]
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    make_tenants(db_url)
    env = {
        **os.environ,
        "MIASTO_DATABASE_URL": db_url,
        "MIASTO_BROKER_URL": redis_url,
        "MIASTO_JOB_STALE_AFTER_S": "3",
        "MIASTO_JOB_VISIBILITY_TIMEOUT_S": "4",
        "MIASTO_LOG_LEVEL": "WARNING",
    }
    return db_url, redis_url, env


@pytest.mark.celery
def test_job_runs_on_real_celery_worker(celery_env):
    from service.jobs.dispatch import Dispatcher

    url, broker, env = celery_env
    worker = start_worker(env)
    try:
        job_id = create_noop(url, seconds=0.5)
        Dispatcher(make_settings(url, broker_url=broker)).dispatch([job_id])
        job = wait_for(lambda: (j := job_row(url, job_id)).status in ("succeeded", "failed") and j, 60)
        assert job.status == "succeeded", job.error_detail
        assert job.progress == 100 and job.attempts == 1
    finally:
        stop(worker)


@pytest.mark.celery
def test_killed_worker_job_completes_once_on_new_worker(celery_env):
    from service.jobs.dispatch import Dispatcher

    url, broker, env = celery_env
    worker = start_worker(env)
    try:
        job_id = create_noop(url, seconds=6)
        Dispatcher(make_settings(url, broker_url=broker)).dispatch([job_id])
        wait_for(lambda: (j := job_row(url, job_id)).status == "running" and j.progress > 0, 60)
        stop(worker, signal.SIGKILL)  # the whole worker, mid-job, without acking
        assert job_row(url, job_id).status == "running"
        worker = start_worker(env)
        job = wait_for(lambda: (j := job_row(url, job_id)).status in ("succeeded", "failed") and j, 90, 0.5)
        assert job.status == "succeeded", job.error_detail
        assert job.attempts == 2
        assert job.result == {"slept_s": 6.0, "attempt": 2}
        time.sleep(2)  # no third run appears afterwards
        assert job_row(url, job_id).attempts == 2
    finally:
        stop(worker)
