"""Portfolios: immutable optimisation results linked to the inventory version, the assessment
and every parameter used; chosen packages one row each."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.jobs.models import Job


class Portfolio(Base):
    """``kind`` is 'portfolio' (one optimum) or 'frontier' (N epsilon-constraint points)."""

    __tablename__ = "portfolios"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(16), default="portfolio")
    name: Mapped[str] = mapped_column(String(200))
    inventory_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inventories.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inventory_versions.id", ondelete="CASCADE"))
    inventory_version: Mapped[int] = mapped_column(Integer)
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    job: Mapped[Job | None] = relationship(viewonly=True)  # its answer shows the job
    request: Mapped[dict] = mapped_column(default=dict)
    engine_version: Mapped[str | None] = mapped_column(String(40))
    solve: Mapped[dict | None] = mapped_column(default=None)
    totals: Mapped[dict | None] = mapped_column(default=None)
    cash_flow: Mapped[list | None] = mapped_column(default=None)
    frontier: Mapped[list | None] = mapped_column(default=None)
    candidate_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class PortfolioProject(Base):
    """One chosen package (building, package, start year, cost, grant, savings...)."""

    __tablename__ = "portfolio_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[str] = mapped_column(String(100))
    package_id: Mapped[str] = mapped_column(String(100))
    start_year: Mapped[int] = mapped_column(Integer)
    capex_pln: Mapped[float] = mapped_column(Float)
    data: Mapped[dict] = mapped_column()


class FrontierInput(Base):
    """The candidate packages of a frontier whose points are solved as separate jobs: built once by
    the frontier job, read by every point job, deleted with the frontier's final status."""

    __tablename__ = "portfolio_frontier_inputs"

    portfolio_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True
    )
    candidates: Mapped[dict] = mapped_column()  # {"columns": [...], "data": [[...], ...]}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
