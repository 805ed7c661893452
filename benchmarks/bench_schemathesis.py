"""Schemathesis over the whole OpenAPI schema with ``--checks all``: unique failures per database.

Serves the app under uvicorn on a fresh SQLite file and, where reachable, a fresh PostgreSQL
database (one city with one inventory, so that ids are not all unknown), runs the schemathesis CLI
against each and prints the unique failures it reports, with the 5xx among them. The baseline is
the figure of issue 12 (31 unique failures on SQLite, 36 on PostgreSQL, 0 of them 5xx).
Run ``python benchmarks/bench_schemathesis.py``; ``MIASTO_BENCH_QUICK=1`` uses 10 examples, not 50.

Seen on 2026-12-03 (2 shared cores, load average ~14 from other sessions; seed 1, 50 examples,
at commit 25b477d): SQLite 9 and PostgreSQL 9 unique failures, 0 of them 5xx (before this round:
17 and 17), the same nine on both. Two of them are fixed since with plain tests (an indicator source
that is a number; an inventory without coordinates, now a 409). What is
left is what no JSON Schema can state, and one timing: a point inside Poland's border polygon (the
schema gives its box; the generator picks the box's corner 48.9 N 14.0 E, in Czechia: inventories,
versions, estimate), a file body unreadable as its format (a PNG as a climate, a part without a
filename), YAML text that is not a mapping (``config_yaml``), and a PDF report over the 10 s
response limit on the loaded machine. Nothing is excluded and no check is switched off.
"""

from __future__ import annotations

import os
import re
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
    keep = os.environ.get("MIASTO_SCHEMATHESIS_OUT")  # a folder for the full output and report
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{kind}.txt").write_text(out.stdout)
        (Path(keep) / f"{kind}.ndjson").write_bytes(report.read_bytes())
    failures = unique_failures(out.stdout)
    return {"failures": failures, "count": summary_count(out.stdout), "seconds": elapsed,
            "tail": out.stdout[-3000:]}  # fmt: skip


def unique_failures(output: str) -> list[tuple[str, str, int | None]]:
    """(operation, check, status) of every failure section of the CLI's report."""
    seen: list[tuple[str, str, int | None]] = []
    operation, checks = "", []
    for line in output.splitlines():
        header = re.match(r"^_{3,} (.+?) _{3,}$", line)
        if header:
            operation = header.group(1)
        elif line.startswith("- ST"):
            checks.append(line[2:].strip())
        elif re.match(r"^\[\d{3}\] ", line) and checks:
            status = int(line[1:4])
            seen += [(operation, check, status) for check in checks if (operation, check, status) not in seen]
            checks = []
    return seen


def summary_count(output: str) -> int | None:
    found = re.search(r"(\d+) unique failures", output)
    return int(found.group(1)) if found else (0 if "No issues found" in output else None)


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
        print(f"{kind}: {result['count']} unique failures ({len(server_errors)} 5xx) with --checks all, "
              f"{EXAMPLES} examples, {result['seconds']:.0f} s; baseline {BASELINE[kind]} (issue 12): "
              f"ratio {(result['count'] or 0) / BASELINE[kind]:.2f}")  # fmt: skip
        for operation, check, status in failures:
            print(f"  {status}  {operation}  {check}")
        if os.environ.get("MIASTO_BENCH_VERBOSE"):
            print(result["tail"])


if __name__ == "__main__":
    main()
