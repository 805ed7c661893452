"""Job machinery benchmark: round trip of empty jobs, and a 5,000-building assessment through Celery.

(a) ``noop`` job round trip (row committed -> dispatched -> worker claims, runs, commits succeeded ->
    the poller sees it), one job at a time, 200 jobs: through the local process pool (baseline)
    and through Celery over Redis with a worker subprocess (``python -m service.cli worker``).
(b) An assessment job of a 5,000-building inventory end to end through Celery, its progress updates
    printed as they appear, against the bare engine call ``energy.assess.assess_buildings`` on the
    same buildings in this process (the baseline: the job's overhead is loading, storing, queueing).
    The inventory is SYNTHETIC: the 40-building demo city of Lublin replicated 125 times with heated
    areas scaled by U(0.8, 1.2) and coordinates jittered by up to +-0.03 deg.

Database: a temporary SQLite file (the embedded default), or MIASTO_BENCH_DATABASE_URL.
Redis: MIASTO_BENCH_REDIS_URL (default redis://127.0.0.1:6379/14); Celery parts are skipped if down.
``MIASTO_BENCH_QUICK=1``: 20 jobs and 500 buildings.

The load average (``os.getloadavg``) is printed with each figure: the machine has 2 cores and may be
shared. ``MIASTO_BENCH_REPEAT=R`` runs (b) R times (the job, then the bare call, in turn).

Run: ``python benchmarks/bench_jobs.py`` (or name parts: ``noop assess``)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_JOBS = 20 if QUICK else 200
N_BUILDINGS = 500 if QUICK else 5_000
REDIS_URL = os.environ.get("MIASTO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
REPEAT = int(os.environ.get("MIASTO_BENCH_REPEAT", "1"))


def setup_database() -> str:
    url = os.environ.get("MIASTO_BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench_jobs.db"
    os.environ["MIASTO_DATABASE_URL"] = url
    from service.migrate import upgrade

    upgrade(url)
    return url


def city(url: str):  # type: ignore[no-untyped-def]
    from service.db import engine_for, session_scope
    from service.orgs.models import Organisation
    from service.orgs.service import Principal, create_org

    with session_scope(engine_for(url)) as s:
        org = s.query(Organisation).filter_by(teryt="0663011").first() or create_org(
            s, "city", "Lublin", "0663011"
        )
        return Principal(org_id=org.id, org_kind="city", key_id=uuid.uuid4(), scopes=frozenset({"admin"}))


def wait(url: str, job_id: uuid.UUID, on_progress=None, timeout_s: float = 600.0) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from service.db import engine_for
    from service.jobs.models import Job

    engine, last = engine_for(url), None
    deadline = time.monotonic() + timeout_s
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            row = conn.execute(select(Job.status, Job.progress, Job.message).where(Job.id == job_id)).one()
            conn.rollback()
            if on_progress and (row.progress, row.message) != last:
                last = (row.progress, row.message)
                on_progress(*last)
            if row.status in ("succeeded", "failed", "cancelled"):
                return row.status
            time.sleep(0.002 if on_progress is None else 0.05)
    raise TimeoutError(f"job {job_id} did not finish in {timeout_s} s")


def round_trips(url: str, dispatcher, principal, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    from service.db import engine_for, session_scope
    from service.jobs.service import create_job

    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        with session_scope(engine_for(url)) as s:
            job = create_job(
                s,
                principal,
                kind="noop",
                owner_org_id=principal.org_id,
                subject_type="none",
                subject_id="-",
                params={},
            )
            job_id = job.id
        dispatcher.dispatch([job_id])
        assert wait(url, job_id) == "succeeded"
        times.append(time.perf_counter() - t0)
    return np.array(times)


def start_worker(url: str, redis_url: str = REDIS_URL) -> subprocess.Popen | None:
    """A Celery worker process (``--concurrency 1``) on ``redis_url`` (emptied first)."""
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
    except Exception as exc:  # noqa: BLE001
        print(f"Redis unreachable at {redis_url} ({exc}): Celery parts skipped")
        return None
    env = {
        **os.environ,
        "MIASTO_DATABASE_URL": url,
        "MIASTO_BROKER_URL": redis_url,
        "MIASTO_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live descendants (Linux)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total


def synthetic_inventory(url: str, principal, n: int):  # type: ignore[no-untyped-def]
    """Demo city replicated to ``n`` buildings (ids suffixed, areas scaled, coordinates jittered)."""
    import pandas as pd

    from energy.inventory.parsing import parse_inventory
    from service.db import engine_for, session_scope
    from service.inventory import repository
    from service.inventory.models import Inventory

    demo = pd.read_csv(ROOT / "service" / "demo" / "demo_city.csv")
    reps = -(-n // len(demo))
    rng = np.random.default_rng(2026)
    big = pd.concat([demo] * reps, ignore_index=True).iloc[:n].copy()
    copy_no = np.repeat(np.arange(reps), len(demo))[:n]
    big["building_id"] = big["building_id"] + "-" + copy_no.astype(str)
    big["heated_area_m2"] = (big["heated_area_m2"] * rng.uniform(0.8, 1.2, n)).round(1)
    big["roof_area_m2"] = (big["roof_area_m2"] * rng.uniform(0.8, 1.0, n)).round(1)
    big["lat"] = (big["lat"] + rng.uniform(-0.03, 0.03, n)).round(5)
    big["lon"] = (big["lon"] + rng.uniform(-0.03, 0.03, n)).round(5)
    parsed = parse_inventory(big.to_csv(index=False).encode(), content_type="text/csv", max_rows=n)
    parsed.raise_for_errors()
    with session_scope(engine_for(url)) as s:
        inv = Inventory(org_id=principal.org_id, name=f"synthetic {n}")
        s.add(inv)
        s.flush()
        repository.add_version(
            s,
            inv,
            parsed.buildings,
            list(parsed.source_rows),
            created_by=principal.org_id,
            source_format="csv",
            warnings=[],
        )
        return inv.id, parsed.buildings


def stats(name: str, t: np.ndarray) -> float:
    med, p95 = np.median(t) * 1e3, np.percentile(t, 95) * 1e3
    print(f"  {name:<28} median {med:7.1f} ms   p95 {p95:7.1f} ms   (n={len(t)})")
    return float(med)


def _load() -> str:
    """The 1/5/15-minute load averages (``os.getloadavg``): the machine has 2 cores and may be shared."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def noop_round_trips(url: str, principal, celery) -> None:  # type: ignore[no-untyped-def]
    from service.jobs.dispatch import Dispatcher
    from service.settings import Settings

    print(f"(a) noop job round trip, one at a time (load {_load()})")
    local = Dispatcher(Settings(database_url=url, broker_url=None, local_workers=1))
    round_trips(url, local, principal, 3)  # spawn the pool process and import the job kinds
    local_med = stats("local process pool", round_trips(url, local, principal, N_JOBS))
    local.shutdown()
    celery_med = stats("Celery over Redis", round_trips(url, celery, principal, N_JOBS))
    print(f"  ratio Celery / local pool (median): {celery_med / local_med:.2f} (load {_load()})")


