"""Intake benchmark: parse + validate a 50,000-building inventory against pandas ``read_csv``.

Run ``python benchmarks/bench_intake.py`` (``MIASTO_BENCH_QUICK=1`` for 5,000 rows). The baseline is
``pandas.read_csv`` of the same bytes with type inference (no validation), measured in the same run.
The storage step is pluggable: pass ``store=callable(ParsedInventory)`` to :func:`run` (the
service's repository plugs in here) and its time is reported as a third column.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from energy.inventory.parsing import CSV, JSON, XLSX, ParsedInventory, parse_inventory
from service.inventory.export import to_csv_bytes, to_records, to_xlsx_bytes

DEMO = Path(__file__).parents[1] / "service" / "demo" / "demo_city.csv"
QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
ROWS = 5_000 if QUICK else 50_000
XLSX_ROWS = 1_000 if QUICK else 5_000
REPEATS = 3


def synthetic_inventory(n_rows: int, seed: int = 1) -> pd.DataFrame:
    """``n_rows`` valid buildings: the demo city's rows tiled, with unique ids and jittered numbers."""
    demo = parse_inventory(DEMO.read_bytes(), content_type=CSV, max_rows=1000).buildings
    rng = np.random.default_rng(seed)
    frame = demo.iloc[np.arange(n_rows) % len(demo)].reset_index(drop=True)
    frame["building_id"] = pd.array([f"B{i:06d}" for i in range(n_rows)], dtype="string")
    frame["heated_area_m2"] = (frame["heated_area_m2"] * rng.uniform(0.8, 1.2, n_rows)).round(1)
    frame["lat"] = (frame["lat"] + rng.uniform(-0.01, 0.01, n_rows)).round(5)
    frame["lon"] = (frame["lon"] + rng.uniform(-0.01, 0.01, n_rows)).round(5)
    return frame


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def run(store: Callable[[ParsedInventory], object] | None = None, n_rows: int = ROWS) -> list[dict]:
    """Time every format; return one dict per format (also printed as a table)."""
    frame = synthetic_inventory(n_rows)
    cases = [
        ("csv (comma)", to_csv_bytes(frame), CSV, n_rows),
        (
            "csv (semicolon, decimal comma, BOM)",
            to_csv_bytes(frame, "excel-pl"),
            CSV,
            n_rows,
        ),
        ("json", json.dumps(to_records(frame)).encode(), JSON, n_rows),
        ("xlsx", to_xlsx_bytes(frame.iloc[:XLSX_ROWS]), XLSX, XLSX_ROWS),
    ]
    results = []
    header = f"{'format':38} {'rows':>7} {'MB':>6} {'baseline s':>10} {'intake s':>9} {'rows/s':>10} {'x baseline':>10}"
    print(header + (f" {'store s':>8}" if store else ""))
    for label, content, content_type, rows in cases:
        if content_type == CSV:
            sep = ";" if label.startswith("csv (semi") else ","
            baseline_s, _ = best_of(
                lambda c=content, s=sep: pd.read_csv(io.BytesIO(c), sep=s, decimal="," if s == ";" else ".")
            )
            baseline = "pandas.read_csv"
        elif content_type == JSON:
            baseline_s, _ = best_of(lambda c=content: pd.DataFrame.from_records(json.loads(c)))
            baseline = "json.loads + DataFrame"
        else:
            baseline_s, _ = best_of(lambda c=content: pd.read_excel(io.BytesIO(c)), repeats=1)
            baseline = "pandas.read_excel"
        intake_s, parsed = best_of(
            lambda c=content, t=content_type, r=rows: parse_inventory(c, content_type=t, max_rows=r)
        , repeats=1 if content_type == XLSX else REPEATS)  # fmt: skip
        assert not parsed.errors, parsed.errors[:3]
        line = (
            f"{label:38} {rows:>7} {len(content) / 1e6:>6.1f} {baseline_s:>10.3f} {intake_s:>9.3f} "
            f"{rows / intake_s:>10,.0f} {intake_s / baseline_s:>10.2f}"
        )
        store_s = None
        if store is not None:
            store_s, _ = best_of(lambda p=parsed: store(p), repeats=1)
            line += f" {store_s:>8.3f}"
        print(line)
        results.append({"format": label, "rows": rows, "baseline": baseline, "baseline_s": baseline_s,
                        "intake_s": intake_s, "store_s": store_s})  # fmt: skip
    print("baseline: pandas.read_csv with type inference (csv), json.loads + DataFrame.from_records (json), "
          "pandas.read_excel (xlsx); intake = parse_inventory (read + header mapping + validation + warnings); "
          f"best of {REPEATS} (xlsx: 1)")  # fmt: skip
    median = statistics.median(r["intake_s"] / r["baseline_s"] for r in results)
    print(f"median intake / baseline: {median:.2f}x")
    return results


if __name__ == "__main__":
    run()
