"""Frontier points as sub-jobs over several workers (service.jobs.fanout), on SQLite and PostgreSQL.

The local pool stands in for the workers here; tests/service/test_frontier_fanout_celery.py runs the
same over two real Celery worker processes.
"""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sqlalchemy import select

from tests.conftest import make_settings, make_tenants
from tests.service.test_assessments_api import create_inventory, wait_job

# one programme makes every point a MILP of its own (no shared knapsack hull)
MILP_FRONTIER = {
    "n_points": 4,
    "frontier": "co2",
    "programmes": [{"programme_id": "feniks", "share_of_eligible_cost": 0.5, "cap_per_building_pln": 400000}],
}


def _client(url: str, workers: int):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(make_settings(url, local_workers=workers))
    return app, TestClient(app, raise_server_exceptions=False)


def _jobs(url: str, **where: str) -> list:  # type: ignore[type-arg]
    from service.db import engine_for, session_scope
    from service.jobs.models import Job

    with session_scope(engine_for(url)) as s:
        rows = list(s.scalars(select(Job).filter_by(**where)))
        for r in rows:
            s.expunge(r)
        return rows


def _frontier(client, tenants, inv: str, extra: dict) -> dict:  # type: ignore[no-untyped-def,type-arg]
    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/portfolios/frontier", json={"inventory_id": inv, **MILP_FRONTIER, **extra}, headers=h
    )
    assert r.status_code == 202, r.text
    return wait_job(client, h, r.headers["Location"], timeout_s=180)


def test_milp_frontier_points_go_out_as_jobs_and_match_the_one_worker_sweep(db_url):
    tenants = make_tenants(db_url)
    h = tenants.h(tenants.city_key)
    app2, two = _client(db_url, 2)
    app1, one = _client(db_url, 1)
    try:
        with two, one:
            inv = create_inventory(two, tenants, 6)
            job = _frontier(two, tenants, inv, {})
            assert job["status"] == "succeeded", job
            assert job["result"]["method"] == "milp-fan-out" and job["result"]["workers"] == 2
            fanned = two.get(job["result_url"], headers=h).json()
            job1 = _frontier(one, tenants, inv, {})
            assert job1["status"] == "succeeded", job1
            assert job1["result"]["method"] == "milp-sweep" and job1["result"]["workers"] == 1
            swept = one.get(job1["result_url"], headers=h).json()
    finally:
        for app in (app2, app1):
            app.state.dispatcher.join()
    assert fanned["solve"]["method"] == "milp-fan-out"
    a, b = pd.DataFrame(fanned["frontier"]), pd.DataFrame(swept["frontier"])
    assert len(a) == len(b) == 4
    assert_allclose(a["epsilon"], b["epsilon"], rtol=1e-12)
    assert (a["co2_reduction_t_per_year"] >= a["epsilon"] - 1e-6).all()
    # each point within the requested gap (0.1 %) of the other path's
    assert_allclose(a["own_contribution_pln"], b["own_contribution_pln"], rtol=2e-3, atol=1.0)
    parts = sorted(
        _jobs(db_url, kind="portfolio_frontier_point", subject_id=job["id"]), key=lambda j: j.params["index"]
    )
    assert [p.params["index"] for p in parts] == [0, 1, 2, 3] and {p.status for p in parts} == {"succeeded"}
    # each point was stored in its own job as it finished, and the frontier is made of them
    assert_allclose([p.result["own_contribution_pln"] for p in parts], a["own_contribution_pln"], rtol=1e-12)
    assert not _jobs(
        db_url, kind="portfolio_frontier_point", subject_id=job1["id"]
    )  # no fan-out on one worker
    from service.db import engine_for, session_scope
    from service.portfolios.models import FrontierInput

    with session_scope(engine_for(db_url)) as s:  # the shared candidates are dropped with the result
        assert s.scalar(select(FrontierInput.portfolio_id)) is None


def test_a_failed_point_fails_the_frontier_naming_the_point(sqlite_url):
    tenants = make_tenants(sqlite_url)
    app, client = _client(sqlite_url, 2)
    try:
        with client:
            inv = create_inventory(client, tenants, 6)
            # two projects at most: the frontier's largest CO2 targets need every building
            job = _frontier(client, tenants, inv, {"max_projects_per_year": 2, "programmes": []})
    finally:
        app.state.dispatcher.join()
    assert job["status"] == "failed", job
    assert job["error"]["type"] == "infeasible"
    assert "frontier point" in job["error"]["detail"] and "of 4 (CO2 reduction >= " in job["error"]["detail"]
    assert "max_projects_per_year" in job["error"]["detail"]
    parts = _jobs(sqlite_url, kind="portfolio_frontier_point", subject_id=job["id"])
    assert len(parts) == 4 and "failed" in {p.status for p in parts}
    assert all(p.status in ("succeeded", "failed", "cancelled") for p in parts)


