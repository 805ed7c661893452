"""Assessments (one run of the energy engine on one inventory version), their per-building results,
and named user climates (PVGIS TMY / EPW uploads reusable by id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.jobs.models import Job


class Climate(Base):
    """A user-uploaded climate file, kept verbatim so an assessment can re-read it exactly."""

    __tablename__ = "climates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(8))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    altitude_m: Mapped[float] = mapped_column(Float)
    ghi_kwh_m2_per_year: Mapped[float] = mapped_column(Float)
    mean_temp_air_c: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """Inputs (version, climate, parameters) are written at submission; results by the worker."""

    __tablename__ = "assessments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    inventory_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inventories.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inventory_versions.id", ondelete="CASCADE"))
    inventory_version: Mapped[int] = mapped_column(Integer)
    climate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("climates.id", ondelete="RESTRICT"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    job: Mapped[Job | None] = relationship(viewonly=True)  # its answer shows the job
    params: Mapped[dict] = mapped_column(default=dict)
    city_lat: Mapped[float] = mapped_column(Float)
    city_lon: Mapped[float] = mapped_column(Float)
    city_location_source: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict | None] = mapped_column(default=None)
    totals: Mapped[dict | None] = mapped_column(default=None)
    totals_by_type: Mapped[list | None] = mapped_column(default=None)
    building_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class AssessmentBuilding(Base):
    """One building's flat result record (the engine's columns, NaN stored as null)."""

    __tablename__ = "assessment_buildings"
    __table_args__ = (UniqueConstraint("assessment_id", "building_id", name="assessment_building"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[str] = mapped_column(String(100))
    building_type: Mapped[str] = mapped_column(String(32))
    co2_t_per_year: Mapped[float | None] = mapped_column(Float)
    ep_kwh_per_m2_year: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict] = mapped_column()


class AssessmentReport(Base):
    """The energy-diagnosis PDF of an assessment in one language, made by a report job.

    Keyed by the engine version too: a new release renders again rather than serving an old layout.
    ``content`` is empty while the job (``job_id``) runs.
    """

    __tablename__ = "assessment_reports"
    __table_args__ = (UniqueConstraint("assessment_id", "lang", "engine_version", name="assessment_report"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    engine_version: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    pages: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
