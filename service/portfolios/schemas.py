"""Pydantic in/out models of portfolios, frontiers and comparisons.

Types and shapes are checked here; the rules between fields (budget > 0, horizon 1..100, forced
buildings that exist, contradictory rules) by ``energy.portfolio.validate_problem`` at submission.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
)
from typing_extensions import TypedDict

from energy.measures import load_catalogue
from service import example_ids as demo_ids
from service.jobs.schemas import JobOut

# A portfolio id as the API writes it (lowercase, with hyphens): then "distinct" means distinct text,
# which is what the schema's uniqueItems can say.
UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
COMPARE_IDS_TEXT = re.compile(f"{UUID_TEXT}(,{UUID_TEXT}){{1,9}}")


def _distinct_ids(text: str) -> str:
    if not COMPARE_IDS_TEXT.fullmatch(text):
        raise ValueError(
            "give 2 to 10 portfolio ids (lowercase UUIDs as the API writes them), comma-separated"
        )
    ids = text.split(",")
    if len(set(ids)) != len(ids):
        raise ValueError(f"the ids must be distinct; {len(ids) - len(set(ids))} repeated")
    return text


# The compare routes' ``ids``: FastAPI checks it as text; the schema shows it as what it is, an
# array written comma-separated (style form, explode false) of 2..10 unique UUIDs.
CompareIds = Annotated[str, Query(include_in_schema=False), AfterValidator(_distinct_ids)]
COMPARE_IDS_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "ids",
            "in": "query",
            "required": True,
            "style": "form",
            "explode": False,
            "description": "2..10 distinct portfolio ids, comma-separated",
            "schema": {
                "type": "array",
                "items": {"type": "string", "pattern": f"^{UUID_TEXT}$"},
                "minItems": 2,
                "maxItems": 10,
                "uniqueItems": True,
            },
            "example": [str(demo_ids.PORTFOLIO_SMALL), str(demo_ids.PORTFOLIO_LARGE)],
        }
    ]
}

# The catalogue's measures (energy/data/measures.csv): the keys a price override may name.
if TYPE_CHECKING:
    MeasureId = str
else:  # a Literal of the catalogue's ids: the schema's propertyNames enum, and pydantic checks it
    MeasureId = Literal[tuple(load_catalogue().measures.index)]


class PriceOverride(TypedDict, total=False):
    """The numeric fields of a catalogue measure a request may change, with the catalogue's bounds."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    unit_cost_pln: Annotated[float, Field(ge=0)]
    fixed_cost_pln: Annotated[float, Field(ge=0)]
    lifetime_years: Annotated[float, Field(gt=0)]
    target_u_w_m2k: Annotated[float, Field(gt=0)]


Objective = Literal["max_co2", "max_npv", "max_primary_energy", "min_cost"]
Carrier = Literal["coal", "gas", "oil", "biomass", "district_heat", "electricity"]


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: str = Field(min_length=1, max_length=80, examples=["termomodernizacja_bgk"])
    share_of_eligible_cost: float = Field(ge=0, le=1, examples=[0.26])
    cap_per_building_pln: float | None = Field(None, ge=0, examples=[2_000_000])
    cap_total_pln: float | None = Field(None, ge=0)
    cap_multiple_of_yearly_savings: float | None = Field(None, ge=0, examples=[2.0])
    min_primary_energy_saving_share: float | None = Field(None, ge=0, examples=[0.3])
    thermo_bonus_rules: bool = False
    eligible_measures: list[str] = Field(
        default_factory=list, examples=[["wall_insulation", "roof_insulation"]]
    )


class AuditedVariantIn(BaseModel):
    """A variant from an energy audit; savings in PLN and CO2, or by carrier (valued with the carrier
    prices and factors of the engine, or of the assessment)."""

    model_config = ConfigDict(extra="forbid")

    building_id: str = Field(min_length=1, max_length=100, examples=["SP-24"])
    package_id: str = Field(min_length=1, max_length=100, examples=["audyt_2025_wariant_2"])
    capex_pln: float = Field(ge=0, examples=[3_400_000])
    lifetime_years: float = Field(gt=0, le=100, examples=[30])
    savings_pln_per_year: float | None = Field(None, examples=[210_000])
    co2_reduction_t_per_year: float | None = Field(None, examples=[180.5])
    primary_energy_savings_kwh_per_year: float | None = None
    final_energy_savings_kwh_per_year: float | None = None
    savings_kwh_per_year: dict[Carrier, float] = Field(
        default_factory=dict, examples=[{"district_heat": 350_000}]
    )
    measures: str | None = Field(None, examples=["wall_insulation+roof_insulation"])


