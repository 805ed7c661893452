"""Job resource as the API shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from service import example_ids as demo_ids

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobErrorOut(BaseModel):
    type: str = Field(examples=["infeasible"])
    detail: str = Field(
        examples=["the forced-in buildings alone cost 12.4 mln PLN, above the 10 mln PLN budget"]
    )


class JobOut(BaseModel):
    # A job as the API shows it, read from its row (``JobOut.model_validate(job)``).
    model_config = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    kind: str = Field(examples=["inventory_summary"])
    subject_type: str = Field(examples=["inventory_version"])
    subject_id: str
    status: JobStatus
    progress_pct: int = Field(ge=0, le=100, examples=[40], validation_alias="progress")
    message: str = Field(examples=["balance 2,000 of 5,000 buildings"])
    error_type: str | None = Field(None, exclude=True)
    error_detail: str | None = Field(None, exclude=True)
    result: dict[str, Any] | None = None
    result_url: str | None = Field(
        None, examples=[f"/v1/assessments/{demo_ids.ASSESSMENT}"], validation_alias="result_path"
    )
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def error(self) -> JobErrorOut | None:
        if not self.error_type:
            return None
        return JobErrorOut(type=self.error_type, detail=self.error_detail or "")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/jobs/{self.id}"


class JobList(BaseModel):
    items: list[JobOut]
    count: int
