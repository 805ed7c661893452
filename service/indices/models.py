"""Bring-your-own-index runs: the submitted tables and configuration, and the result tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class IndexRun(Base):
    """One submitted index: COINr-shaped data and metadata tables plus a pipeline configuration."""

    __tablename__ = "index_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    data: Mapped[dict] = mapped_column(JSON)
    meta: Mapped[dict] = mapped_column(JSON)
    config: Mapped[dict] = mapped_column(JSON)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    unit_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class IndexTable(Base):
    """One output table of a run (scores, ranks, results_long, data_<step>, ...) in pandas 'split' form."""

    __tablename__ = "index_tables"
    __table_args__ = (UniqueConstraint("run_id", "name", name="run_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("index_runs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict] = mapped_column(JSON)