# What energy.portfolio.audited_candidates can value: PLN and CO2 in every variant, or kWh by carrier
# in every variant (it then computes PLN, CO2 and primary energy for the whole table).
AUDITED_PLN_CO2: dict[str, Any] = {
    "required": ["savings_pln_per_year", "co2_reduction_t_per_year"],
    "properties": {
        "savings_pln_per_year": {"type": "number"},
        "co2_reduction_t_per_year": {"type": "number"},
    },
}
AUDITED_BY_CARRIER: dict[str, Any] = {
    "required": ["savings_kwh_per_year"],
    "properties": {
        "savings_kwh_per_year": {"minProperties": 1},  # a carrier left out of a variant saves 0 kWh
        "savings_pln_per_year": {"type": "null"},
        "co2_reduction_t_per_year": {"type": "null"},
    },
}

EXAMPLE_PLAN: dict[str, Any] = {
    "name": "Lublin 2026-2030, budżet 12 mln zł",
    "inventory_id": str(demo_ids.INVENTORY),
    "objective": "max_co2",
    "yearly_budgets_pln": [3_000_000, 3_000_000, 3_000_000, 3_000_000],
    "programmes": [
        {
            "programme_id": "thermo_bonus_2024",
            "share_of_eligible_cost": 0.26,
            "cap_per_building_pln": 1_500_000,
        }
    ],
    "forced_in_buildings": ["LUB-SP-011"],
    "price_overrides": {"pv": {"unit_cost_pln": 3600}},
}


def _given(field: str, kind: str) -> dict[str, Any]:
    """JSON Schema: ``field`` is present and not null (``required`` alone lets ``null`` through)."""
    return {"required": [field], "properties": {field: {"type": kind}}}


# Rules between fields that the schema states (``energy.portfolio.validate_problem`` enforces them):
# what to build on, and something to choose from.
SOURCE_RULES: list[dict[str, Any]] = [
    {"anyOf": [_given("inventory_id", "string"), _given("assessment_id", "string")]},
    {"anyOf": [{"not": {"required": ["include_generated"], "properties": {"include_generated": {"const": False}}}},
               {"required": ["audited_variants"], "properties": {"audited_variants": {"minItems": 1}}}]},
]  # fmt: skip
TARGETS = [_given("target_co2_reduction_t_per_year", "number"),
           _given("target_primary_energy_savings_kwh_per_year", "number")]  # fmt: skip
BUDGETS = [_given("budget_pln", "number"), _given("yearly_budgets_pln", "array")]
MIN_COST = {"required": ["objective"], "properties": {"objective": {"const": "min_cost"}}}
BUDGETED = {"properties": {"objective": {"enum": ["max_co2", "max_npv", "max_primary_energy"]}}}


def _objective_rules(needs_budget: bool) -> dict[str, Any]:
    """``min_cost`` needs a target; the other objectives a budget (a frontier makes its own budgets)."""
    return {
        "anyOf": [
            {**MIN_COST, "anyOf": TARGETS},
            {**BUDGETED, "anyOf": BUDGETS} if needs_budget else BUDGETED,
        ]
    }