def _parent(url: str, settings):  # type: ignore[no-untyped-def]
    """A running parent job and its context, as the runner would hand it to a job function."""
    from service.db import engine_for, session_factory, session_scope, utcnow
    from service.jobs.models import Job
    from service.jobs.registry import JobContext
    from service.orgs.models import Organisation

    with session_scope(engine_for(url)) as s:
        city = s.scalars(select(Organisation).filter_by(kind="city")).first()
        job = Job(kind="noop", org_id=city.id, owner_org_id=city.id, subject_type="none", subject_id="-",
                  status="running", attempts=1, heartbeat_at=utcnow())  # fmt: skip
        s.add(job)
        s.flush()
        job_id, org = job.id, city.id
    sessions = session_factory(engine_for(url))
    return JobContext(sessions(), job_id, "noop", "none", "-", {}, org, org, 1, sessions, settings=settings)


def test_fan_out_is_idempotent_and_cancels_the_parts_with_the_parent(sqlite_url):
    from service.jobs.fanout import fan_out
    from service.jobs.registry import JobCancelled

    make_tenants(sqlite_url)
    settings = make_settings(sqlite_url, local_workers=2)
    ctx = _parent(sqlite_url, settings)
    seen: list[tuple[int, int]] = []
    results = fan_out(ctx, "noop", [{"seconds": 0.3}] * 3, 2, on_done=lambda d, n: seen.append((d, n)))
    assert [r["slept_s"] for r in results] == [0.3] * 3 and seen[-1] == (3, 3)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # progress counts parts, never back
    parts = _jobs(sqlite_url, kind="noop", subject_type="job", subject_id=str(ctx.job_id))
    assert len(parts) == 3
    # a redelivered parent finds its parts done and does not run them again
    again = fan_out(ctx, "noop", [{"seconds": 0.3}] * 3, 2)
    assert again == results
    assert {p.attempts for p in _jobs(sqlite_url, kind="noop", subject_type="job")} == {1}

    ctx2 = _parent(sqlite_url, settings)

    def cancel_after_first(done: int, total: int) -> None:
        if done >= 1:
            raise JobCancelled(str(ctx2.job_id))

    with pytest.raises(JobCancelled):
        fan_out(ctx2, "noop", [{"seconds": 0.2}] + [{"seconds": 30.0}] * 3, 2, on_done=cancel_after_first)
    statuses = sorted(p.status for p in _jobs(sqlite_url, subject_type="job", subject_id=str(ctx2.job_id)))
    assert statuses.count("succeeded") >= 1 and "cancelled" in statuses
    assert not {"queued", "running"} & set(statuses)


def test_worker_slots_without_a_broker_is_the_local_pool():
    from service.jobs.fanout import worker_slots

    assert worker_slots(make_settings("sqlite://", local_workers=3)) == 3
    assert worker_slots(make_settings("sqlite://", local_workers=1)) == 1


def test_a_worker_skips_a_part_another_live_worker_holds_without_waiting(sqlite_url):
    import time

    from service.db import engine_for, session_scope
    from service.jobs.models import Job
    from service.jobs.registry import load_kinds
    from service.jobs.runner import run_job

    make_tenants(sqlite_url)
    settings = make_settings(sqlite_url, job_stale_after_s=30)
    ctx = _parent(sqlite_url, settings)
    with session_scope(engine_for(sqlite_url)) as s:
        part = s.get(Job, ctx.job_id)
        part.subject_type, part.subject_id = "job", str(uuid.uuid4())  # a part, held with a fresh heartbeat
    load_kinds()  # imported once per worker process, not part of what is timed
    t0 = time.monotonic()
    assert run_job(ctx.job_id, sqlite_url, settings) == "skipped"
    assert time.monotonic() - t0 < 5  # a whole job would wait up to 2 x 30 s for its holder


def test_parts_are_handed_out_in_the_given_order_and_returned_in_theirs(sqlite_url):
    from service.jobs.fanout import fan_out

    make_tenants(sqlite_url)
    settings = make_settings(sqlite_url, local_workers=1)
    ctx = _parent(sqlite_url, settings)
    parts = [{"seconds": 0.05 * (k + 1)} for k in range(4)]
    # one worker: this one runs every part, from the end of the hand-out order
    results = fan_out(ctx, "noop", parts, 1, order=[2, 0, 3, 1])
    assert [r["slept_s"] for r in results] == [p["seconds"] for p in parts]  # in the parts' order
    ran = sorted(_jobs(sqlite_url, kind="noop", subject_type="job"), key=lambda j: j.started_at)
    assert [j.params["index"] for j in ran] == [1, 3, 0, 2]
    with pytest.raises(ValueError, match="permutation"):
        fan_out(_parent(sqlite_url, settings), "noop", parts, 1, order=[0, 0, 1, 2])


@pytest.mark.parametrize("kind", ["co2", "npv"])
def test_a_fanned_out_frontier_is_handed_out_as_two_sweeps_meeting_in_the_middle(kind):
    from service.portfolios.jobs import point_order

    for n in (2, 5, 12):
        order = point_order(n, kind)
        assert sorted(order) == list(range(n))
        sweep = list(range(n - 1, -1, -1)) if kind == "co2" else list(range(n))  # tightest point first
        front, end = order[: n - n // 2], order[n - n // 2 :][::-1]  # as the helpers and the parent take them
        assert end == sweep[: n // 2] and front == sweep[n // 2 :]
