"""A MILP frontier's points over two real Celery worker processes (one job each at a time)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import make_settings, make_tenants
from tests.service.procs import wait_for
from tests.service.test_assessments_api import create_inventory
from tests.service.test_frontier_fanout import _frontier, _jobs
from tests.service.test_jobs import start_worker, stop

pytestmark = pytest.mark.celery


def test_frontier_points_spread_over_two_celery_workers(db_url, redis_url):
    import redis
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.jobs.fanout import worker_slots

    redis.Redis.from_url(redis_url).flushdb()
    tenants = make_tenants(db_url)
    env = {
        **os.environ,
        "MIASTO_DATABASE_URL": db_url,
        "MIASTO_BROKER_URL": redis_url,
        "MIASTO_LOG_LEVEL": "WARNING",
    }
    settings = make_settings(db_url, broker_url=redis_url)
    workers = [start_worker(env), start_worker(env)]  # two processes, --concurrency 1 each
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            inv = create_inventory(client, tenants, 6)
            wait_for(lambda: worker_slots(settings) == 2, 60, 0.5)  # both named apart and answering
            job = _frontier(client, tenants, inv, {"n_points": 6})
    finally:
        for w in workers:
            stop(w)
    assert job["status"] == "succeeded", job
    assert job["result"] == {"n_points": 6, "kind": "co2", "method": "milp-fan-out", "workers": 2}
    parts = _jobs(db_url, kind="portfolio_frontier_point", subject_id=job["id"])
    assert len(parts) == 6 and {p.status for p in parts} == {"succeeded"}
    assert all(p.attempts == 1 for p in parts)  # each point ran once, whichever worker took it
