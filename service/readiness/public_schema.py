"""Stable public contract of a published readiness snapshot (what portals read).

The JSON served at ``GET /v1/public/readiness/{teryt}`` is exactly :class:`PublicSnapshot` dumped with
``model_dump(mode="json")``. The contract, a full example and the versioning rules are documented in
``PUBLIC_CONTRACT.md`` beside this module; change both together.

Scores are on a 0-100 scale (100 = the most ready municipality under the framework's normalisation).
Intervals are the lower and upper quantiles of the uncertainty runs (Monte Carlo over weights and method
choices, OECD/JRC 2008, ch. 7) at probability ``interval_probability``; the point score is the score under
the published configuration and is *usually*, not necessarily, inside its interval (JRC audits show skewed
cases), so the contract does not force it inside.

References
----------
OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User Guide. OECD, Paris.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

CONTRACT_VERSION: Final = "1.0"
PILLAR_CODES: tuple[str, ...] = ("housing", "schooling", "services")

PillarCode = Literal["housing", "schooling", "services"]
_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _score_field(what: str) -> Any:
    return Field(ge=0, le=100, description=f"{what} [0-100]")


def _check_interval(where: str, low: float, high: float) -> None:
    if low > high:
        raise ValueError(f"{where}: interval_low ({low}) must not exceed interval_high ({high})")


class ScoreInterval(_Frozen):
    """A 0-100 score with its uncertainty interval [score points]."""

    score: float = _score_field("score under the published configuration")
    interval_low: float = _score_field("lower quantile of the uncertainty runs")
    interval_high: float = _score_field("upper quantile of the uncertainty runs")

    @model_validator(mode="after")
    def _ordered(self) -> ScoreInterval:
        _check_interval("overall", self.interval_low, self.interval_high)
        return self


class PillarScore(_Frozen):
    """One pillar (housing, schooling, services) of the readiness index, with its data coverage."""

    code: PillarCode
    score: float = _score_field("pillar score under the published configuration")
    interval_low: float = _score_field("lower quantile of the uncertainty runs")
    interval_high: float = _score_field("upper quantile of the uncertainty runs")
    indicators_present: int = Field(ge=0, description="indicators with a value for this municipality")
    indicators_total: int = Field(ge=1, description="indicators the framework defines for this pillar")

    @model_validator(mode="after")
    def _consistent(self) -> PillarScore:
        _check_interval(f"pillar {self.code}", self.interval_low, self.interval_high)
        if self.indicators_present > self.indicators_total:
            raise ValueError(
                f"pillar {self.code}: indicators_present ({self.indicators_present}) exceeds "
                f"indicators_total ({self.indicators_total})"
            )
        return self


class DataVintage(_Frozen):
    """Oldest and newest reference year of the indicator values used [calendar year]."""

    min_year: int = Field(ge=1990, le=2100)
    max_year: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> DataVintage:
        if self.min_year > self.max_year:
            raise ValueError(f"data_vintage.min_year ({self.min_year}) after max_year ({self.max_year})")
        return self


class Coverage(_Frozen):
    """How complete and how fresh the data behind the snapshot are.

    ``imputed`` lists indicator codes whose value was missing and filled by the framework's imputation;
    ``stale`` lists indicator codes whose newest value is older than the framework's freshness limit.
    """

    indicators_present: int = Field(ge=0)
    indicators_total: int = Field(ge=1)
    imputed: list[str] = Field(default_factory=list)
    stale: list[str] = Field(default_factory=list)

    @field_validator("imputed", "stale")
    @classmethod
    def _unique_codes(cls, codes: list[str]) -> list[str]:
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"indicator codes listed twice: {duplicates}")
        return codes

    @model_validator(mode="after")
    def _counts(self) -> Coverage:
        if self.indicators_present > self.indicators_total:
            raise ValueError(
                f"coverage.indicators_present ({self.indicators_present}) exceeds "
                f"indicators_total ({self.indicators_total})"
            )
        return self


class ScenarioSummary(_Frozen):
    """The arrival scenario the scores were computed under."""

    scenario_id: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1, max_length=120, description="human-readable scenario name")
    labels: dict[str, str] | None = Field(
        default=None, description="the scenario's name per language (pl, en, uk) where the publisher gave it"
    )
    arrivals_persons: int = Field(ge=0, description="arriving residents assumed [persons]")
    arrivals_per_1000_residents: float | None = Field(
        default=None, ge=0, description="arrivals relative to the resident population [persons per 1000]"
    )


class PublicSnapshot(_Frozen):
    """A published, immutable readiness snapshot of one municipality (gmina)."""

    contract_version: Literal["1.0"] = CONTRACT_VERSION
    snapshot_id: str = Field(pattern=_ID_PATTERN)
    supersedes: str | None = Field(default=None, pattern=_ID_PATTERN)
    teryt: str = Field(pattern=r"^\d{7}$", description="TERYT TERC code of the gmina (7 digits)")
    municipality_name: str = Field(min_length=1, max_length=120)
    methodology_version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
    methodology_url: str = Field(pattern=r"^https?://\S+$", max_length=500)
    config_hash: str = Field(pattern=r"^[0-9a-f]{16,128}$", description="hash of the scoring configuration")
    published_at: AwareDatetime
    data_vintage: DataVintage
    interval_probability: float = Field(
        default=0.9, gt=0, lt=1, description="probability mass between interval_low and interval_high"
    )
    overall: ScoreInterval
    pillars: list[PillarScore]
    coverage: Coverage
    scenario: ScenarioSummary

    @field_validator("pillars")
    @classmethod
    def _one_per_pillar(cls, pillars: list[PillarScore]) -> list[PillarScore]:
        codes = [p.code for p in pillars]
        if sorted(codes) != sorted(PILLAR_CODES):
            raise ValueError(f"pillars must be exactly one each of {list(PILLAR_CODES)}, got {codes}")
        return sorted(pillars, key=lambda p: PILLAR_CODES.index(p.code))

    @model_validator(mode="after")
    def _consistent(self) -> PublicSnapshot:
        if self.supersedes == self.snapshot_id:
            raise ValueError(f"snapshot {self.snapshot_id} cannot supersede itself")
        for field in ("indicators_present", "indicators_total"):
            pillar_sum = sum(getattr(p, field) for p in self.pillars)
            if pillar_sum != getattr(self.coverage, field):
                raise ValueError(
                    f"coverage.{field} ({getattr(self.coverage, field)}) differs from the sum over "
                    f"pillars ({pillar_sum})"
                )
        return self


def example_snapshot() -> PublicSnapshot:
    """An illustrative snapshot (made-up scores for Lublin, TERYT 0663011) for docs, tests and OpenAPI."""
    return PublicSnapshot.model_validate(
        {
            "snapshot_id": "rs-0663011-0003",
            "supersedes": "rs-0663011-0002",
            "teryt": "0663011",
            "municipality_name": "Lublin",
            "methodology_version": "2025.1",
            "methodology_url": "https://miasto.example.org/v1/public/readiness/methodology?lang=pl",
            "config_hash": "3f9a1c0e7b2d4a6f8e1c3b5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d0f2a",
            "published_at": "2025-03-14T09:30:00Z",
            "data_vintage": {"min_year": 2021, "max_year": 2024},
            "interval_probability": 0.9,
            "overall": {"score": 63.4, "interval_low": 57.9, "interval_high": 68.2},
            "pillars": [
                {"code": "housing", "score": 48.7, "interval_low": 41.2, "interval_high": 55.0,
                 "indicators_present": 6, "indicators_total": 7},
                {"code": "schooling", "score": 71.9, "interval_low": 66.3, "interval_high": 77.1,
                 "indicators_present": 7, "indicators_total": 7},
                {"code": "services", "score": 69.5, "interval_low": 62.8, "interval_high": 74.6,
                 "indicators_present": 6, "indicators_total": 7},
            ],
            "coverage": {"indicators_present": 19, "indicators_total": 21,
                         "imputed": ["vacant_municipal_dwellings_per_1000", "social_workers_per_10k"],
                         "stale": ["dwelling_price_pln_per_m2"]},
            "scenario": {"scenario_id": "baseline-2025", "label": "Baseline 2025",
                         "labels": {"pl": "Stan bazowy 2025", "en": "Baseline 2025", "uk": "Базовий стан 2025"},
                         "arrivals_persons": 3200, "arrivals_per_1000_residents": 9.7},
        }
    )  # fmt: skip


class HistoryItem(BaseModel):
    """One publication of a gmina: when, which score, and whether (and why) it was withdrawn."""

    snapshot_id: str = Field(examples=["rs-0663011-0002"])
    seq: int
    published_at: AwareDatetime
    supersedes: str | None = None
    score: float | None = Field(None, description="overall score of the snapshot [0-100]")
    methodology_version: str | None = None
    withdrawn_at: AwareDatetime | None = None
    withdrawn_reason: str | None = None
    current: bool = Field(description="the snapshot the public endpoints serve now")


class PublicHistory(BaseModel):
    teryt: str = Field(examples=["0663011"])
    count: int
    items: list[HistoryItem]
