"""Arrival scenarios and the needs they create.

An :class:`ArrivalScenario` says how many people arrive, which shares of them are children of
each school stage, and how many live in one household. :func:`scenario_needs` turns it into
needs: dwellings, primary-school and preschool places, secondary places, primary-care patients
and social-work cases. Defaults for refugees from Ukraine come from
``integration/data/readiness/scenario_defaults.csv`` (sources there).

Notes
-----
For arrivals :math:`A`, household size :math:`h`, stage shares :math:`s_k` and enrolment
shares :math:`e_k`::

    dwellings             = A / h
    primary places        = A * s_primary * e_primary        (ages 7-14)
    preschool places      = A * s_preschool * e_preschool    (ages 3-6)
    secondary places      = A * s_secondary                  (ages 15-17)
    primary-care patients = A                                (everyone registers with a POZ doctor)
    social-work cases     = A / h                            (one case = one household, upper bound)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from integration.readiness.framework import DATA_DIR, ReadinessInputError

NEED_COLUMNS = (
    "dwellings",
    "primary_places",
    "preschool_places",
    "secondary_places",
    "primary_care_patients",
    "social_work_cases",
)


@lru_cache(maxsize=1)
def scenario_defaults() -> pd.DataFrame:
    """Sourced scenario defaults (index ``key``; columns ``value, unit, source, year, note``)."""
    return pd.read_csv(DATA_DIR / "scenario_defaults.csv").set_index("key")


def _default(key: str) -> float:
    return float(scenario_defaults().at[key, "value"])


class ArrivalScenario(BaseModel):
    """An arrival scenario for one municipality.

    Parameters
    ----------
    arrivals : float
        New residents [persons], >= 0.
    preschool_share, primary_share, secondary_share : float
        Shares of arrivals aged 3-6, 7-14 and 15-17 [-], each in [0, 1], sum <= 1.
    household_size : float
        Mean household size of arrivals [persons per household], > 0.
    preschool_enrolment_share, primary_enrolment_share : float
        Shares of the age group that take up a place [-], in [0, 1].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    arrivals: float = Field(ge=0, allow_inf_nan=False)
    preschool_share: float = Field(default_factory=lambda: _default("preschool_share"), ge=0, le=1)
    primary_share: float = Field(default_factory=lambda: _default("primary_share"), ge=0, le=1)
    secondary_share: float = Field(default_factory=lambda: _default("secondary_share"), ge=0, le=1)
    household_size: float = Field(
        default_factory=lambda: _default("household_size"), gt=0, allow_inf_nan=False
    )
    preschool_enrolment_share: float = Field(
        default_factory=lambda: _default("preschool_enrolment_share"), ge=0, le=1
    )
    primary_enrolment_share: float = Field(
        default_factory=lambda: _default("primary_enrolment_share"), ge=0, le=1
    )

    @model_validator(mode="after")
    def _shares_sum(self) -> ArrivalScenario:
        total = self.preschool_share + self.primary_share + self.secondary_share
        if total > 1.0 + 1e-9:
            raise ValueError(f"preschool_share + primary_share + secondary_share = {total:.4f} exceeds 1")
        return self

    @classmethod
    def ukraine_default(cls, arrivals: float) -> ArrivalScenario:
        """Scenario with the sourced defaults for refugees from Ukraine (PIE 2023 / PESEL-UKR)."""
        return cls.build(arrivals=arrivals)

    @classmethod
    def build(cls, **fields: float) -> ArrivalScenario:
        """Validate fields into a scenario, raising :class:`ReadinessInputError` naming the field."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "scenario"
            raise ReadinessInputError(f"scenario field {where!r}: {first['msg']}") from exc

    def with_arrivals(self, arrivals: float) -> ArrivalScenario:
        """Same scenario with another number of arrivals."""
        return type(self).build(**{**self.model_dump(), "arrivals": arrivals})


def needs_per_arrival(scenario: ArrivalScenario) -> pd.Series:
    """Needs created by one arriving person [unit of need per person], indexed by need name."""
    per_household = 1.0 / scenario.household_size
    return pd.Series(
        {
            "dwellings": per_household,
            "primary_places": scenario.primary_share * scenario.primary_enrolment_share,
            "preschool_places": scenario.preschool_share * scenario.preschool_enrolment_share,
            "secondary_places": scenario.secondary_share,
            "primary_care_patients": 1.0,
            "social_work_cases": per_household,
        }
    )


def scenario_needs(scenario: ArrivalScenario, arrivals: float | np.ndarray | None = None) -> pd.DataFrame:
    """Needs of a scenario, optionally for many arrival numbers at once.

    Parameters
    ----------
    scenario : ArrivalScenario
    arrivals : float or array-like, optional
        Arrivals [persons] overriding ``scenario.arrivals`` (broadcast: one row per value).

    Returns
    -------
    pandas.DataFrame
        One row per arrivals value (index ``arrivals``), columns :data:`NEED_COLUMNS`
        (dwellings [dwellings], places [places], patients [persons], cases [households]).
    """
    counts = np.atleast_1d(np.asarray(scenario.arrivals if arrivals is None else arrivals, dtype=float))
    if (counts < 0).any() or not np.isfinite(counts).all():
        raise ReadinessInputError("arrivals: every value must be finite and >= 0")
    per_person = needs_per_arrival(scenario)
    table = np.outer(counts, per_person.to_numpy())
    return pd.DataFrame(table, columns=per_person.index, index=pd.Index(counts, name="arrivals"))
