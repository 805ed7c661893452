"""Capacity against need: spare capacity, headroom ratios and the arrivals at which a pillar breaks.

Spare capacity per unit comes from indicator values (rates per 1,000 or 10,000 residents times
population) and statutory norms (``norms.csv``)::

    spare dwellings        = vacant_municipal_dwellings_per_1000 * P / 1000
    spare primary places   = free_primary_places_per_1000 * P / 1000
    spare preschool places = free_preschool_places_per_1000 * P / 1000
    spare POZ list places  = primary_care_doctors_per_10k * P / 10000 * 2750 - P
    spare social work      = social_workers_per_10k * P / 10000 * 2000 - P    [inhabitants]

with P the population [persons]. Headroom = spare / need (1 = just enough). Since need grows
linearly with arrivals A, headroom < 1 exactly when A > spare / need_per_arrival: the breaking
point of each indicator, and of a pillar the smallest over its headroom indicators.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from integration.readiness.framework import DATA_DIR, Framework
from integration.readiness.scenario import ArrivalScenario, needs_per_arrival

# headroom indicator -> (capacity indicator, residents per rate unit, norm key or None, need name)
HEADROOM_SPEC = {
    "housing_headroom": ("vacant_municipal_dwellings_per_1000", 1_000.0, None, "dwellings"),
    "school_places_headroom": ("free_primary_places_per_1000", 1_000.0, None, "primary_places"),
    "preschool_places_headroom": ("free_preschool_places_per_1000", 1_000.0, None, "preschool_places"),
    "primary_care_headroom": (
        "primary_care_doctors_per_10k",
        10_000.0,
        "poz_patients_per_doctor",
        "primary_care_patients",
    ),
    # the staffing norm counts inhabitants: every arrival is one more inhabitant to cover
    "social_work_headroom": (
        "social_workers_per_10k",
        10_000.0,
        "inhabitants_per_social_worker",
        "inhabitants",
    ),
}


@lru_cache(maxsize=1)
def norms() -> pd.Series:
    """Statutory norms and caps from ``norms.csv`` (index ``key``, float values)."""
    return pd.read_csv(DATA_DIR / "norms.csv").set_index("key")["value"].astype(float)


def spare_capacity(wide: pd.DataFrame) -> pd.DataFrame:
    """Spare capacity per unit for each headroom indicator.

    Parameters
    ----------
    wide : pandas.DataFrame
        Units x indicator codes; must hold ``population`` [persons] and may hold the capacity
        indicators of :data:`HEADROOM_SPEC` (missing ones give NaN).

    Returns
    -------
    pandas.DataFrame
        Units x headroom indicator codes: spare capacity in the need's unit (dwellings, places,
        patients, inhabitants). NaN where population or the capacity indicator is missing.
    """
    population = wide["population"] if "population" in wide else pd.Series(np.nan, index=wide.index)
    spare = {}
    for code, (rate_code, per, norm_key, _need) in HEADROOM_SPEC.items():
        rate = wide[rate_code] if rate_code in wide else pd.Series(np.nan, index=wide.index)
        providers = rate * population / per
        if norm_key is None:
            spare[code] = providers
        else:
            spare[code] = providers * norms()[norm_key] - population
    return pd.DataFrame(spare, index=wide.index)


def _need_per_arrival(scenario: ArrivalScenario) -> pd.Series:
    per_person = needs_per_arrival(scenario)
    per_person["inhabitants"] = 1.0
    return pd.Series({code: per_person[spec[3]] for code, spec in HEADROOM_SPEC.items()})


def headroom(wide: pd.DataFrame, scenario: ArrivalScenario) -> pd.DataFrame:
    """Headroom ratios (spare capacity / need) per unit under a scenario [-].

    Values are capped at ``norms.csv:headroom_cap`` (also where the need is zero) so that no
    infinity reaches the composite engine; negative values mean capacity is already short.
    """
    spare = spare_capacity(wide)
    need = _need_per_arrival(scenario) * scenario.arrivals
    cap = norms()["headroom_cap"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = spare / need
    ratio = ratio.where(~(spare.notna() & (need == 0)), cap)
    return ratio.clip(upper=cap)


def breaking_points(
    wide: pd.DataFrame,
    scenario: ArrivalScenario,
    framework: Framework,
    arrivals_grid: np.ndarray | None = None,
) -> pd.DataFrame:
    """Arrivals at which each pillar's headroom first falls below 1 ("which pillar breaks first").

    Parameters
    ----------
    wide : pandas.DataFrame
        Units x indicator codes (see :func:`spare_capacity`).
    scenario : ArrivalScenario
        Shares and household size; its ``arrivals`` is ignored.
    framework : Framework
        Gives the pillar of each headroom indicator.
    arrivals_grid : array-like, optional
        Candidate arrivals [persons]; if given, each pillar also reports the smallest grid value
        at which headroom < 1 (NaN if none in the grid).

    Returns
    -------
    pandas.DataFrame
        Index unit; columns ``<pillar>_breaks_at`` (exact arrivals [persons]: 0 if capacity is
        already short, inf if the pillar never breaks, NaN if no data), ``<pillar>_breaks_at_grid``
        when a grid is given, and ``first_to_break`` (pillar name or NaN).
    """
    spare = spare_capacity(wide)
    per_arrival = _need_per_arrival(scenario)
    with np.errstate(divide="ignore", invalid="ignore"):
        breaks = (spare / per_arrival).clip(lower=0.0)
    breaks = breaks.where(~(spare.notna() & (per_arrival == 0)), np.inf)
    pillar_of = framework.indicators.loc[list(HEADROOM_SPEC), "pillar"]
    by_pillar = breaks.T.groupby(pillar_of).min().T  # NaN skipped; all-NaN stays NaN
    result = by_pillar.add_suffix("_breaks_at")
    if arrivals_grid is not None:
        grid = np.sort(np.asarray(arrivals_grid, dtype=float))
        # first grid value strictly above the breaking point (headroom < 1 needs A > spare/need)
        idx = np.searchsorted(grid, by_pillar.to_numpy(), side="right")
        values = np.where(idx < grid.size, grid[np.minimum(idx, grid.size - 1)], np.nan)
        values = np.where(np.isnan(by_pillar.to_numpy()), np.nan, values)
        grid_frame = pd.DataFrame(values, index=by_pillar.index, columns=by_pillar.columns)
        result = result.join(grid_frame.add_suffix("_breaks_at_grid"))
    has_any = by_pillar.notna().any(axis=1)
    first = by_pillar.fillna(np.inf).idxmin(axis=1).where(has_any)
    result["first_to_break"] = first
    return result