class PortfolioRequest(BaseModel):
    """What to plan. Rules between fields the schema states (`anyOf`): `inventory_id` or
    `assessment_id`; `min_cost` needs a target, the other objectives `budget_pln` or
    `yearly_budgets_pln`; `include_generated: false` needs `audited_variants`. Rules it cannot state:
    `plan_years` equals the number of yearly budgets and is at most `horizon_years`; a building is not
    both forced in and out; `programme_id`s are distinct (422). Buildings and versions the inventory
    does not have, or an assessment of another version, are a 409 (the request is well formed but does
    not fit the stored data)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [*SOURCE_RULES, _objective_rules(needs_budget=True)],
            "examples": [EXAMPLE_PLAN],
        },
    )

    name: str = Field("portfolio", max_length=200)
    inventory_id: uuid.UUID | None = None
    version: int | None = Field(None, ge=1, le=1_000_000)
    assessment_id: uuid.UUID | None = Field(
        None, description="build on this assessment's version, climate and parameters"
    )
    objective: Objective = "max_co2"
    budget_pln: float | None = Field(None, gt=0)
    yearly_budgets_pln: list[Annotated[float, Field(ge=0)]] | None = Field(None, min_length=1, max_length=100)
    plan_years: int | None = Field(None, ge=1, le=100)
    discount_rate: float = Field(0.04, gt=-1)
    price_escalation: float = Field(0.0, gt=-1)
    horizon_years: int = Field(20, ge=1, le=100)
    programmes: list[ProgrammeIn] = Field(default_factory=list, max_length=20)
    forced_in_buildings: list[str] = Field(default_factory=list)
    forced_out_buildings: list[str] = Field(default_factory=list)
    excluded_measures: list[str] = Field(default_factory=list)
    required_measures: dict[str, list[str]] = Field(default_factory=dict)
    max_projects_per_year: int | None = Field(None, ge=0)
    target_co2_reduction_t_per_year: float | None = Field(None, ge=0)
    target_primary_energy_savings_kwh_per_year: float | None = Field(None, ge=0)
    price_overrides: dict[MeasureId, PriceOverride] = Field(
        default_factory=dict, description="{measure_id: {field: value}}, e.g. unit_cost_pln, lifetime_years"
    )
    audited_variants: list[AuditedVariantIn] = Field(
        default_factory=list,
        max_length=10_000,
        description="every variant gives savings_pln_per_year and co2_reduction_t_per_year, or every "
        "variant gives savings_kwh_per_year and none the PLN or CO2",
        json_schema_extra={"anyOf": [{"items": AUDITED_PLN_CO2}, {"items": AUDITED_BY_CARRIER}]},
    )
    include_generated: bool = Field(
        True, description="generate packages per building through the energy model"
    )
    solver: Literal["highs", "highspy"] = Field(
        "highs", description="HiGHS through pulp, or HiGHS directly from arrays (CBC is no longer offered)"
    )
    gap_rel: float = Field(1e-3, ge=0, le=1)
    time_limit_s: float = Field(60.0, gt=0, le=600)


class FrontierRequest(PortfolioRequest):
    """A frontier: as a portfolio, but it makes its own budgets (none needed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [*SOURCE_RULES, _objective_rules(needs_budget=False)],
            "examples": [EXAMPLE_PLAN],
        }
    )

    n_points: int = Field(10, ge=2, le=50)
    frontier: Literal["co2", "npv"] = "co2"


class PortfolioOut(BaseModel):
    # A portfolio read from its row and its job (``PortfolioOut.model_validate(row)``). The cash flow
    # and frontier points are shown in full (``context={"full": True}``), not in lists; the detail view
    # adds the projects of a finished plan.
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: Literal["portfolio", "frontier"]
    name: str
    job: JobOut | None
    inventory_id: uuid.UUID
    inventory_version: int
    assessment_id: uuid.UUID | None
    request: dict[str, Any]
    engine_version: str | None
    candidate_count: int | None
    solve: dict[str, Any] | None = Field(
        None, examples=[{"status": "Optimal", "method": "mckp", "gap": 0.0004, "time_s": 0.8}]
    )
    totals: dict[str, Any] | None
    projects: list[dict[str, Any]] | None = None
    cash_flow: list[dict[str, Any]] | None = None
    frontier: list[dict[str, Any]] | None = None
    created_at: datetime
    finished_at: datetime | None

    @field_validator("cash_flow", "frontier", mode="before")
    @classmethod
    def _only_in_full(cls, value: Any, info: ValidationInfo) -> Any:
        return value if (info.context or {}).get("full") else None

    @computed_field(examples=["succeeded"])  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        if self.finished_at is not None:
            return "succeeded"
        return self.job.status if self.job else "unknown"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/portfolios/{self.id}"


class PortfolioList(BaseModel):
    items: list[PortfolioOut]
    count: int


class ComparisonOut(BaseModel):
    portfolio_ids: list[uuid.UUID]
    totals: list[dict[str, Any]] = Field(description="one row per portfolio, side by side")
    buildings: list[dict[str, Any]] = Field(description="per building: the package in each portfolio")
    cash_flow: list[dict[str, Any]] = Field(description="per year: cash flow and CO2 of each portfolio")
