"""Readiness scores for every gmina under an arrival scenario.

Run: ``python benchmarks/bench_readiness.py`` (``MIASTO_BENCH_QUICK=1`` for a few seconds).

Data are synthetic (seeded, uniform between each indicator's goalposts, 10 % missing) for 2,477
gminas; the baseline is the bare composite-engine pipeline (``run_pipeline``) on the same wide table,
measured in the same run, so the ratio shows what validation, headroom, coverage and breaking
points add on top of the engine.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from integration.composite import run_pipeline
from integration.readiness import ArrivalScenario, load_framework
from integration.readiness.score import _config, _meta, compute_readiness

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_UNITS = 300 if QUICK else 2477
RUNS = 100 if QUICK else 1000


def synthetic(n_units: int, seed: int = 1) -> pd.DataFrame:
    fw = load_framework()
    rng = np.random.default_rng(seed)
    scored = fw.indicators[fw.indicators["role"] == "score"]
    teryt = np.char.zfill(np.arange(1, n_units + 1).astype(str), 7)
    lo, hi = scored["goalpost_min"].to_numpy(), scored["goalpost_max"].to_numpy()
    values = rng.uniform(lo, hi, size=(n_units, len(scored)))
    values[rng.random(values.shape) < 0.1] = np.nan
    wide = pd.DataFrame(values, index=teryt, columns=scored.index)
    wide["population"] = rng.lognormal(np.log(8000), 1.0, n_units).round()
    frame = wide.rename_axis("teryt").reset_index().melt("teryt", var_name="indicator").dropna()
    return frame.assign(year=2023, source="synthetic")


def timed(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    fw = load_framework()
    data = synthetic(N_UNITS)
    scenario = ArrivalScenario.ukraine_default(5000)
    active = fw.scored.index[fw.scored["role"] == "score"].tolist()
    wide = data.pivot(index="teryt", columns="indicator", values="value").reindex(columns=active)
    i_data = wide.assign(size_class="x", functional_type="x").rename_axis("uCode").reset_index()
    meta, config = _meta(fw, active), _config(fw, active, {}, None)

    t_engine = timed(lambda: run_pipeline(i_data, meta, config))
    t_plain = timed(lambda: compute_readiness(data, None, fw))
    t_scen = timed(lambda: compute_readiness(data, scenario, fw))
    t_mc = timed(lambda: compute_readiness(data, scenario, fw, uncertainty_runs=RUNS), repeat=1)
    t_json = timed(lambda: compute_readiness(data, scenario, fw).to_dict(data["teryt"].iloc[0]), repeat=1)

    print(f"units: {N_UNITS}, indicators: {len(active)} (+5 headroom with a scenario), quick={QUICK}")
    print(f"baseline  composite run_pipeline alone         {t_engine * 1e3:8.1f} ms")
    print(
        f"readiness without scenario                     {t_plain * 1e3:8.1f} ms  ratio {t_plain / t_engine:5.2f}x"
    )
    print(
        f"readiness with scenario (headroom, breaks)     {t_scen * 1e3:8.1f} ms  ratio {t_scen / t_engine:5.2f}x"
    )
    print(
        f"readiness with scenario + {RUNS} MC runs       {t_mc * 1e3:8.1f} ms  ratio {t_mc / t_engine:5.2f}x"
    )
    print(f"readiness with scenario + to_dict(one unit)    {t_json * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
