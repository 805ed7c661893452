"""Readiness scores: framework + indicator data (+ scenario) -> composite engine -> scores with context.

The maths of normalisation, imputation, aggregation and ranking is the composite engine's
(:mod:`integration.composite`); this module builds its inputs (``iData``/``iMeta``/configuration)
from the framework, adds the headroom indicators of a scenario, and wraps the result with
coverage, vintage, peer views and an explanation.

Default method: target-based goalposts normalisation (each indicator to [0, 100] between its
goalposts, so a city's score never depends on another city's data), arithmetic means from
indicators to pillars to the overall score, no imputation unless the framework or ``methods``
asks for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from integration.composite import CompositeInputError, run_pipeline
from integration.readiness.capacity import HEADROOM_SPEC, breaking_points, headroom
from integration.readiness.coverage import compute_coverage
from integration.readiness.framework import Framework, ReadinessInputError, load_framework
from integration.readiness.result import ROOT, ReadinessResult
from integration.readiness.scenario import ArrivalScenario
from integration.readiness.values import latest_values, load_cities, size_class, validate_values

METHOD_KEYS = {
    "normalisation",
    "aggregation",
    "impute",
    "impute_group",
    "max_age_years",
    "reference_year",
    "peer_group",
}


def _check_methods(methods: dict | None) -> dict:
    methods = dict(methods or {})
    unknown = sorted(set(methods) - METHOD_KEYS)
    if unknown:
        raise ReadinessInputError(
            f"methods key {unknown[0]!r} unknown; expected one of {sorted(METHOD_KEYS)}"
        )
    return methods


def _wide(values: pd.DataFrame, column: str, codes: list[str]) -> pd.DataFrame:
    table = values.pivot(index="teryt", columns="indicator", values=column)
    return table.reindex(columns=codes).astype(float)


def _groups(teryt: pd.Index, population: pd.Series) -> pd.DataFrame:
    cities = load_cities().reindex(teryt)
    functional = np.where(
        cities["ump_member"] == "1",
        "ump_metropolis",
        # numpy's stubs reject None as a where() operand; at run time it gives an object array.
        np.where(cities["ump_member"] == "0", "city_powiat", None),  # type: ignore[call-overload]
    )
    return pd.DataFrame(
        {"size_class": size_class(population.reindex(teryt)), "functional_type": functional}, index=teryt
    )


def _meta(framework: Framework, active: list[str]) -> pd.DataFrame:
    ind = framework.indicators.loc[active]
    rows = pd.DataFrame(
        {
            "iCode": active,
            "iName": ind["name_en"].to_numpy(),
            "Level": 1,
            "Parent": ind["pillar"].to_numpy(),
            "Weight": ind["weight"].to_numpy(dtype=float),
            "Direction": ind["direction"].to_numpy(dtype=float),
            "Type": "Indicator",
        }
    )
    pillars = pd.DataFrame(
        {
            "iCode": framework.pillars.index,
            "iName": framework.pillars["name_en"].to_numpy(),
            "Level": 2,
            "Parent": ROOT,
            "Weight": framework.pillars["weight"].to_numpy(dtype=float),
            "Direction": 1.0,
            "Type": "Aggregate",
        }
    )
    root = pd.DataFrame([{"iCode": ROOT, "iName": "Readiness", "Level": 3, "Parent": None, "Weight": 1.0}])
    groups = pd.DataFrame({"iCode": ["size_class", "functional_type"], "Type": "Group"})
    return pd.concat([rows, pillars, root.assign(Direction=1.0, Type="Aggregate"), groups], ignore_index=True)


def _config(framework: Framework, active: list[str], methods: dict, weights: dict | None) -> dict:
    low, high = framework.meta.get("normalisation_range", [0, 100])
    norm_method = methods.get("normalisation", framework.meta.get("normalisation", "goalposts"))
    posts = framework.indicators.loc[active, ["goalpost_min", "goalpost_max"]]
    normalise: dict = {"method": norm_method}
    if norm_method in ("goalposts", "n_goalposts"):
        # COINr goalposts give [0, scale]; the framework's range starts at 0
        normalise["per_indicator"] = {
            code: {"goalposts": [float(r.goalpost_min), float(r.goalpost_max), float(high - low)]}
            for code, r in posts.iterrows()
        }
    elif norm_method in ("minmax", "n_minmax"):
        normalise["range"] = [low, high]
    impute = methods.get("impute")
    per_impute = framework.indicators.loc[active, "impute"]
    if isinstance(impute, dict):
        per_impute = per_impute.copy()
        for code, m in impute.items():
            if code not in per_impute.index:
                raise ReadinessInputError(f"methods.impute key {code!r} is not an active indicator")
            per_impute[code] = m
        impute = None
    impute_cfg = {
        "method": impute or "none",
        "group": methods.get("impute_group", "size_class"),
        "per_indicator": {} if impute else {c: m for c, m in per_impute.items() if m != "none"},
    }
    config = {
        "impute": impute_cfg,
        "normalise": normalise,
        "aggregate": {"method": methods.get("aggregation", framework.meta.get("aggregation", "arithmetic"))},
        "ranks": {"groups": ["size_class", "functional_type"]},
        "levels": {1: "Indicator", 2: "Pillar", 3: "Index"},
    }
    if weights:
        unknown = [k for k in weights if k not in active and k not in framework.pillars.index]
        if unknown:
            raise ReadinessInputError(f"weights key {unknown[0]!r} is not an active indicator or a pillar")
        config["weights"] = dict(weights)
    return config


def compute_readiness(
    values_long: pd.DataFrame,
    scenario: ArrivalScenario | None = None,
    framework: Framework | None = None,
    weights: dict | None = None,
    methods: dict | None = None,
    uncertainty_runs: int = 0,
) -> ReadinessResult:
    """Readiness scores of every unit in ``values_long``.

    Parameters
    ----------
    values_long : pandas.DataFrame
        Long table ``teryt, indicator, value, year, source`` (the latest year per indicator is used).
    scenario : ArrivalScenario, optional
        Adds the headroom indicators (housing, school, preschool, primary care, social work) and
        breaking points; without it they are left out of the tree (not counted as missing).
    framework : Framework, optional
        Default :func:`load_framework`.
    weights : dict, optional
        Indicator or pillar code -> weight, overriding the framework's.
    methods : dict, optional
        ``normalisation`` (goalposts | minmax | zscore | prank | ...), ``aggregation``
        (arithmetic | geometric | harmonic), ``impute`` (a method for all, or code -> method),
        ``impute_group``, ``max_age_years``, ``reference_year``, ``peer_group``.
    uncertainty_runs : int
        Monte Carlo runs for score/rank intervals (0 = none).

    Raises
    ------
    ReadinessInputError
        Bad values (row and field named), unknown method or weight key, invalid scenario.
    """
    framework = framework or load_framework()
    methods = _check_methods(methods)
    if scenario is not None and not isinstance(scenario, ArrivalScenario):
        raise ReadinessInputError("scenario: expected an ArrivalScenario or None")
    if int(uncertainty_runs) < 0:
        raise ReadinessInputError(f"uncertainty_runs: must be >= 0, got {uncertainty_runs}")
    clean = latest_values(validate_values(values_long, framework))
    scored = framework.scored
    active = [c for c in scored.index if scenario is not None or scored.at[c, "role"] != "headroom"]
    aux = framework.indicators.index[framework.indicators["role"] == "auxiliary"].tolist()
    all_codes = active + aux
    wide = _wide(clean, "value", all_codes)
    years = _wide(clean, "year", all_codes)
    heads = None
    if scenario is not None:
        heads = headroom(wide, scenario)
        wide[heads.columns] = heads
        for code, (rate, *_rest) in HEADROOM_SPEC.items():  # vintage of a headroom = its oldest input
            years[code] = years[[rate, "population"]].min(axis=1, skipna=False)
    present = wide[active].notna()
    groups = _groups(wide.index, wide["population"])
    i_data = pd.concat([wide[active], groups], axis=1).rename_axis("uCode").reset_index()
    try:
        index = run_pipeline(i_data, _meta(framework, active), _config(framework, active, methods, weights))
    except CompositeInputError as exc:
        raise ReadinessInputError(f"composite engine: {exc}") from exc
    impute_methods = index.config.impute.per_indicator if index.config.impute else {}
    default_impute = index.config.impute.method if index.config.impute else "none"
    coverage = compute_coverage(
        present,
        years[active],
        index.imputed.reindex(columns=active) if index.imputed is not None else None,
        {c: impute_methods.get(c, default_impute) for c in active},
        framework.indicators.loc[active, "pillar"],
        int(methods.get("reference_year", framework.meta["reference_year"])),
        int(methods.get("max_age_years", framework.meta["max_age_years"])),
    )
    breaks = breaking_points(wide, scenario, framework) if scenario is not None else None
    result = ReadinessResult(
        framework=framework,
        scenario=scenario,
        index=index,
        raw=wide,
        coverage=coverage,
        groups=groups,
        headroom=heads,
        breaking=breaks,
        peer_group=methods.get("peer_group", "size_class"),
    )
    if uncertainty_runs:
        result.add_uncertainty(int(uncertainty_runs))
    return result
