"""Pydantic in/out models of portfolios, frontiers and comparisons.

Types and shapes are checked here; the rules between fields (budget > 0, horizon 1..100, forced
buildings that exist, contradictory rules) by ``energy.portfolio.validate_problem`` at submission.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_validator

from service import example_ids as demo_ids
from service.jobs.schemas import JobOut

Objective = Literal["max_co2", "max_npv", "max_primary_energy", "min_cost"]
Carrier = Literal["coal", "gas", "oil", "biomass", "district_heat", "electricity"]


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: str = Field(min_length=1, max_length=80, examples=["termomodernizacja_bgk"])
    share_of_eligible_cost: float = Field(examples=[0.26])
    cap_per_building_pln: float | None = Field(None, examples=[2_000_000])
    cap_total_pln: float | None = None
    cap_multiple_of_yearly_savings: float | None = Field(None, examples=[2.0])
    min_primary_energy_saving_share: float | None = Field(None, examples=[0.3])
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


class PortfolioRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
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
            ]
        },
    )

    name: str = Field("portfolio", max_length=200)
    inventory_id: uuid.UUID | None = None
    version: int | None = Field(None, ge=1, le=1_000_000)
    assessment_id: uuid.UUID | None = Field(
        None, description="build on this assessment's version, climate and parameters"
    )
    objective: Objective = "max_co2"
    budget_pln: float | None = None
    yearly_budgets_pln: list[float] | None = Field(None, max_length=100)
    plan_years: int | None = None
    discount_rate: float = 0.04
    price_escalation: float = 0.0
    horizon_years: int = 20
    programmes: list[ProgrammeIn] = Field(default_factory=list, max_length=20)
    forced_in_buildings: list[str] = Field(default_factory=list)
    forced_out_buildings: list[str] = Field(default_factory=list)
    excluded_measures: list[str] = Field(default_factory=list)
    required_measures: dict[str, list[str]] = Field(default_factory=dict)
    max_projects_per_year: int | None = None
    target_co2_reduction_t_per_year: float | None = None
    target_primary_energy_savings_kwh_per_year: float | None = None
    price_overrides: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="{measure_id: {field: value}}, e.g. unit_cost_pln, lifetime_years"
    )
    audited_variants: list[AuditedVariantIn] = Field(default_factory=list, max_length=10_000)
    include_generated: bool = Field(
        True, description="generate packages per building through the energy model"
    )
    solver: Literal["highs", "highspy"] = Field(
        "highs", description="HiGHS through pulp, or HiGHS directly from arrays (CBC is no longer offered)"
    )
    gap_rel: float = Field(1e-3, ge=0, le=1)
    time_limit_s: float = Field(60.0, gt=0, le=600)


class FrontierRequest(PortfolioRequest):
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
