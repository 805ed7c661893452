"""District heat by network: w_i and CO2 factor per building from its network.

One w_i of 0.8 (CHP) for every network understates EP of heat-only coal networks by up to 38 %.
Each building (column ``district_heat_network``, or declared ``district_heat_w_primary`` /
``district_heat_co2_kg_per_kwh``) or the assessment (``AssessmentParams.district_heat_network``, or
the ``w_primary`` / ``co2_kg_per_kwh`` overrides for ``district_heat``) names its network. Precedence:
building declared value > building network type > assessment declared value > assessment network type >
the carrier table default (CHP coal or gas). Types and the regulation's values (Dz.U. 2015 poz. 376 as
amended by Dz.U. 2023 poz. 697, zal. 1 tab. 1): ``energy/data/district_heat_networks.csv``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from energy.errors import ParameterError

FIELDS = {"w_primary": "district_heat_w_primary", "co2_kg_per_kwh": "district_heat_co2_kg_per_kwh"}
TYPE_COLUMN = "district_heat_network"


@lru_cache(maxsize=1)
def network_table() -> pd.DataFrame:
    """Long table (network_type, parameter, value, unit, source, source_year, grade)."""
    with resources.files("energy.data").joinpath("district_heat_networks.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh)


def network_types() -> list[str]:
    return sorted(network_table()["network_type"].unique())


def _type_values(parameter: str) -> pd.Series:
    t = network_table()
    return t[t["parameter"] == parameter].set_index("network_type")["value"].astype(float)


def _check_type(name, where: str, parameter: str, declared: bool) -> None:
    if name not in network_types():
        raise ParameterError(f"{where}: unknown network type {name!r}, expected one of {network_types()}")
    if not declared and not np.isfinite(_type_values(parameter)[name]):
        raise ParameterError(
            f"{where}: the regulation gives no {parameter} for {name!r}; declare the network's value "
            f"({FIELDS[parameter]})"
        )


def _check_building_types(buildings, types: pd.Series, parameter: str, declared: np.ndarray) -> None:
    """Unknown types, or a type without a regulation value and no declared one, raise naming the row."""
    named = types.notna().to_numpy()
    known = types.isin(network_types()).to_numpy()
    no_value = named & known & ~declared
    no_value &= ~np.isfinite(_type_values(parameter).reindex(types.fillna("").to_numpy()).to_numpy(float))
    for bad, reason in ((named & ~known, f"unknown network type, expected one of {network_types()}"),
                        (no_value, f"the regulation gives no {parameter}; declare {FIELDS[parameter]}")):  # fmt: skip
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ParameterError(
                f"row {i} (building '{buildings['building_id'].iloc[i]}'), field {TYPE_COLUMN}: "
                f"{types.iloc[i]!r}: {reason}"
            )


def validate_network(network: str | None, declared: frozenset = frozenset()) -> None:
    """Check an assessment-wide network type (raises ParameterError naming ``district_heat_network``)."""
    if network is not None:
        for parameter in FIELDS:
            _check_type(network, "district_heat_network", parameter, parameter in declared)


def _building_values(buildings: pd.DataFrame, parameter: str, limit: float):
    """Declared values per building (NaN where not given); bad values raise naming the row."""
    col = FIELDS[parameter]
    if col not in buildings:
        return np.full(len(buildings), np.nan)
    raw = buildings[col]
    values = pd.to_numeric(raw, errors="coerce")
    bad = (raw.notna() & values.isna()) | (values < 0) | (values > limit)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ParameterError(
            f"row {i} (building '{buildings['building_id'].iloc[i]}'), field {col}: {raw.iloc[i]!r} "
            f"must be a number in [0, {limit:g}]"
        )
    return values.to_numpy(float)


def network_factors(buildings: pd.DataFrame, factors: pd.DataFrame, *, network: str | None = None,
                    declared: frozenset = frozenset(), limits: dict | None = None) -> pd.DataFrame:  # fmt: skip
    """District-heat w_i [-] and CO2 factor [kg/kWh] per building, and what they came from.

    Parameters
    ----------
    buildings : DataFrame with ``building_id`` and optionally the columns named in the module docstring.
    factors : carrier table (``energy.carriers.carrier_factors``), overrides already applied.
    network : assessment-wide network type, optional.
    declared : parameters ("w_primary", "co2_kg_per_kwh") the assessment overrode for district heat.
    limits : upper bounds per parameter (the carrier override ceilings).

    Returns
    -------
    DataFrame (n,) with ``district_heat_w_primary``, ``district_heat_co2_kg_per_kwh`` and
    ``district_heat_factor_source`` (e.g. "network heat_only_coal (Dz.U. 2023 poz. 697)").
    """
    limits = limits or {"w_primary": 5.0, "co2_kg_per_kwh": 2.0}
    n = len(buildings)
    types = (
        buildings[TYPE_COLUMN].astype("string").str.strip().replace("", pd.NA)
        if TYPE_COLUMN in buildings
        else pd.Series(pd.NA, index=buildings.index, dtype="string")
    )
    out = pd.DataFrame(index=buildings.index)
    sources = np.full(n, "carrier table default (CHP coal or gas)", dtype=object)
    validate_network(network, declared)
    if network is not None:
        sources[:] = f"assessment network {network}"
    for parameter, col in FIELDS.items():
        base = float(factors.loc["district_heat", parameter])
        if network is not None and parameter not in declared:
            base = float(_type_values(parameter)[network])
        value = np.full(n, base)
        own = _building_values(buildings, parameter, limits[parameter])
        _check_building_types(buildings, types, parameter, np.isfinite(own))
        typed = types.notna().to_numpy()
        if typed.any():
            value[typed] = _type_values(parameter).reindex(types[typed].to_numpy()).to_numpy(float)
        value = np.where(np.isfinite(own), own, value)
        out[col] = value
    typed = types.notna().to_numpy()
    sources[typed] = "building network " + types[typed].astype(str).to_numpy(object)
    own_any = np.isfinite(_building_values(buildings, "w_primary", limits["w_primary"])) | np.isfinite(
        _building_values(buildings, "co2_kg_per_kwh", limits["co2_kg_per_kwh"])
    )
    sources[own_any] = "building declared values"
    out["district_heat_factor_source"] = sources
    return out
