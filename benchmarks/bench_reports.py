"""Time the energy-diagnosis PDF (annex of every building) of a 40- and a 5,000-building city against
the JSON of the same result.

Run: ``python benchmarks/bench_reports.py`` (``MIASTO_BENCH_QUICK=1``: 40 and 500 buildings). Both go
through the real app (TestClient, SQLite in a temporary folder, the local job pool): the baseline is
``GET /v1/assessments/{id}`` (the JSON an integrator reads), the figure is the PDF of the same
assessment, in the same run: at most ``SYNC_REPORT_MAX_BUILDINGS`` buildings ``GET .../report.pdf``
renders it in the request (best of two); above, that GET answers 202 and the figure is the report job
from the 202 to the PDF stored and served (one run: a second GET serves the stored bytes). Pages are
counted with pypdf.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

SIZES = (40, 500) if os.environ.get("MIASTO_BENCH_QUICK") == "1" else (40, 5_000)
DEMO = Path(__file__).resolve().parents[1] / "service" / "demo" / "demo_city.csv"


def inventory_csv(n: int) -> bytes:
    """``n`` buildings: the demo city's 40 repeated with fresh ids (their coordinates jittered)."""
    demo = pd.read_csv(DEMO)
    reps = -(-n // len(demo))
    frame = pd.concat([demo] * reps, ignore_index=True).head(n)
    frame["building_id"] = [f"B-{i:05d}" for i in range(n)]
    k = frame.index.to_numpy() // len(demo)
    if "lat" in frame:
        frame["lat"] = frame["lat"] + 0.002 * (k % 10)
        frame["lon"] = frame["lon"] + 0.003 * (k // 10 % 10)
    return frame.to_csv(index=False).encode()


def timed(fn, repeat: int = 2):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench_reports_")
    os.environ["MIASTO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    os.environ.setdefault("MIASTO_LOG_LEVEL", "WARNING")
    from fastapi.testclient import TestClient
    from pypdf import PdfReader

    from service.app import create_app
    from service.db import session_scope
    from service.migrate import upgrade
    from service.orgs.service import create_key, create_org
    from service.reports.service import SYNC_REPORT_MAX_BUILDINGS

    upgrade()
    with session_scope() as s:
        city = create_org(s, "city", "Miasto Benchmark", "0663011")
        _, key = create_key(s, city, label="bench")
    h = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app()) as c:
        for n in SIZES:
            r = c.post(f"/v1/inventories?name=bench-{n}", content=inventory_csv(n),
                       headers={**h, "Content-Type": "text/csv"})  # fmt: skip
            r.raise_for_status()
            inv = r.json()["inventory"]["id"]
            job = c.post(f"/v1/inventories/{inv}/assessments", json={}, headers=h)
            url = job.headers["Location"]
            while (j := c.get(url, headers=h).json())["status"] not in ("succeeded", "failed"):
                time.sleep(0.2)
            result_url = j["result_url"]
            t_json, _ = timed(lambda: c.get(result_url, headers=h).content)  # noqa: B023
            if n <= SYNC_REPORT_MAX_BUILDINGS:
                t_pdf, pdf = timed(lambda: c.get(result_url + "/report.pdf", headers=h).content)  # noqa: B023
                how = "sync"
            else:
                t0 = time.perf_counter()
                started = c.get(result_url + "/report.pdf", headers=h)
                assert started.status_code == 202, started.text
                seen = set()
                while (j := c.get(started.headers["Location"], headers=h).json())["status"] not in (
                    "succeeded", "failed"
                ):  # fmt: skip
                    seen.add(j["progress_pct"])
                    time.sleep(0.1)
                served = c.get(result_url + "/report.pdf", headers=h)
                t_pdf, pdf = time.perf_counter() - t0, served.content
                how = f"job, {len(seen)} progress values"
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(f"{n:>6,} buildings: JSON {t_json:6.2f} s | PDF ({how}) {t_pdf:6.2f} s, {pages} pages, "
                  f"{len(pdf) / 1024:,.0f} kB | PDF / JSON {t_pdf / t_json:5.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
