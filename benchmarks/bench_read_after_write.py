"""A write answered is a write another connection reads: 100 tries per write route and database.

Serves the app under uvicorn (SQLite file, and PostgreSQL where reachable), answers each write with
one HTTP connection and reads it back at once with another: a named climate (``POST /v1/climates``,
then ``GET`` its URL), an indicator value (``PUT .../indicators``, then ``GET`` it) and an advisor's
grant (``POST /v1/grants``, then ``GET /v1/grants``). Prints the reads that missed their write; the
baseline is issue 12's probe (13 of 40 climates missed on SQLite, 6 of 40 on PostgreSQL), before
the session was committed inside the request instead of after the response.
Run ``python benchmarks/bench_read_after_write.py``; ``MIASTO_BENCH_QUICK=1`` makes 20 tries.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_schemathesis import serve  # noqa: E402 - this folder is on the path of a script

from service.app import create_app  # noqa: E402
from tests.conftest import fresh_database, make_settings, make_tenants  # noqa: E402

TRIES = 20 if os.environ.get("MIASTO_BENCH_QUICK") == "1" else 100
CLIMATE = ROOT / "tests" / "data" / "climate" / "Warszawa_PVGIS-SARAH3_TMY_52.207_20.978_2005_2023.csv"
LUBLIN = "0663011"
BASELINE = {"sqlite": "13 of 40 climates", "postgres": "6 of 40 climates"}


def tries(kind: str, folder: Path) -> dict[str, tuple[int, int, float]]:
    url = fresh_database(kind, folder)
    app = create_app(make_settings(url, log_level="ERROR"))
    tenants = make_tenants(url)
    base, server, thread = serve(app)
    h = {"Authorization": f"Bearer {tenants.city_key}"}
    climate = CLIMATE.read_bytes()
    out: dict[str, tuple[int, int, float]] = {}
    with (
        httpx.Client(base_url=base, headers=h, timeout=60) as writer,
        httpx.Client(base_url=base, headers=h, timeout=60) as reader,
    ):
        started, missed = time.perf_counter(), 0
        for i in range(TRIES):
            r = writer.post(f"/v1/climates?name=odczyt {i}", files={"file": ("tmy.csv", climate)})
            assert r.status_code == 201, r.text
            missed += reader.get(r.json()["url"]).status_code != 200
        out["climates"] = (missed, TRIES, time.perf_counter() - started)
        started, missed = time.perf_counter(), 0
        for i in range(TRIES):
            value = {"indicator": "pupils_per_class", "value": 20.0 + i / 1000, "year": 2025, "source": "SIO"}
            r = writer.put(f"/v1/readiness/{LUBLIN}/indicators", json={"values": [value]})
            assert r.status_code == 200, r.text
            got = reader.get(f"/v1/readiness/{LUBLIN}/indicators").json()["values"]
            missed += not any(
                v["indicator"] == "pupils_per_class" and v["value"] == value["value"] for v in got
            )
        out["indicators"] = (missed, TRIES, time.perf_counter() - started)
        started, missed = time.perf_counter(), 0
        for i in range(TRIES):
            access = ("read", "plan")[i % 2]
            body = {"advisor_org_id": str(tenants.advisor_id), "access": access}
            r = writer.post("/v1/grants", json=body)
            assert r.status_code == 201, r.text
            got = reader.get("/v1/grants").json()
            missed += not any(
                g["advisor_org_id"] == str(tenants.advisor_id) and g["access"] == access for g in got
            )
        out["grants"] = (missed, TRIES, time.perf_counter() - started)
    server.should_exit = True
    thread.join(10)
    app.state.dispatcher.join()
    return out


def main() -> None:
    load = os.getloadavg()[0]
    for kind in ["sqlite", "postgres"] if len(sys.argv) < 2 else sys.argv[1:]:
        with tempfile.TemporaryDirectory(prefix="miasto-raw-") as folder:
            try:
                result = tries(kind, Path(folder))
            except OSError as exc:  # a missing PostgreSQL skips that figure
                print(f"{kind}: not run ({type(exc).__name__}: {exc})")
                continue
        figures = ", ".join(f"{name} {m} of {n} missed ({s:.1f} s)" for name, (m, n, s) in result.items())
        print(f"{kind}: {figures}; baseline (issue 12): {BASELINE[kind]} missed; load {load:.1f}")


if __name__ == "__main__":
    main()
