"""Schemathesis over the whole OpenAPI schema with ``--checks all``: unique failures per database.

Serves the app under uvicorn on a fresh SQLite file and, where reachable, a fresh PostgreSQL
database (one city with one inventory, so that ids are not all unknown), runs the schemathesis CLI
against each and prints the unique failures it reports, with the 5xx among them. The baseline is
the figure of issue 12 (31 unique failures on SQLite, 36 on PostgreSQL, 0 of them 5xx).
Run ``python benchmarks/bench_schemathesis.py``; ``MIASTO_BENCH_QUICK=1`` uses 10 examples, not 50.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.app import create_app  # noqa: E402
from service.inventory.schemas import EXAMPLE_BUILDINGS  # noqa: E402
from tests.conftest import fresh_database, make_settings, make_tenants  # noqa: E402

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
EXAMPLES = 10 if QUICK else 50
BASELINE = {"sqlite": 31, "postgres": 36}


def serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def run(kind: str, folder: Path) -> dict[str, object]:
    import httpx

    url = fresh_database(kind, folder)
    app = create_app(make_settings(url, log_level="ERROR"))
    tenants = make_tenants(url)
    base, server, thread = serve(app)
    auth = f"Authorization: Bearer {tenants.city_key}"
    httpx.post(f"{base}/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS},
               headers={"Authorization": f"Bearer {tenants.city_key}"})  # fmt: skip
    report = folder / f"{kind}.ndjson"
    started = time.perf_counter()
    cli = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/openapi.json",
           "--checks", "all", "--max-examples", str(EXAMPLES), "-H", auth, "--seed", "1",
           "--report", "ndjson", "--report-ndjson-path", str(report), "--no-color"]  # fmt: skip
    out = subprocess.run(cli, capture_output=True, text=True, check=False, cwd=folder)  # its cache too
    elapsed = time.perf_counter() - started
    server.should_exit = True
    thread.join(10)
    app.state.dispatcher.join()
    failures = unique_failures(report)
    return {"failures": failures, "seconds": elapsed, "tail": out.stdout[-3000:]}


def unique_failures(report: Path) -> list[tuple[str, str, int | None]]:
    """(operation, check, status) of every distinct failure in the NDJSON events."""
    seen: set[tuple[str, str, int | None]] = set()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for scenario in _walk(event, "failures"):
            for failure in scenario:
                if not isinstance(failure, dict):
                    continue
                status = (failure.get("response") or {}).get("status_code")
                seen.add(
                    (str(failure.get("operation") or failure.get("label")), str(failure.get("title")), status)
                )
    return sorted(seen, key=str)


def _walk(node: object, key: str):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, list):
                yield v
            else:
                yield from _walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def main() -> None:
    kinds = ["sqlite", "postgres"] if len(sys.argv) < 2 else sys.argv[1:]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="miasto-schemathesis-") as folder:
            try:
                result = run(kind, Path(folder))
            except BaseException as exc:  # noqa: BLE001 - a missing PostgreSQL skips that figure
                print(f"{kind}: not run ({type(exc).__name__}: {exc})")
                continue
        failures = result["failures"]
        assert isinstance(failures, list)
        server_errors = [f for f in failures if isinstance(f[2], int) and f[2] >= 500]
        print(f"{kind}: {len(failures)} unique failures ({len(server_errors)} 5xx) with --checks all, "
              f"{EXAMPLES} examples, {result['seconds']:.0f} s; baseline {BASELINE[kind]} (issue 12): "
              f"ratio {len(failures) / BASELINE[kind]:.2f}")  # fmt: skip
        for operation, check, status in failures:
            print(f"  {status}  {operation}  {check}")
        if os.environ.get("MIASTO_BENCH_VERBOSE"):
            print(result["tail"])


if __name__ == "__main__":
    main()
