"""Benchmark of the composite-indicator engine and its Monte Carlo uncertainty.

Prints: the ASEM example pipeline time; all 2,477 gminas x 30 indicators, full pipeline + 1,000 Monte Carlo
runs (target <= 5 s); growth with units and runs; and two baselines measured in the same run:
(1) a per-run Python loop that rebuilds the tree and re-aggregates for every run (what one writes first),
(2) a per-unit Python loop for the aggregation step.

The gmina data are synthetic (lognormal, 3 % missing, 4 size classes); only the sizes are real
(2,477 gminas in Poland, TERYT 2024). ``MIASTO_BENCH_QUICK=1`` shrinks every size.

Run: ``python benchmarks/bench_composite.py``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from integration.composite import AggregateSpec, aggregate_tree, normalise, run_pipeline  # noqa: E402
from integration.uncertainty import DEFAULT_NORMALISATIONS, UncertaintySpec, run_uncertainty  # noqa: E402

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_GMINAS, N_INDICATORS, N_RUNS = (600, 30, 200) if QUICK else (2477, 30, 1000)
CONFIG = {
    "denominate": {"scale_factors": {f"i{j:02d}": 1000 for j in range(0, 30, 5)}},
    "impute": {"method": "group_median", "group": "size_class"},
    "screen": {"min_availability": 0.8},
    "treat": {"winmax": 5},
    "normalise": {"method": "minmax", "range": [1, 100]},
    "aggregate": {"method": "arithmetic"},
    "ranks": {"groups": ["size_class"]},
}


def synthetic(n_units: int, n_ind: int = N_INDICATORS, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic gmina-like iData/iMeta: 3 pillars of n_ind/3 indicators, every 5th per 1,000 inhabitants."""
    rng = np.random.default_rng(seed)
    codes = [f"i{j:02d}" for j in range(n_ind)]
    pillars = ["housing", "schooling", "services"]
    meta = pd.DataFrame(
        {
            "iCode": [*codes, *pillars, "readiness", "size_class", "population"],
            "Level": [1] * n_ind + [2] * 3 + [3, None, None],
            "Parent": [pillars[j * 3 // n_ind] for j in range(n_ind)] + ["readiness"] * 3 + [None] * 3,
            "Weight": [1.0] * (n_ind + 4) + [None, None],
            "Direction": [(-1 if j % 4 == 3 else 1) for j in range(n_ind)] + [1] * 4 + [None, None],
            "Type": ["Indicator"] * n_ind + ["Aggregate"] * 4 + ["Group", "Denominator"],
            "Denominator": [("population" if j % 5 == 0 else None) for j in range(n_ind)] + [None] * 6,
        }
    )
    values = rng.lognormal(mean=2.0, sigma=rng.uniform(0.2, 1.0, n_ind), size=(n_units, n_ind))
    values[rng.uniform(size=values.shape) < 0.03] = np.nan
    data = pd.DataFrame(values, columns=codes)
    data.insert(0, "uCode", [f"{2_000_000 + i:07d}" for i in range(n_units)])
    data.insert(1, "size_class", rng.choice(["rural", "urban-rural", "urban", "city"], n_units))
    data.insert(2, "population", rng.lognormal(9, 1, n_units).round())
    return data, meta


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_run_loop_baseline(result, spec: UncertaintySpec, n_runs: int) -> float:
    """Seconds per run when each run normalises and aggregates on its own (Python loop over runs)."""
    rng = np.random.default_rng(1)
    tree, x = result.tree, result.pre_normalised[result.tree.indicators]
    start = time.perf_counter()
    for _ in range(n_runs):
        norm = DEFAULT_NORMALISATIONS[rng.integers(2)]
        z = normalise(
            x, tree.nodes["Direction"], norm["method"], {k: v for k, v in norm.items() if k != "method"}
        )
        w = tree.nodes["Weight"] * rng.uniform(1 - spec.weight_noise, 1 + spec.weight_noise, len(tree.nodes))
        aggregate_tree(z, tree.with_weights(w.to_dict()), AggregateSpec(spec.aggregations[rng.integers(2)]))
    return (time.perf_counter() - start) / n_runs


def per_unit_loop_baseline(result) -> float:
    """Seconds for the aggregation step written as a Python loop over units."""
    tree, norm = result.tree, result.normalised
    kids = {p: tree.children(p) for lvl in tree.levels for p in tree.codes_at(lvl)}
    weights = tree.nodes["Weight"].to_dict()
    start = time.perf_counter()
    for _, row in norm.iterrows():
        scores = row.to_dict()
        for level in tree.levels:
            for parent in tree.codes_at(level):
                pairs = [(scores[k], weights[k]) for k in kids[parent] if not np.isnan(scores[k])]
                scores[parent] = sum(v * w for v, w in pairs) / sum(w for _, w in pairs)
    return time.perf_counter() - start


def main() -> None:
    asem = ROOT / "tests" / "data" / "asem"
    a_data, a_meta = pd.read_csv(asem / "ASEM_iData.csv"), pd.read_csv(asem / "ASEM_iMeta.csv")
    a_config = ROOT / "integration" / "data" / "examples" / "asem_pipeline.yaml"
    t_asem = best_of(lambda: run_pipeline(a_data, a_meta, a_config))
    print(f"ASEM example pipeline (51 units x 49 indicators, 7 steps): {t_asem * 1e3:.1f} ms")

    data, meta = synthetic(N_GMINAS)
    start = time.perf_counter()
    result = run_pipeline(data, meta, CONFIG)
    t_pipe = time.perf_counter() - start
    spec = UncertaintySpec(n_runs=N_RUNS, seed=0)
    start = time.perf_counter()
    unc = run_uncertainty(result, spec)
    t_mc = time.perf_counter() - start
    t_plain = best_of(lambda: run_uncertainty(result, UncertaintySpec(n_runs=N_RUNS, sensitivity=False)), 1)
    total = t_pipe + t_mc
    print(
        f"\n{N_GMINAS} gminas x {N_INDICATORS} indicators: pipeline {t_pipe:.2f} s; Monte Carlo {N_RUNS} runs "
        f"+ sensitivity ({unc.n_evaluations} evaluations) {t_mc:.2f} s; intervals only {t_plain:.2f} s"
    )
    print(
        f"TOTAL pipeline + {N_RUNS} MC runs with sensitivity: {total:.2f} s  (target <= 5 s: "
        f"{'met' if total <= 5 else 'NOT met'})"
    )
    print(
        "variance shares:",
        ", ".join(f"{f} S1={r.first_order:.2f} ST={r.total:.2f}" for f, r in unc.sensitivity.iterrows()),
    )

    gappy = run_pipeline(data, meta, {k: v for k, v in CONFIG.items() if k != "impute"})
    t_gappy = best_of(lambda: run_uncertainty(gappy, UncertaintySpec(n_runs=N_RUNS, seed=0)), 1)
    print(
        f"same without imputation (3 % missing carried, level-by-level path): MC {N_RUNS} runs + sensitivity "
        f"{t_gappy:.2f} s"
    )

    n_base = 10 if QUICK else 40
    per_run = per_run_loop_baseline(result, spec, n_base)
    ours_per_run = t_plain / N_RUNS
    print(
        f"\nbaseline 'per-run Python loop' ({n_base} runs): {per_run * 1e3:.1f} ms/run -> {per_run * N_RUNS:.1f} s "
        f"for {N_RUNS} runs; batched: {ours_per_run * 1e3:.2f} ms/run; speed-up x{per_run / ours_per_run:.0f}"
    )
    t_unit_loop = per_unit_loop_baseline(result)
    t_agg = best_of(lambda: aggregate_tree(result.normalised, result.tree, result.config.aggregate))
    print(
        f"baseline 'per-unit Python loop' aggregation: {t_unit_loop * 1e3:.0f} ms; vectorised {t_agg * 1e3:.2f} ms; "
        f"speed-up x{t_unit_loop / t_agg:.0f}"
    )

    print("\ngrowth with units (pipeline + 200 MC runs, intervals only):")
    for n in (300, 1000) if QUICK else (500, 1000, 2477, 5000, 10000):
        d, m = synthetic(n, seed=n)
        start = time.perf_counter()
        r = run_pipeline(d, m, CONFIG)
        mid = time.perf_counter()
        run_uncertainty(r, UncertaintySpec(n_runs=200, sensitivity=False))
        end = time.perf_counter()
        print(f"  {n:6d} units: pipeline {mid - start:6.3f} s, MC {end - mid:6.3f} s")
    print(f"growth with runs ({N_GMINAS} units, intervals only):")
    for runs in (100, 300) if QUICK else (100, 250, 500, 1000, 2000, 4000):
        t = best_of(
            lambda runs=runs: run_uncertainty(result, UncertaintySpec(n_runs=runs, sensitivity=False)), 1
        )
        print(f"  {runs:6d} runs: {t:6.3f} s ({t / runs * 1e3:.2f} ms/run)")


if __name__ == "__main__":
    main()
