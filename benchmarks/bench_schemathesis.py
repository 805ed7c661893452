"""Schemathesis over the whole OpenAPI schema with ``--checks all``: unique failures per database.

Serves the app under uvicorn on a fresh SQLite file and, where reachable, a fresh PostgreSQL
database (one city with one inventory, so that ids are not all unknown), runs the schemathesis CLI
against each and prints the unique failures it reports, with the 5xx among them. The baseline is
the figure of issue 12 (31 unique failures on SQLite, 36 on PostgreSQL, 0 of them 5xx).
Run ``python benchmarks/bench_schemathesis.py``; ``MIASTO_BENCH_QUICK=1`` uses 10 examples, not 50.

Seen on 2026-12-04 (2 shared cores, load ~3; seed 1, 50 examples, 54 of 54 operations, all four
phases): SQLite 0 and PostgreSQL 0 unique failures (7,565 cases on SQLite), 0 of them 5xx. Before
this round: 9 and 9 (2026-12-03), then 11 and 11 once the key went to the schema's security scheme
(a ``-H`` had been overriding every generated Authorization header, so that negative cases were
valid and real 500s hid behind 404s): a 1e300 budget broke Babel's rounding in three documents, a
5e-324 m2 heated area underflowed the balance. What no JSON Schema can state is given to the
generator by ``tests/schemathesis_rules.py`` (``SCHEMATHESIS_HOOKS``): a point inside Poland's
border polygon, a retrofit not before construction, one value per indicator and year, and valid
documents (CSV, XLSX, climate file, the index's CSV/YAML) where a body is a file. Positive cases
only; no check is switched off and nothing is excluded. ``MIASTO_SCHEMATHESIS_RAW=1`` runs
without those rules.
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
RAW = os.environ.get("MIASTO_SCHEMATHESIS_RAW") == "1"  # without the rules of tests/schemathesis_rules.py
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
    httpx.post(f"{base}/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS},
               headers={"Authorization": f"Bearer {tenants.city_key}"})  # fmt: skip
    report = folder / f"{kind}.ndjson"
    started = time.perf_counter()
    # the key goes to the schema's own security scheme (not a -H that overrides every generated
    # Authorization header, which turns schemathesis's negative Authorization cases into valid ones)
    (folder / "schemathesis.toml").write_text(f'[auth.openapi.HTTPBearer]\nbearer = "{tenants.city_key}"\n')
    cli = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(folder / "schemathesis.toml"),
           "run", f"{base}/openapi.json",
           "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", "1",
           "--report", "ndjson", "--report-ndjson-path", str(report), "--no-color"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.schemathesis_rules"}
    if RAW:
        env.pop("SCHEMATHESIS_HOOKS")
    out = subprocess.run(
        cli, capture_output=True, text=True, check=False, cwd=folder, env=env
    )  # its cache too
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
    if found:
        return int(found.group(1))
    finished = re.search(r"^=+ SUMMARY =+$", output, re.MULTILINE) is not None
    return 0 if "No issues found" in output or (finished and "FAILURES" not in output) else None


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
