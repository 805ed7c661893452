"""Benchmark: hourly rooftop PV for 10,000 roofs vs pvlib ModelChain run per roof.

Run: ``python benchmarks/bench_pv.py`` (``MIASTO_BENCH_QUICK=1`` for a few-second run).

Baseline: ``pvlib.modelchain.ModelChain`` (PVWatts DC + inverter, physical IAM, SAPM cell
temperature, Perez transposition, PVWatts losses) run roof by roof on a random sample; its
per-roof time is measured in this run and extrapolated to all roofs. The sample is also used
to print the annual-yield agreement (target: within 0.5 % per roof).

Weather: the IMGW typical year for Warszawa-Okecie packaged for the tests.
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from pvlib.location import Location
from pvlib.modelchain import ModelChain
from pvlib.pvsystem import Array, FixedMount, PVSystem

from energy.pv import PVParams, rooftop_pv, simulate_ac

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_ROOFS = 1_000 if QUICK else 10_000
N_SAMPLE = 5 if QUICK else 30
EPW = Path(__file__).parents[1] / "tests" / "data" / "pv" / "POL_Warszawa.Okecie.123750_IMGW.epw.gz"


def load_weather():
    with gzip.open(EPW, "rt") as fh:
        data, meta = pvlib.iotools.read_epw(fh, coerce_year=2005)
    return (
        data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]],
        meta["latitude"],
        meta["longitude"],
        meta["altitude"],
    )


def modelchain_annual_kwh(weather, lat, lon, alt, tilt, az, kwp, shade, flat, params):
    shifted = weather.copy()
    shifted.index = shifted.index + pd.Timedelta(minutes=params.solar_position_shift_minutes)
    array = Array(
        FixedMount(tilt, az),
        albedo=params.albedo,
        module_parameters={"pdc0": kwp * 1000.0, "gamma_pdc": params.gamma_pdc},
        temperature_model_parameters=params.temperature_parameters("flat" if flat else "pitched"),
    )
    inverter = {
        "pdc0": kwp * 1000.0 / (params.dc_ac_ratio * params.inverter_efficiency_nominal),
        "eta_inv_nom": params.inverter_efficiency_nominal,
        "eta_inv_ref": params.inverter_efficiency_reference,
    }
    losses = dict(params.loss_components_pct, shading=100.0 * shade)
    system = PVSystem(arrays=[array], inverter_parameters=inverter, losses_parameters=losses)
    mc = ModelChain(
        system,
        Location(lat, lon, altitude=alt),
        dc_model="pvwatts",
        ac_model="pvwatts",
        aoi_model="physical",
        spectral_model="no_loss",
        temperature_model="sapm",
        losses_model="pvwatts",
        transposition_model="perez",
    )
    mc.run_model(shifted)
    return mc.results.ac.sum() / 1000.0


def main() -> None:
    weather, lat, lon, alt = load_weather()
    params = PVParams()
    rng = np.random.default_rng(2024)
    tilt = rng.uniform(0, 60, N_ROOFS)
    az = rng.uniform(60, 300, N_ROOFS)
    kwp = rng.uniform(5, 150, N_ROOFS)
    shade = rng.uniform(0, 0.3, N_ROOFS)
    flat = rng.random(N_ROOFS) < 0.5

    t0 = time.perf_counter()
    ac = simulate_ac(weather, lat, lon, alt, tilt, az, kwp, params, shade, flat_mount=flat, dtype=np.float32)
    t_vec = time.perf_counter() - t0
    print(
        f"simulate_ac: {N_ROOFS} roofs x {ac.shape[0]} h in {t_vec:.2f} s (float32 output, {ac.nbytes / 2**20:.0f} MB)"
    )

    sample = rng.choice(N_ROOFS, N_SAMPLE, replace=False)
    t0 = time.perf_counter()
    ref = np.array(
        [
            modelchain_annual_kwh(weather, lat, lon, alt, tilt[i], az[i], kwp[i], shade[i], flat[i], params)
            for i in sample
        ]
    )
    t_mc_per_roof = (time.perf_counter() - t0) / N_SAMPLE
    t_mc_all = t_mc_per_roof * N_ROOFS
    deviation = ac[:, sample].astype(float).sum(axis=0) / ref - 1
    print(f"ModelChain per roof: {t_mc_per_roof * 1000:.1f} ms (timed on a sample of {N_SAMPLE} roofs)")
    print(f"  extrapolated to {N_ROOFS} roofs: {t_mc_all:.1f} s")
    print(f"speed-up vs ModelChain per roof: {t_mc_all / t_vec:.0f}x (target >= 100x; target time <= 3 s)")
    print(
        f"annual-yield agreement on the sample: max |dev| = {np.abs(deviation).max() * 100:.2e} % (target < 0.5 %)"
    )

    buildings = pd.DataFrame(
        {
            "roof_type": rng.choice(["flat", "gable", "hip", "mono"], N_ROOFS),
            "roof_area_m2": rng.uniform(100, 3000, N_ROOFS),
            "roof_tilt_deg": rng.uniform(15, 45, N_ROOFS),
            "roof_azimuth_deg": rng.uniform(0, 360, N_ROOFS),
            "roof_shading_factor": shade,
        }
    )
    hours = np.arange(len(weather)) % 24
    load = np.where((hours >= 7) & (hours < 17), 1.0, 0.3)[:, None] * rng.uniform(2, 40, N_ROOFS)
    t0 = time.perf_counter()
    res = rooftop_pv(buildings, weather, lat, lon, alt, load, params)
    t_full = time.perf_counter() - t0
    print(
        f"rooftop_pv (area, kWp, yield, monthly, self-consumption, value): {N_ROOFS} buildings in {t_full:.2f} s; "
        f"mean specific yield {res['pv_specific_yield_kwh_per_kwp'].mean():.0f} kWh/kWp"
    )


if __name__ == "__main__":
    main()
