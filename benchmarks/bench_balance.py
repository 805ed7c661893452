"""Benchmark: vectorised monthly balance for 100,000 buildings vs a plain Python loop.

Baseline: the same EN ISO 13790 monthly equations evaluated with scalar ``math`` arithmetic in a
Python loop over buildings and months, timed on a sample and extrapolated linearly to N.
Run ``python benchmarks/bench_balance.py``; ``MIASTO_BENCH_QUICK=1`` shrinks the sizes.
"""

from __future__ import annotations

import os
import time

import numpy as np

from energy.balance import BalanceInputs, constants, monthly_balance
from energy.climate import load_station, monthly_climate

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N = 10_000 if QUICK else 100_000
N_LOOP = 200 if QUICK else 2_000


def random_inputs(n: int, seed: int = 1) -> BalanceInputs:
    r = np.random.default_rng(seed)
    area = r.uniform(300, 8000, n)
    storeys = r.integers(1, 6, n)
    fp = area / storeys
    wall = 4 * np.sqrt(fp) * storeys * 3.3
    u = lambda lo, hi: r.uniform(lo, hi, n)  # noqa: E731
    return BalanceInputs(
        heated_area_m2=area, volume_m3=area * 3.0, wall_area_m2=wall * 0.75, window_area_m2=wall * 0.25,
        roof_area_m2=fp, ground_floor_area_m2=fp, u_wall_w_m2k=u(0.2, 1.4), u_roof_w_m2k=u(0.15, 1.2),
        u_floor_w_m2k=u(0.3, 1.0), u_window_w_m2k=u(0.9, 2.8), thermal_bridge_w_m2k=u(0.05, 0.1),
        g_window=u(0.5, 0.75), infiltration_ach=u(0.2, 0.6), ventilation_l_s_m2=u(0.5, 2.0),
        occupied_fraction=u(0.2, 0.6), occupant_gains_occupied_w_m2=u(6, 20),
        occupant_gains_unoccupied_w_m2=u(1, 3), setpoint_heat_c=u(16, 21), setpoint_cool_c=np.full(n, 26.0),
        cooled_area_fraction=r.choice([0.0, 0.3], n), heat_capacity_kj_m2k=r.choice([165.0, 260.0], n),
        intermittent_heating=np.ones(n), heating_factor=np.ones(n),
    )  # fmt: skip


