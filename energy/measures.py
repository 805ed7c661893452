"""Measure catalogue: unit costs, lifetimes and targets of retrofit measures.

The catalogue lives in ``energy/data/measures.csv`` (one row per measure, with source and year per
value; engineering defaults are flagged in ``is_default``) and sizing/geometry defaults in
``energy/data/measures_parameters.csv``. A city or advisor can override any price and add its own
measures per request::

    cat = load_catalogue(overrides={"pv": {"unit_cost_pln": 3600}},
                         extra_measures=[{"measure_id": "solar_thermal", "category": "custom", ...}])

Cost of a measure in a building: ``fixed_cost_pln + unit_cost_pln * quantity`` where the quantity is the
``cost_basis`` of the measure (wall / roof / window area [m2], heat load [kW], PV [kWp], heated floor
area [m2]), computed by :mod:`energy.packages`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from energy.errors import EnergyError
from energy.pv.value import micro_installation_max_kw

COST_BASES = (
    "wall_area_m2",
    "roof_area_m2",
    "window_area_m2",
    "heat_load_kw",
    "pv_kwp",
    "floor_area_m2",
    "per_building",
)
CATEGORIES = ("wall", "roof", "window", "heat_source", "ventilation", "pv", "led", "bms", "custom")
NUMERIC_FIELDS = ("unit_cost_pln", "fixed_cost_pln", "lifetime_years", "target_u_w_m2k")
DATA_DIR = Path(__file__).parent / "data"
REQUIRED_FIELDS = ("measure_id", "category", "cost_basis", "unit_cost_pln", "lifetime_years")


class MeasureCatalogueError(EnergyError):
    """A measure, override or parameter is invalid; the message names the measure and field."""


@dataclass(frozen=True)
class Catalogue:
    """Measures and the sizing parameters used to price them.

    Attributes
    ----------
    measures : DataFrame
        Indexed by ``measure_id``; columns ``name, category, cost_basis, unit_cost_pln [PLN per unit of
        cost_basis], fixed_cost_pln [PLN per building], lifetime_years [a], target_u_w_m2k [W/(m2 K)],
        heating_system, source, year, is_default``.
    parameters : dict
        Geometry and sizing defaults (name -> float or str), see ``measures_parameters.csv``.
    """

    measures: pd.DataFrame
    parameters: dict

    def cost_pln(self, measure_id: str, quantity):
        """Cost [PLN] of ``measure_id`` for ``quantity`` units of its cost basis (broadcasts)."""
        row = self.measures.loc[measure_id]
        return row["fixed_cost_pln"] + row["unit_cost_pln"] * quantity

    def param(self, name: str) -> float:
        """Numeric sizing parameter ``name`` (KeyError-safe message)."""
        if name not in self.parameters:
            raise MeasureCatalogueError(f"parameters: missing parameter {name!r}")
        return float(self.parameters[name])


def _read_data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / name)


def _as_number(value, measure_id: str, field: str, *, allow_nan: bool = False) -> float:
    if isinstance(value, bool):
        raise MeasureCatalogueError(f"measure {measure_id!r}, field {field!r}: {value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MeasureCatalogueError(
            f"measure {measure_id!r}, field {field!r}: {value!r} is not a number"
        ) from None
    if math.isnan(number) and not allow_nan:
        raise MeasureCatalogueError(f"measure {measure_id!r}, field {field!r}: value is missing (NaN)")
    if math.isinf(number):
        raise MeasureCatalogueError(f"measure {measure_id!r}, field {field!r}: value is infinite")
    return number


def validate_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """Check types and ranges of a measure table and return it with numeric columns as float.

    Raises
    ------
    MeasureCatalogueError
        Naming the measure and field: non-numeric or negative price, lifetime <= 0, unknown cost basis
        or category, a target U-value <= 0, duplicate ids.
    """
    out = measures.copy()
    if out.index.has_duplicates:
        dup = out.index[out.index.duplicated()].tolist()
        raise MeasureCatalogueError(f"measure_id: duplicate ids {dup}")
    for field in NUMERIC_FIELDS:
        out[field] = [
            _as_number(v, mid, field, allow_nan=field in ("target_u_w_m2k", "fixed_cost_pln"))
            for mid, v in zip(out.index, out[field], strict=True)
        ]
    out["fixed_cost_pln"] = out["fixed_cost_pln"].fillna(0.0)
    checks = [
        ("unit_cost_pln", out["unit_cost_pln"] < 0, "must be >= 0"),
        ("fixed_cost_pln", out["fixed_cost_pln"] < 0, "must be >= 0"),
        ("lifetime_years", out["lifetime_years"] <= 0, "must be > 0"),
        ("target_u_w_m2k", out["target_u_w_m2k"] <= 0, "must be > 0"),
        ("cost_basis", ~out["cost_basis"].isin(COST_BASES), f"must be one of {COST_BASES}"),
        ("category", ~out["category"].isin(CATEGORIES), f"must be one of {CATEGORIES}"),
    ]
    for field, bad, reason in checks:
        if bad.any():
            mid = bad[bad].index[0]
            raise MeasureCatalogueError(f"measure {mid!r}, field {field!r}: {out.at[mid, field]!r} {reason}")
    return out


def programme_catalogue() -> pd.DataFrame:
    """Co-financing programmes with their default rule parameters, source, year and confidence
    (``data/measures_programmes.csv``): what an advisor picks from."""
    return _read_data("measures_programmes.csv")


def load_catalogue(
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    extra_measures: Iterable[Mapping[str, object]] | pd.DataFrame | None = None,
    parameter_overrides: Mapping[str, object] | None = None,
) -> Catalogue:
    """Load the packaged catalogue, apply per-request price overrides and add custom measures.

    Parameters
    ----------
    overrides : mapping, optional
        ``{measure_id: {field: value}}``, e.g. ``{"pv": {"unit_cost_pln": 3600}}`` [PLN/kWp].
    extra_measures : iterable of mappings or DataFrame, optional
        Custom measures with at least ``measure_id, category, cost_basis, unit_cost_pln,
        lifetime_years``. Custom measures are priced like the others; they enter packages only through
        audited variants or an explicit package list.
    parameter_overrides : mapping, optional
        Overrides of ``measures_parameters.csv`` values, e.g. ``{"pv_max_kwp": 100}``.

    Returns
    -------
    Catalogue

    Raises
    ------
    MeasureCatalogueError
        Unknown measure or field in an override, bad values (see :func:`validate_measures`).
    """
    measures = _read_data("measures.csv").set_index("measure_id")
    measures["is_default"] = measures["is_default"].astype(str)
    for mid, fields in (overrides or {}).items():
        if mid not in measures.index:
            raise MeasureCatalogueError(f"overrides: unknown measure {mid!r}")
        for field, value in fields.items():
            if field not in measures.columns:
                raise MeasureCatalogueError(f"overrides[{mid!r}]: unknown field {field!r}")
            measures[field] = measures[field].astype(object)
            measures.at[mid, field] = value
            measures.at[mid, "source"] = "per-request override"
    if extra_measures is not None:
        extra = pd.DataFrame(extra_measures)
        missing = [f for f in REQUIRED_FIELDS if f not in extra.columns]
        if missing:
            raise MeasureCatalogueError(f"extra_measures: missing fields {missing}")
        extra = extra.set_index("measure_id")
        clash = extra.index.intersection(measures.index).tolist()
        if clash:
            raise MeasureCatalogueError(f"extra_measures: ids {clash} already in the catalogue")
        # object first: a source column absent from the request is all-NaN float, which a text fill
        # would upcast (deprecated in pandas 3)
        extra = extra.reindex(columns=measures.columns).astype(object)
        extra["source"] = extra["source"].fillna("per-request custom measure")
        measures = pd.concat([measures.astype(object), extra])
    measures = validate_measures(measures)

    params_df = _read_data("measures_parameters.csv")
    parameters: dict = {}
    for name, value in zip(params_df["name"], params_df["value"], strict=True):
        try:
            parameters[name] = float(value)
        except ValueError:
            parameters[name] = value
    # The PV package cap is the micro-installation limit the valuation uses (one constant, one data file).
    parameters["pv_max_kwp"] = micro_installation_max_kw()
    for name, value in (parameter_overrides or {}).items():
        if name not in parameters:
            raise MeasureCatalogueError(f"parameter_overrides: unknown parameter {name!r}")
        parameters[name] = (
            value if isinstance(parameters[name], str) else _as_number(value, "parameters", name)
        )
    return Catalogue(measures=measures, parameters=parameters)
