"""Turn an engine :class:`~integration.readiness.result.ReadinessResult` into stored score rows.

No scoring maths here: scores, ranks, coverage and intervals come from the engine. Pillar intervals
are the engine's Monte Carlo (:func:`integration.uncertainty.run_uncertainty`) run with each pillar
as its target, under the same specification as :meth:`ReadinessResult.add_uncertainty` (same seed,
so the overall and the pillar intervals come from the same draws of weights and methods).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from integration.readiness.result import ROOT, ReadinessResult
from integration.uncertainty import UncertaintySpec, run_uncertainty

DETAIL_MAX_UNITS = 25  # full per-unit explanation (to_dict) is stored for small runs only


def config_hash(framework_hash: str, request: dict) -> str:
    """SHA-256 (hex) of the framework hash and the scoring request (scenario, weights, methods, runs)."""
    keys = ("scenario", "weights", "methods", "uncertainty_runs")
    payload = {"framework": framework_hash, **{k: request.get(k) for k in keys}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def pillar_intervals(result: ReadinessResult, runs: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """5th/95th percentile of each pillar's score over ``runs`` Monte Carlo draws [0-100]."""
    cfg = result.index.config.normalise
    nominal = {"method": cfg.method, **cfg.params}
    if cfg.per_indicator:
        nominal["per_indicator"] = cfg.per_indicator
    out = {}
    for pillar in result.framework.pillars.index:
        spec = UncertaintySpec(
            n_runs=runs,
            normalisations=(nominal, {"method": "minmax", "range": [0, 100]}),
            aggregations=(result.index.config.aggregate.method,),
            sensitivity=False,
            seed=seed,
            target=pillar,
        )
        out[pillar] = run_uncertainty(result.index, spec).scores[["p05", "p95"]]
    return out


def _num(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 4) for v in values]


def _codes(mask: pd.DataFrame) -> list[list[str]]:
    cols = np.asarray(mask.columns)
    return [cols[row].tolist() for row in mask.to_numpy(dtype=bool)]


def score_rows(result: ReadinessResult, population: pd.Series | None = None) -> list[dict]:
    """One dict per unit, ready for :class:`service.readiness.models.ReadinessScore`.

    Matrix work is vectorised over units; only the final per-unit JSON dicts are built row by row.
    """
    scores = result.scores
    units = scores.index
    cov = result.coverage
    intervals = result.intervals
    pil_iv = pillar_intervals(result, result.runs) if result.runs else {}
    pillar_of = cov.pillar_of
    present_by_pillar = cov.present.T.groupby(pillar_of).sum().T.reindex(index=units)
    total_by_pillar = pillar_of.value_counts()
    overall = scores[ROOT].to_numpy(float)
    low = intervals["score_p05"].reindex(units).to_numpy(float) if intervals is not None else overall
    high = intervals["score_p95"].reindex(units).to_numpy(float) if intervals is not None else overall
    pillar_cols = {}
    for p in result.framework.pillars.index:
        s = scores[p].to_numpy(float)
        iv = pil_iv.get(p)
        pillar_cols[p] = (
            _num(s),
            _num(iv["p05"].reindex(units).to_numpy(float) if iv is not None else s),
            _num(iv["p95"].reindex(units).to_numpy(float) if iv is not None else s),
            present_by_pillar[p].fillna(0).astype(int).tolist()
            if p in present_by_pillar
            else [0] * len(units),
            int(total_by_pillar.get(p, 0)),
        )
    years = cov.year.reindex(units)
    min_year, max_year = _num(years.min(axis=1).to_numpy(float)), _num(years.max(axis=1).to_numpy(float))
    imputed, stale, missing = _codes(cov.imputed), _codes(cov.stale), _codes(~cov.present & ~cov.imputed)
    n_present = cov.present.sum(axis=1).astype(int).tolist()
    ranks = result.index.ranks[ROOT].reindex(units).to_numpy(float)
    pop = population.reindex(units).to_numpy(float) if population is not None else np.full(len(units), np.nan)
    detail = len(units) <= DETAIL_MAX_UNITS
    rows = []
    for i, teryt in enumerate(units):  # serialisation of already computed matrices, one dict per unit
        pillars = {
            p: {"score": c[0][i], "interval_low": c[1][i], "interval_high": c[2][i],
                "indicators_present": c[3][i], "indicators_total": c[4]}
            for p, c in pillar_cols.items()
        }  # fmt: skip
        rows.append(
            {
                "teryt": teryt,
                "score": None if not np.isfinite(overall[i]) else round(float(overall[i]), 4),
                "rank": None if not np.isfinite(ranks[i]) else int(ranks[i]),
                "pillars": {
                    "overall": {
                        "score": _num(overall[i : i + 1])[0],
                        "interval_low": _num(low[i : i + 1])[0],
                        "interval_high": _num(high[i : i + 1])[0],
                    },
                    **pillars,
                },  # fmt: skip
                "coverage": {
                    "indicators_present": n_present[i],
                    "indicators_total": int(cov.present.shape[1]),
                    "imputed": imputed[i],
                    "stale": stale[i],
                    "missing": missing[i],
                    "uncertainty_runs": result.runs,
                },
                "vintage": {
                    "min_year": None if (y0 := min_year[i]) is None else int(y0),
                    "max_year": None if (y1 := max_year[i]) is None else int(y1),
                    "population_persons": None if not np.isfinite(pop[i]) else float(pop[i]),
                },
                "detail": result.to_dict(teryt) if detail else None,
            }
        )
    return rows