def assessment_through_celery(url: str, principal, celery, worker_pid: int) -> None:  # type: ignore[no-untyped-def]
    from energy.assess import assess_buildings
    from service.assessments.schemas import AssessmentRequest
    from service.assessments.service import start_assessment
    from service.db import engine_for, session_scope

    print(f"(b) assessment of a synthetic {N_BUILDINGS:,}-building inventory through Celery")
    inventory_id, buildings = synthetic_inventory(url, principal, N_BUILDINGS)
    for _rep in range(REPEAT):  # the job, then the bare call, in turn: each pair under about the same load
        load = _load()
        t0, start_cpu = time.perf_counter(), time.process_time()
        cpu0 = tree_cpu_s(worker_pid)
        with session_scope(engine_for(url)) as s:
            _, job = start_assessment(s, principal, inventory_id, AssessmentRequest())
            job_id = job.id
        celery.dispatch([job_id])
        start_cpu = time.process_time() - start_cpu  # storing the request and sending the job
        status = wait(
            url,
            job_id,
            lambda pct, msg, t0=t0: print(f"  {time.perf_counter() - t0:6.2f} s  {pct:3d} %  {msg}"),
        )
        job_s, job_cpu = time.perf_counter() - t0, tree_cpu_s(worker_pid) - cpu0 + start_cpu
        t1, c1 = time.perf_counter(), time.process_time()
        assess_buildings(buildings, city_lat=51.25, city_lon=22.57)
        engine_s, engine_cpu = time.perf_counter() - t1, time.process_time() - c1
        print(
            f"  job {status}: {job_s:.2f} s end to end; bare assess_buildings in-process {engine_s:.2f} s; "
            f"ratio job / engine {job_s / engine_s:.2f} (goal <= 1.2; load before {load}, after {_load()})"
        )
        print(
            f"  CPU: storing the request and the worker's processes {job_cpu:.2f} s for the job, the bare call {engine_cpu:.2f} s: "
            f"ratio {job_cpu / engine_cpu:.2f} (the database server's own CPU not counted)"
        )


def main(parts: list[str]) -> None:
    from service.jobs.dispatch import Dispatcher
    from service.settings import Settings

    url = setup_database()
    principal = city(url)
    print(
        f"database: {url.split('@')[-1]}   jobs: {N_JOBS}   buildings: {N_BUILDINGS}{'  (QUICK)' if QUICK else ''}"
    )
    worker = start_worker(url)
    if worker is None:
        return
    try:
        celery = Dispatcher(Settings(database_url=url, broker_url=REDIS_URL))
        round_trips(url, celery, principal, 3)  # the worker's first job waits for its start-up
        if not parts or "noop" in parts:
            noop_round_trips(url, principal, celery)
        if not parts or "assess" in parts:
            assessment_through_celery(url, principal, celery, worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=20)


if __name__ == "__main__":
    main(sys.argv[1:])
