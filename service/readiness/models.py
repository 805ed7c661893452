"""Readiness tables: reported indicator values (versioned), score runs, scores and published snapshots.

Values are append-only: a new report of the same (teryt, indicator, year, origin) marks the earlier
row ``superseded_at`` instead of overwriting it, so every earlier version stays readable. Published
snapshots are immutable; the latest ``seq`` per TERYT is the one portals see.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

#: where a value comes from; the order is the precedence for the same (teryt, indicator, year)
ORIGINS = ("reference", "bdl", "city")


class ReadinessSubmission(Base):
    """One PUT of indicator values (or one BDL import batch) for one gmina."""

    __tablename__ = "readiness_submissions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    teryt: Mapped[str] = mapped_column(String(7), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    submitted_by_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    source_format: Mapped[str] = mapped_column(String(8))
    value_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadinessValue(Base):
    """One indicator value with its year and source; superseded rows are the value's history."""

    __tablename__ = "readiness_values"
    __table_args__ = (
        CheckConstraint("origin IN ('bdl','city')", name="origin"),
        Index("ix_readiness_values_current", "teryt", "superseded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("readiness_submissions.id", ondelete="CASCADE"), index=True
    )
    teryt: Mapped[str] = mapped_column(String(7))
    indicator: Mapped[str] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(400))
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)


class ReadinessScoreRun(Base):
    """One computation: the request (scenario, weights, methods, runs) and its configuration hash."""

    __tablename__ = "readiness_score_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    request: Mapped[dict] = mapped_column(JSON)
    teryts: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    methodology_version: Mapped[str | None] = mapped_column(String(32))
    config_hash: Mapped[str | None] = mapped_column(String(64))
    unit_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    scores: Mapped[list[ReadinessScore]] = relationship(order_by="ReadinessScore.teryt", viewonly=True)


class ReadinessScore(Base):
    """Scores of one gmina in one run: overall and pillars, intervals, coverage and vintage."""

    __tablename__ = "readiness_scores"
    __table_args__ = (
        UniqueConstraint("run_id", "teryt", name="run_teryt"),
        Index("ix_readiness_scores_teryt_created", "teryt", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("readiness_score_runs.id", ondelete="CASCADE"), index=True
    )
    teryt: Mapped[str] = mapped_column(String(7))
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    pillars: Mapped[dict] = mapped_column(JSON)
    coverage: Mapped[dict] = mapped_column(JSON)
    vintage: Mapped[dict] = mapped_column(JSON)
    detail: Mapped[dict | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadinessPublication(Base):
    """An immutable published snapshot (the public JSON body) of one gmina.

    The snapshot never changes; a publication can only be *withdrawn* (``withdrawn_at`` and a reason),
    after which the public endpoints answer 410 until a newer publication supersedes it.
    """

    __tablename__ = "readiness_publications"
    __table_args__ = (UniqueConstraint("teryt", "seq", name="teryt_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    snapshot_id: Mapped[str] = mapped_column(String(64), unique=True)
    teryt: Mapped[str] = mapped_column(String(7), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    score_id: Mapped[int] = mapped_column(ForeignKey("readiness_scores.id", ondelete="RESTRICT"))
    published_by_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[dict] = mapped_column(JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    withdrawn_by_org_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
