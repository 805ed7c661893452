"""Request and response bodies of the readiness API (private part), with realistic Polish examples."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasPath, BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_validator

from service import example_ids as demo_ids

Teryt = Annotated[
    str, Field(pattern=r"^\d{7}$", examples=["0663011"], description="7-digit TERYT gmina code")
]

EXAMPLE_VALUES = [
    {"indicator": "vacant_municipal_dwellings_per_1000", "value": 1.9, "year": 2024,
     "source": "Wydział Gospodarki Komunalnej UM Lublin, stan na 31.12.2024"},
    {"indicator": "municipal_housing_waiting_list_per_1000", "value": 3.4, "year": 2024,
     "source": "Zarząd Nieruchomości Komunalnych w Lublinie"},
    {"indicator": "preparatory_classes_per_100k", "value": 9.5, "year": 2024,
     "source": "Wydział Oświaty i Wychowania UM Lublin (SIO)"},
    {"indicator": "integration_centre", "value": 2, "year": 2025, "source": "CIC Lublin (projekt FAMI)"},
]  # fmt: skip
EXAMPLE_CSV = (
    "indicator;value;year;source\n"
    "vacant_municipal_dwellings_per_1000;1,9;2024;Wydział Gospodarki Komunalnej UM Lublin\n"
    "pupils_per_class;23,1;2024;Wydział Oświaty i Wychowania UM Lublin (SIO)\n"
)


def value_row_schema() -> dict[str, Any]:
    """One reported value as ``readiness.intake.validate_submission`` checks it: an indicator the city
    reports (headroom ratios are computed, not reported), its unit if given, value >= 0, a year in
    [1990, 2100], a source of at most 400 characters; no other field. Not stated: the same indicator
    and year twice in one submission (422). Numbers as text with a decimal comma are read too."""
    from integration.readiness import load_framework
    from service.readiness.intake import MAX_SOURCE_CHARS, YEAR_MAX, YEAR_MIN

    known = load_framework().indicators
    reported = known[known["role"] != "headroom"]
    by_indicator = [
        {"properties": {"indicator": {"const": code}, "unit": {"anyOf": [{"const": unit}, {"type": "null"}]}}}
        for code, unit in reported["unit"].items()
    ]
    return {
        "type": "object",
        "required": ["indicator", "value", "year"],
        "additionalProperties": False,
        "properties": {
            "indicator": {"type": "string", "enum": list(reported.index)},
            "value": {"type": "number", "minimum": 0},
            "year": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
            "source": {"anyOf": [{"type": "string", "maxLength": MAX_SOURCE_CHARS}, {"type": "null"}]},
            "unit": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "oneOf": by_indicator,
    }


INDICATORS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Indicator values of the gmina as JSON or CSV (comma or semicolon; decimal comma accepted).",
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["values"],
                           "properties": {"values": {"type": "array", "minItems": 1, "items": value_row_schema()}}},
                "example": {"values": EXAMPLE_VALUES},
            },
            "text/csv": {"schema": {"type": "string"}, "example": EXAMPLE_CSV},
        },
    }
}  # fmt: skip


class SubmissionOut(BaseModel):
    submission_id: uuid.UUID
    teryt: str = Field(examples=["0663011"])
    version: int = Field(examples=[3], description="version of the city's reported values (1, 2, ...)")
    values_stored: int = Field(examples=[4])
    values_superseded: int = Field(
        examples=[1], description="earlier versions of the same values, kept as history"
    )
    created_at: datetime


class ValueOut(BaseModel):
    indicator: str = Field(examples=["vacant_municipal_dwellings_per_1000"])
    value: float = Field(examples=[1.9])
    year: int | None = Field(examples=[2024])
    source: str = Field(examples=["Wydział Gospodarki Komunalnej UM Lublin"])
    origin: Literal["city", "bdl", "reference"] = Field(
        description="city-reported, GUS BDL import, packaged reference"
    )
    version: int | None = Field(None, description="submission version (city and BDL values)")
    recorded_at: datetime | None = None
    superseded_at: datetime | None = Field(None, description="set on earlier versions (history=true)")
    used: bool = Field(description="the value that enters the score (latest year; city wins within a year)")


class ValuesOut(BaseModel):
    teryt: str
    count: int
    values: list[ValueOut]


class ScenarioIn(BaseModel):
    """An arrival scenario; omitted shares take the sourced defaults for refugees from Ukraine."""

    model_config = ConfigDict(extra="forbid")
    scenario_id: str = Field(
        "scenario", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", examples=["lublin-5000"]
    )
    label: str = Field("Arrival scenario", min_length=1, max_length=120, examples=["5 000 osób z Ukrainy"])
    labels: dict[Literal["pl", "en", "uk"], str] | None = Field(
        None,
        description="the scenario's name per language, shown by the widget in its own language; a language "
        "without a name shows a label generated from the arrivals in that language (never `label` in "
        "another language)",
        examples=[
            {"pl": "5 000 osób z Ukrainy", "en": "5,000 people from Ukraine", "uk": "5 000 осіб з України"}
        ],
    )
    arrivals: float = Field(
        ge=0, le=10_000_000, allow_inf_nan=False, examples=[5000], description="[persons]"
    )
    preschool_share: float | None = Field(None, ge=0, le=1, examples=[0.08])
    primary_share: float | None = Field(None, ge=0, le=1, examples=[0.16])
    secondary_share: float | None = Field(None, ge=0, le=1, examples=[0.06])
    household_size: float | None = Field(
        None, gt=0, le=20, examples=[2.4], description="[persons per household]"
    )
    preschool_enrolment_share: float | None = Field(None, ge=0, le=1)
    primary_enrolment_share: float | None = Field(None, ge=0, le=1)

    def engine_fields(self) -> dict[str, float]:
        return {
            k: v
            for k, v in self.model_dump(exclude={"scenario_id", "label", "labels"}).items()
            if v is not None
        }

    @field_validator("labels")
    @classmethod
    def _short_labels(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for lang, text in (value or {}).items():
            if not 1 <= len(text.strip()) <= 120:
                raise ValueError(f"labels.{lang}: 1 to 120 characters")
        return value


class ScoresRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"teryts": ["0663011"], "scenario": {"scenario_id": "lublin-5000", "label": "5 000 osób z Ukrainy",
                 "arrivals": 5000}, "uncertainty_runs": 0},
                {"teryts": ["0663011", "1863011", "1261011"], "weights": {"housing": 2},
                 "methods": {"aggregation": "arithmetic"}, "uncertainty_runs": 1000},
            ]
        },
    )  # fmt: skip
    teryts: list[Teryt] = Field(min_length=1, max_length=3000)
    scenario: ScenarioIn | None = None
    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = Field(
        None, description="indicator or pillar code -> weight (default: the framework's)"
    )
    methods: dict[str, Any] | None = Field(
        None,
        description="normalisation, aggregation, impute, impute_group, max_age_years, reference_year, peer_group",
    )
    uncertainty_runs: int = Field(0, ge=0, le=5000, description="Monte Carlo runs for intervals (0 = none)")


class PillarOut(BaseModel):
    score: float | None
    interval_low: float | None
    interval_high: float | None
    indicators_present: int | None = None
    indicators_total: int | None = None


FROM_ROWS = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)


class ScoreOut(BaseModel):
    # A gmina's stored scores (``ScoreOut.model_validate(score)``).
    model_config = FROM_ROWS

    teryt: str = Field(examples=["0663011"])
    score: float | None = Field(examples=[58.3], description="overall readiness [0-100]")
    rank: int | None
    pillars: dict[str, PillarOut]
    coverage: dict[str, Any]
    vintage: dict[str, Any]
    detail: dict[str, Any] | None = Field(
        None, description="explanation, peers, headroom (runs of <= 25 gminas)"
    )
    run_id: uuid.UUID
    computed_at: datetime = Field(validation_alias="created_at")


class RunOut(BaseModel):
    # A run with the scores of every gmina (``RunOut.model_validate(run)``, the scores loaded with it).
    model_config = FROM_ROWS

    run_id: uuid.UUID = Field(validation_alias="id")
    status: str = Field(examples=["succeeded"])
    teryts: list[str]
    request: dict[str, Any]
    methodology_version: str | None
    config_hash: str | None
    unit_count: int
    created_at: datetime
    finished_at: datetime | None
    job_id: uuid.UUID | None = Field(None, exclude=True)
    scores: list[ScoreOut] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def job_url(self) -> str | None:
        return f"/v1/jobs/{self.job_id}" if self.job_id else None


class PublicationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"run_id": str(demo_ids.READINESS_RUN)}]}
    )
    run_id: uuid.UUID = Field(
        description="the score run to publish from, always named (a what-if run never goes public by "
        "accident); it must have finished with at least 100 uncertainty runs",
        examples=[str(demo_ids.READINESS_RUN)],
    )


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Błędna liczba pustostanów komunalnych w danych za 2024 r."}]
        },
    )
    reason: str = Field(
        min_length=3,
        max_length=500,
        examples=["Błędna liczba wolnych mieszkań komunalnych w danych za 2024 r."],
        description="why the score is withdrawn (kept with the publication, shown in the public history)",
    )


class PublicationOut(BaseModel):
    # A publication read from its row: ``PublicationOut.model_validate(pub, context={"base_url": ...})``
    # (the embed snippet names the API's public address).
    model_config = ConfigDict(from_attributes=True)

    snapshot_id: str = Field(examples=["rs-0663011-0002"])
    teryt: str
    seq: int
    supersedes: str | None = Field(None, validation_alias=AliasPath("snapshot", "supersedes"))
    published_at: datetime
    # the gmina's widget embedded from the API's public address, built from the row's TERYT
    embed_snippet: str = Field(validation_alias=AliasPath("teryt"))
    snapshot: dict[str, Any]
    withdrawn_at: datetime | None = Field(None, description="set when the publication was withdrawn")
    withdrawn_reason: str | None = None

    @field_validator("embed_snippet", mode="before")
    @classmethod
    def _snippet_of_teryt(cls, teryt: str, info: ValidationInfo) -> str:
        from service.readiness.render import embed_snippet

        base_url = (info.context or {}).get("base_url")
        if base_url is None:
            raise ValueError("PublicationOut needs context={'base_url': ...} for its embed snippet")
        return embed_snippet(base_url, teryt, "pl")

    @computed_field(examples=["/v1/public/readiness/0663011"])  # type: ignore[prop-decorator]
    @property
    def public_url(self) -> str:
        return f"/v1/public/readiness/{self.teryt}"


class PreviewOut(BaseModel):
    """What publishing the run would freeze now (nothing stored), and the widget it would show."""

    teryt: str
    run_id: uuid.UUID
    snapshot: dict[str, Any]
    widget_url: str = Field(description="the public widget URL that would show it once published")


class PublicationList(BaseModel):
    teryt: str
    count: int
    items: list[PublicationOut]
