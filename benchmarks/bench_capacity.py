"""Benchmark: what one worker process does per hour for cities of 100, 300 and 1,000 public buildings.

For each size, in the same run: the energy assessment (``assess_buildings`` with PV), the candidate
packages of a plan (``generate_candidates``: every package through the same model) and a 3-year plan
with yearly budgets and the thermo-modernisation bonus (``optimise``). Baseline: the assessment alone;
a plan costs that many assessments. Cities per worker-hour = 3,600 s / the time of the work, without
the job and database overhead (``bench_jobs.py`` measures that: about x1.4 for 5,000 buildings).
Run ``python benchmarks/bench_capacity.py``; ``MIASTO_BENCH_QUICK=1`` runs only 100 buildings.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_workspace import city_csv  # noqa: E402

from energy.assess import assess_buildings  # noqa: E402
from energy.measures import load_catalogue  # noqa: E402
from energy.packages import generate_candidates  # noqa: E402
from energy.portfolio import optimise  # noqa: E402
from energy.portfolio.problem import PortfolioProblem, Programme  # noqa: E402

SIZES = (100,) if os.environ.get("MIASTO_BENCH_QUICK") == "1" else (100, 300, 1_000)
LUBLIN = {"city_lat": 51.25, "city_lon": 22.57}


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    catalogue = load_catalogue()
    warm = pd.read_csv(io.BytesIO(city_csv(10)))  # imports, climate files and caches loaded once
    optimise(
        generate_candidates(warm, assess_buildings, catalogue, **LUBLIN), PortfolioProblem(budget_pln=1e6)
    )
    print("one worker process, per city (engine work only; jobs and storage add about x1.4)")
    for n in SIZES:
        buildings = pd.read_csv(io.BytesIO(city_csv(n)))
        _, t_assess = timed(lambda b=buildings: assess_buildings(b, **LUBLIN))
        candidates, t_cand = timed(
            lambda b=buildings: generate_candidates(b, assess_buildings, catalogue, **LUBLIN)
        )
        budget = 0.08 * candidates.groupby("building_id")["capex_pln"].max().sum()
        problem = PortfolioProblem(
            objective="max_co2",
            yearly_budgets_pln=[budget] * 3,
            programmes=[Programme("thermo_bonus_2024", 0.26, thermo_bonus_rules=True)],
        )
        result, t_solve = timed(lambda c=candidates, p=problem: optimise(c, p))
        t_plan = t_cand + t_solve
        print(
            f"  {n:>5,} buildings: assessment {t_assess:6.2f} s ({3600 / t_assess:7,.0f} cities/h)"
            f" | plan {t_plan:6.2f} s = candidates {t_cand:.2f} + solve {t_solve:.2f} ({result.status},"
            f" gap {result.gap:.1e}; {3600 / t_plan:6,.0f} plans/h) | plan / assessment = x{t_plan / t_assess:.1f}"
        )


if __name__ == "__main__":
    main()
