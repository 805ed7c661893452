"""Job resource as the API shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service import example_ids as demo_ids

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobErrorOut(BaseModel):
    type: str = Field(examples=["infeasible"])
    detail: str = Field(
        examples=["the forced-in buildings alone cost 12.4 mln PLN, above the 10 mln PLN budget"]
    )


class JobOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(examples=["inventory_summary"])
    subject_type: str = Field(examples=["inventory_version"])
    subject_id: str
    status: JobStatus
    progress_pct: int = Field(ge=0, le=100, examples=[40])
    message: str = Field(examples=["balance 2,000 of 5,000 buildings"])
    error: JobErrorOut | None = None
    result: dict[str, Any] | None = None
    result_url: str | None = Field(None, examples=[f"/v1/assessments/{demo_ids.ASSESSMENT}"])
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str

    @classmethod
    def from_row(cls, job: Any) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            subject_type=job.subject_type,
            subject_id=job.subject_id,
            status=job.status,
            progress_pct=job.progress,
            message=job.message,
            error=JobErrorOut(type=job.error_type, detail=job.error_detail or "") if job.error_type else None,
            result=job.result,
            result_url=job.result_path,
            attempts=job.attempts,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            url=f"/v1/jobs/{job.id}",
        )


class JobList(BaseModel):
    items: list[JobOut]
    count: int
