"""Time the SVG charts on a large synthetic city against serialising the same records as JSON.

Run: ``python benchmarks/bench_charts.py`` (``MIASTO_BENCH_QUICK=1`` shrinks the city). Baseline:
``json.dumps`` of the per-building records, i.e. what ``GET /v1/assessments/{id}`` already pays.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pandas as pd

from service.charts.assessment import ep_chart_svg
from service.charts.maps import assessment_map_svg

SIZES = (500,) if os.environ.get("MIASTO_BENCH_QUICK") == "1" else (5_000, 20_000)  # issue 12: 20,000 < 1 s


def city(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    area = rng.lognormal(7.8, 0.8, n)
    ep = rng.uniform(60, 450, n)
    return pd.DataFrame(
        {
            "building_id": [f"B-{i:05d}" for i in range(n)],
            "name": [f"Budynek nr {i} <&>" for i in range(n)],
            "lat": 51.25 + rng.normal(0, 0.03, n),
            "lon": 22.57 + rng.normal(0, 0.05, n),
            "heated_area_m2": area,
            "ep_kwh_per_m2_year": ep,
            "ep_limit_kwh_per_m2_year": np.where(rng.random(n) < 0.1, 190.0, 45.0),
            "co2_t_per_year": area * ep * 3e-4,
        }
    )


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    for n in SIZES:
        one_city(n)
    through_the_api(SIZES[-1])


def through_the_api(n: int) -> None:
    """The same charts end to end: ``GET /v1/assessments/{id}/map.svg`` and ``chart.svg?kind=ep`` of a
    stored ``n``-building assessment (SQLite, in-process client), against its JSON."""
    import sys
    import tempfile
    from pathlib import Path

    from fastapi.testclient import TestClient

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "benchmarks"))
    from bench_workspace import city_csv, wait

    from service.app import create_app
    from tests.conftest import fresh_database, make_settings, make_tenants

    url = fresh_database("sqlite", Path(tempfile.mkdtemp()))
    tenants = make_tenants(url)
    app = create_app(make_settings(url, log_level="WARNING"))
    with TestClient(app) as client:
        h = tenants.h(tenants.city_key)
        r = client.post(
            "/v1/inventories?name=Bench", headers={**h, "Content-Type": "text/csv"}, content=city_csv(n)
        )
        inventory_id = r.json()["inventory"]["id"]
        job = client.post(
            f"/v1/inventories/{inventory_id}/assessments", headers=h, json={"include_pv": False}
        )
        state = wait(client, h, job.json()["id"])
        base = state["result_url"]
        t_json = best_of(lambda: client.get(base, headers=h).content)
        t_map = best_of(lambda: client.get(f"{base}/map.svg", headers=h).content)
        t_ep = best_of(lambda: client.get(f"{base}/chart.svg?kind=ep", headers=h).content)
    app.state.dispatcher.join()
    print(f"{n:,} buildings through the API (stored assessment, best of 3; goal < 1 s)")
    print(f"  GET {base.split('/')[1]}/assessments/{{id}} (JSON) : {t_json * 1e3:8.1f} ms")
    print(f"  map.svg                            : {t_map * 1e3:8.1f} ms  ({t_map / t_json:.2f}x the JSON)")
    print(f"  chart.svg?kind=ep                  : {t_ep * 1e3:8.1f} ms  ({t_ep / t_json:.2f}x the JSON)")


def one_city(n: int) -> None:
    frame = city(n)
    records = frame.to_dict(orient="records")
    t_json = best_of(lambda: json.dumps(records))
    t_map = best_of(lambda: assessment_map_svg(frame))
    t_ep = best_of(lambda: ep_chart_svg(frame))
    size_kb = len(assessment_map_svg(frame).encode()) / 1024
    print(f"{n:,} buildings (goal: each chart < 1 s)")
    print(f"  baseline json.dumps of the records : {t_json * 1e3:8.1f} ms")
    print(
        f"  map.svg                            : {t_map * 1e3:8.1f} ms  ({t_map / t_json:.1f}x baseline, {size_kb:,.0f} kB)"
    )
    print(f"  chart.svg?kind=ep                  : {t_ep * 1e3:8.1f} ms  ({t_ep / t_json:.1f}x baseline)")


if __name__ == "__main__":
    main()
