"""In-Poland benchmark: ``energy.geo.in_poland`` on 100,000 points against a per-point shapely loop.

Run ``python benchmarks/bench_geo.py`` (``MIASTO_BENCH_QUICK=1`` for 10,000 points). The points are
uniform in Poland's bounding box (49.0-54.9 N, 14.1-24.2 E), so about two thirds fall inside. The
baseline, measured in the same run on the same outline (with the same 100 m buffer), is the obvious
loop ``polygon.contains(Point(lon, lat))`` over 2,000 of the points, unprepared, scaled linearly to
the full count; both must agree on those 2,000. The one-off load (read the GeoJSON, buffer, prepare) is
reported apart: it happens once per process.
"""

from __future__ import annotations

import os
import time

import numpy as np
import shapely

from energy import geo

QUICK = os.environ.get("MIASTO_BENCH_QUICK") == "1"
N_POINTS = 10_000 if QUICK else 100_000
N_BASELINE = 2_000
REPEATS = 3


def points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(49.0, 54.9, n), rng.uniform(14.1, 24.2, n)


def best_of(fn, repeats: int = REPEATS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    geo.in_poland(52.23, 21.01)
    load_s = time.perf_counter() - start
    lat, lon = points(N_POINTS)
    vector_s = best_of(lambda: geo.in_poland(lat, lon))
    inside = geo.in_poland(lat, lon)

    polygon = shapely.from_wkb(shapely.to_wkb(geo._tolerant_outline()))  # the same shape, unprepared
    base_lat, base_lon = lat[:N_BASELINE], lon[:N_BASELINE]
    loop = [False] * N_BASELINE

    def per_point() -> None:
        for i in range(N_BASELINE):
            loop[i] = polygon.contains(shapely.Point(base_lon[i], base_lat[i]))

    loop_s = best_of(per_point, repeats=1) * N_POINTS / N_BASELINE
    assert loop == inside[:N_BASELINE].tolist(), "vectorised and per-point answers differ"

    print(f"outline load + 100 m buffer + prepare (once per process): {load_s * 1000:.0f} ms")
    print(f"points: {N_POINTS:,}, in Poland: {inside.mean():.1%}")
    print(f"{'method':58s} {'s':>8s} {'points/s':>12s}")
    print(
        f"{'energy.geo.in_poland (contains_xy, prepared)':58s} {vector_s:8.3f} {N_POINTS / vector_s:12,.0f}"
    )
    label = f"Polygon.contains(Point) loop, {N_BASELINE:,} points scaled"
    print(f"{label:58s} {loop_s:8.3f} {N_POINTS / loop_s:12,.0f}")
    print(f"speed-up: {loop_s / vector_s:.0f}x")


if __name__ == "__main__":
    main()