def loop_balance(b: BalanceInputs, clim: dict, rows: range) -> list[float]:
    """Plain Python reference: the same scalar equations per building and month."""
    c = constants()
    out = []
    for i in rows:
        h_tr = (b.u_wall_w_m2k[i] * b.wall_area_m2[i] + b.u_roof_w_m2k[i] * b.roof_area_m2[i]
                + b.u_window_w_m2k[i] * b.window_area_m2[i]
                + c["ground_reduction_factor"] * b.u_floor_w_m2k[i] * b.ground_floor_area_m2[i]
                + (b.wall_area_m2[i] + b.roof_area_m2[i]) * b.thermal_bridge_w_m2k[i])  # fmt: skip
        occ = b.occupied_fraction[i]
        h_ve = c["rho_c_air_wh_m3k"] * (b.ventilation_l_s_m2[i] * 3.6 * b.heated_area_m2[i] * occ
                                        + b.infiltration_ach[i] * b.volume_m3[i])  # fmt: skip
        h = h_tr + h_ve
        tau = b.heat_capacity_kj_m2k[i] * 1000 / 3600 * b.heated_area_m2[i] / h
        a = 1 + tau / 15
        total = total_cool = 0.0
        for m in range(12):
            t = clim["hours"][m]
            q_ht = h * (b.setpoint_heat_c[i] - clim["t_ext_c"][m]) * t / 1000
            iv = sum(clim[f"i_sol_{o}_kwh_m2"][m] for o in "nesw")
            ua_w, ua_r = b.u_wall_w_m2k[i] * b.wall_area_m2[i], b.u_roof_w_m2k[i] * b.roof_area_m2[i]
            q_gn = (b.heated_area_m2[i] * (b.occupant_gains_occupied_w_m2[i] * occ
                    + b.occupant_gains_unoccupied_w_m2[i] * (1 - occ)) * t / 1000
                    + b.g_window[i] * 0.9 * 0.7 * 0.9 * b.window_area_m2[i] / 4 * iv
                    + 0.024 * (ua_w / 4 * iv + ua_r * clim["i_sol_hor_kwh_m2"][m])
                    - 1.98 * (0.5 * (ua_w + b.u_window_w_m2k[i] * b.window_area_m2[i]) + ua_r) * t / 1000)  # fmt: skip
            if q_ht > 0:
                g = q_gn / q_ht
                eta = 1.0 if g <= 0 else a / (a + 1) if abs(g - 1) < 1e-9 else (1 - g**a) / (1 - g ** (a + 1))
                need = max(q_ht - eta * q_gn, 0.0)
                a_red = min(max(1 - 3 * 15 / tau * max(g, 0.0) * (1 - occ), occ), 1.0)
                total += need * a_red
            if b.cooled_area_fraction[i] > 0:
                q_c = h * (b.setpoint_cool_c[i] - clim["t_ext_c"][m]) * t / 1000
                if q_c <= 0:
                    cool = q_gn - q_c
                else:
                    g = q_gn / q_c
                    eta = (
                        1.0
                        if g <= 0
                        else a / (a + 1)
                        if abs(g - 1) < 1e-9
                        else (1 - g**-a) / (1 - g ** -(a + 1))
                    )
                    cool = q_gn - eta * q_c
                total_cool += max(cool, 0.0) * b.cooled_area_fraction[i]
        out.append((total, total_cool))
    return out


def main() -> None:
    clim_df = monthly_climate(load_station("123750"))
    clim = {k: clim_df[k].to_numpy() for k in clim_df.columns}
    b = random_inputs(N)
    monthly_balance(random_inputs(100), clim)  # warm-up
    t_vec = t_detail = np.inf
    for _ in range(5):  # best of 5: the machine is shared
        t0 = time.perf_counter()
        res = monthly_balance(b, clim, detail=False)  # the needs, as the loop and an assessment
        t_vec = min(t_vec, time.perf_counter() - t0)
        t0 = time.perf_counter()
        monthly_balance(b, clim)
        t_detail = min(t_detail, time.perf_counter() - t0)
    t0 = time.perf_counter()
    ref = np.array(loop_balance(b, clim, range(N_LOOP)))
    t_loop_sample = time.perf_counter() - t0
    t_loop = t_loop_sample * N / N_LOOP
    print(f"monthly balance, {N:,} buildings x 12 months (vectorised numpy, best of 5): {t_vec:.3f} s")
    print(f"  with every term of the balance kept (detail=True): {t_detail:.3f} s")
    print(f"plain Python loop: {t_loop_sample:.3f} s for a sample of {N_LOOP:,} buildings, "
          f"extrapolated to {N:,}: {t_loop:.1f} s)")  # fmt: skip
    print(f"speed-up vectorised vs loop: {t_loop / t_vec:.0f}x (goal >= 100x); goal time <= 0.15 s")
    err = np.abs(res.heating_need_kwh[:N_LOOP].sum(1) - ref[:, 0]) / np.maximum(ref[:, 0], 1.0)
    print(f"loop vs vectorised annual heating need: max relative difference {err.max():.1e}")
    err_c = np.abs(res.cooling_need_kwh[:N_LOOP].sum(1) - ref[:, 1]) / np.maximum(ref[:, 1], 1.0)
    print(f"loop vs vectorised annual cooling need: max relative difference {err_c.max():.1e}")
    print(
        f"sanity: mean heating need {res.heating_need_kwh.sum(1).mean() / b.heated_area_m2.mean():.0f} kWh/m2"
    )


if __name__ == "__main__":
    main()
