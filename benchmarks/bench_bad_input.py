"""Benchmark: XLSX decompression bombs are refused fast and in bounded memory.

Two bombs built here with zipfile (issue 12 §5): a ~1 MB workbook whose shared string inflates to
1 GB, and a workbook whose sheet declares and holds 1,048,576 rows. Each goes through the intake
parser (``parse_inventory``, the code behind ``POST /v1/inventories``); the figures are the time to
the 413 and the peak Python allocation (tracemalloc). Baseline in the same run: parsing an honest
1,000-building workbook. Run ``python benchmarks/bench_bad_input.py``.
"""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from energy.inventory.parsing import XLSX, parse_inventory  # noqa: E402
from energy.inventory.validation import InventoryTooLarge  # noqa: E402
from service.inventory.schemas import EXAMPLE_BUILDINGS  # noqa: E402
from tests.service.test_bad_input import (  # noqa: E402
    MAIN,  # noqa: E402
    _sheet,
    _workbook,
)


def honest_workbook(n: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    columns = list(EXAMPLE_BUILDINGS[1])
    sheet.append(columns)
    for i in range(n):
        sheet.append([f"B-{i}" if c == "building_id" else EXAMPLE_BUILDINGS[1][c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(members: dict[str, list[bytes]]) -> bytes:
    """The test suite's bomb builder: a small workbook with some members streamed in (never held whole)."""
    return _workbook(members)


def sheet(rows: int) -> list[bytes]:
    return _sheet(rows, dimension=True)


def measure(content: bytes) -> tuple[float, float, str]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parse_inventory(content, content_type=XLSX, max_rows=50_000)
        outcome = "parsed"
    except InventoryTooLarge as exc:
        outcome = f"413: {exc.issues[0].reason}"
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return elapsed, peak, outcome


def main() -> None:
    sst_head = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    gigabyte = bomb({"xl/sharedStrings.xml": [sst_head, *[b"A" * (1 << 20)] * 1024, b"</t></si></sst>"],
                     "xl/worksheets/sheet1.xml": sheet(2)})  # fmt: skip
    million = bomb(
        {
            "xl/sharedStrings.xml": [sst_head + b"x</t></si></sst>"],
            "xl/worksheets/sheet1.xml": sheet(1_048_576),
        }
    )
    honest = honest_workbook(1_000)
    base_s, base_mb, _ = measure(honest)
    print(
        f"honest 1,000-building workbook ({len(honest) / 1e3:.0f} kB): {base_s:.3f} s, peak {base_mb:.1f} MB"
    )
    for label, content in (("1 GB shared string", gigabyte), ("1,048,576 rows", million)):
        elapsed, peak, outcome = measure(content)
        print(f"{label} ({len(content) / 1e6:.2f} MB on the wire): {elapsed:.3f} s, peak {peak:.1f} MB, "
              f"{outcome}; time ratio to the honest workbook {elapsed / base_s:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
