"""Synthetic but realistic candidate tables for benchmarks and tests.

Buildings: heated area log-normal around 1,800 m2 (Polish schools/offices range 300-10,000 m2), baseline
final energy 150-300 kWh/(m2 a), primary energy factor ~1.1-1.5, CO2 ~0.30 kg/kWh final, energy cost
~0.35 PLN/kWh. Packages: capex per m2 and saved share per package drawn around the catalogue defaults with
diminishing returns (deeper packages cost more per unit saved). Not a physical model: only used to time
and test the optimiser.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# package: (capex PLN/m2 floor, saved share of final energy, lifetime a)
PACKAGE_SHAPES = {
    "led": (60, 0.06, 15),
    "led_bms": (110, 0.14, 15),
    "pv": (45, 0.08, 25),
    "windows": (180, 0.12, 30),
    "hp_air": (220, 0.35, 20),
    "envelope": (650, 0.40, 40),
    "envelope_hp_air": (820, 0.62, 30),
    "deep": (1000, 0.72, 28),
    "dh": (150, 0.25, 30),
    "envelope_dh": (780, 0.55, 35),
}


def synthetic_candidates(n_buildings: int, n_packages: int = 8, seed: int = 0) -> pd.DataFrame:
    """Candidate table with ``n_buildings x n_packages`` rows (n_packages <= 10)."""
    rng = np.random.default_rng(seed)
    names = list(PACKAGE_SHAPES)[:n_packages]
    shape = np.array([PACKAGE_SHAPES[n] for n in names], float)
    area = np.clip(rng.lognormal(np.log(1800), 0.7, n_buildings), 300, 10_000)
    fe = area * rng.uniform(150, 300, n_buildings)
    pe_f = rng.uniform(1.1, 1.5, n_buildings)
    noise = rng.lognormal(0, 0.25, (n_buildings, n_packages))
    capex = area[:, None] * shape[None, :, 0] * noise
    share = np.clip(shape[None, :, 1] * rng.lognormal(0, 0.2, (n_buildings, n_packages)), 0, 0.9)
    saved = fe[:, None] * share
    return pd.DataFrame(
        {
            "building_id": np.repeat([f"B{i:05d}" for i in range(n_buildings)], n_packages),
            "package_id": np.tile(names, n_buildings),
            "measures": np.tile(names, n_buildings),
            "capex_pln": capex.ravel().round(0),
            "lifetime_years": np.tile(shape[:, 2], n_buildings),
            "savings_pln_per_year": (saved * 0.35).ravel(),
            "co2_reduction_t_per_year": (saved * 0.30 / 1000).ravel(),
            "final_energy_savings_kwh_per_year": saved.ravel(),
            "primary_energy_savings_kwh_per_year": (saved * pe_f[:, None]).ravel(),
            "baseline_final_energy_kwh_per_year": np.repeat(fe, n_packages),
            "baseline_primary_energy_kwh_per_year": np.repeat(fe * pe_f, n_packages),
            "baseline_cost_pln_per_year": np.repeat(fe * 0.35, n_packages),
            "heat_source_only": np.tile([n in ("hp_air", "dh") for n in names], n_buildings),
            "includes_res": np.tile(
                [n in ("pv", "hp_air", "envelope_hp_air", "deep") for n in names], n_buildings
            ),
            "source": "synthetic",
        }
    )
