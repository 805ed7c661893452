"""Benchmark: the workspace's assessment page of a 5,000-building city vs the JSON of the same data.

Both answers come from the same app in the same run, on one SQLite database with one finished
assessment: ``GET /app/assessments/{id}`` (the full server-rendered HTML: totals, charts, the
5,000-row building table) against ``GET /v1/assessments/{id}`` (the JSON with every building).
"Time to first render" is the time until the browser has the complete HTML (server time + transfer,
measured in-process with the ASGI test client; the page needs no further request to show its
content). Goal: page within 3x the JSON and under 1 s. Run ``python benchmarks/bench_workspace.py``;
``MIASTO_BENCH_QUICK=1`` uses 1,000 buildings.

The compare page of 10 plans is measured the same way: ten plans of the 40-building demo inventory
(budgets 1-10 mln zł, solved as jobs in this run), ``GET /app/portfolios/compare?ids=..`` (totals,
the buildings whose package differs, the chart) against ``GET /v1/portfolios/compare?ids=..``.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_BUILDINGS = 1_000 if QUICK else 5_000
REPEATS = 3 if QUICK else 7
N_PLANS = 10


def city_csv(n: int) -> bytes:
    """``n`` buildings: the demo city's 40 rows repeated with unique ids (a plausible large city)."""
    demo = pd.read_csv(ROOT / "service" / "demo" / "demo_city.csv", dtype=str)
    reps = -(-n // len(demo))
    frame = pd.concat([demo] * reps, ignore_index=True).iloc[:n].copy()
    frame["building_id"] = [f"B-{i:05d}" for i in range(n)]
    frame["name"] = frame["name"] + " #" + (frame.index // len(demo) + 1).astype(str)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def timed(fetch: Callable[[], object], repeats: int) -> float:
    """Median wall time [s] of ``repeats`` calls after one warm-up call."""
    fetch()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fetch()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def wait(client, h, job_id: str) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 900
    while True:
        state = client.get(f"/v1/jobs/{job_id}", headers=h).json()
        if state["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def plans(client, h) -> list[str]:  # type: ignore[no-untyped-def]
    """Ten finished plans of the demo's 40 buildings, budgets 1..10 mln zł."""
    demo = (ROOT / "service" / "demo" / "demo_city.csv").read_bytes()
    r = client.post("/v1/inventories?name=Demo", headers={**h, "Content-Type": "text/csv"}, content=demo)
    assert r.status_code == 201, r.text[:500]
    inventory_id = r.json()["inventory"]["id"]
    ids, jobs = [], []
    for k in range(1, N_PLANS + 1):
        body = {"name": f"Plan {k} mln zł", "inventory_id": inventory_id, "budget_pln": k * 1_000_000,
                "programmes": [{"programme_id": "thermo_bonus_2024", "share_of_eligible_cost": 0.26}]}  # fmt: skip
        job = client.post("/v1/portfolios", headers=h, json=body)
        assert job.status_code == 202, job.text[:500]
        jobs.append(job.json()["id"])
        ids.append(job.json()["subject_id"])
    for job_id in jobs:
        assert wait(client, h, job_id)["status"] == "succeeded"
    return ids


def setup(client, tenants) -> dict[str, str]:  # type: ignore[no-untyped-def]
    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/inventories?name=Bench", headers={**h, "Content-Type": "text/csv"}, content=city_csv(N_BUILDINGS)
    )
    assert r.status_code == 201, r.text[:500]
    inventory_id = r.json()["inventory"]["id"]
    job = client.post(f"/v1/inventories/{inventory_id}/assessments", headers=h, json={}).json()
    state = wait(client, h, job["id"])
    assert state["status"] == "succeeded", state
    plan_ids = plans(client, h)
    client.post("/app/sign-in", data={"api_key": tenants.city_key})
    return {"inventory_id": inventory_id, "assessment_id": state["result_url"].rsplit("/", 1)[1],
            "plans": ",".join(plan_ids)}  # fmt: skip


def measure(client, tenants, ctx: dict[str, str]) -> list[tuple[str, float, float, int]]:  # type: ignore[no-untyped-def]
    h = tenants.h(tenants.city_key)
    # name -> (page, JSON of the same data, rows the page must show)
    pages = {
        "assessment": (f"/app/assessments/{ctx['assessment_id']}", f"/v1/assessments/{ctx['assessment_id']}",
                       N_BUILDINGS),
        f"compare {N_PLANS}": (f"/app/portfolios/compare?ids={ctx['plans']}",
                               f"/v1/portfolios/compare?ids={ctx['plans']}", N_PLANS),
    }  # fmt: skip
    rows = []
    for name, (page_url, json_url, min_rows) in pages.items():
        page = client.get(page_url)
        assert page.status_code == 200 and page.text.count("<tr") >= min_rows, (name, page.status_code)
        assert client.get(json_url, headers=h).status_code == 200
        t_page = timed(lambda u=page_url: client.get(u).text, REPEATS)
        t_json = timed(lambda u=json_url: client.get(u, headers=h).json(), REPEATS)
        rows.append((name, t_page, t_json, len(page.content)))
    return rows


def main() -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.conftest import fresh_database, make_settings, make_tenants

    url = fresh_database("sqlite", Path(tempfile.mkdtemp()))
    tenants = make_tenants(url)
    app = create_app(make_settings(url, session_secret="bench", log_level="WARNING"))
    with TestClient(app) as client:
        ctx = setup(client, tenants)
        rows = measure(client, tenants, ctx)
    app.state.dispatcher.join()
    print(f"workspace pages, {N_BUILDINGS:,} buildings, median of {REPEATS} (after a warm-up)")
    for name, t_page, t_json, size in rows:
        ratio = t_page / t_json
        verdict = "OK" if ratio <= 3 and t_page < 1.0 else "MISSED"
        print(
            f"  {name:<12} page {t_page * 1000:7.0f} ms ({size / 1e6:.1f} MB)  json {t_json * 1000:7.0f} ms"
            f"  ratio {ratio:4.2f}x  goal <=3x and <1 s: {verdict}"
        )


if __name__ == "__main__":
    main()
