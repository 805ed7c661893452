"""All queries on portfolios and their chosen projects."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from service.db import bulk_insert
from service.portfolios.models import FrontierInput, Portfolio, PortfolioProject


def add_portfolio(session: Session, **values: Any) -> Portfolio:
    row = Portfolio(**values)
    session.add(row)
    session.flush()
    return row


def get_portfolio(session: Session, portfolio_id: uuid.UUID) -> Portfolio | None:
    return session.get(Portfolio, portfolio_id)


def list_portfolios(session: Session, org_ids: list[uuid.UUID]) -> list[Portfolio]:
    """The portfolios of these cities, newest first, with their jobs (two queries whatever their number)."""
    query = (
        select(Portfolio)
        .options(selectinload(Portfolio.job))
        .where(Portfolio.owner_org_id.in_(org_ids))
        .order_by(Portfolio.created_at.desc())
    )
    return list(session.scalars(query))


def store_projects(session: Session, portfolio_id: uuid.UUID, records: list[dict[str, Any]]) -> None:
    rows = [
        {
            "portfolio_id": portfolio_id,
            "building_id": str(r["building_id"]),
            "package_id": str(r["package_id"]),
            "start_year": int(r["start_year"]),
            "capex_pln": float(r["capex_pln"]),
            "data": r,
        }
        for r in records
    ]
    bulk_insert(session, PortfolioProject, rows)
    session.flush()


def load_projects(session: Session, portfolio_id: uuid.UUID) -> list[dict[str, Any]]:
    query = (
        select(PortfolioProject.data)
        .where(PortfolioProject.portfolio_id == portfolio_id)
        .order_by(PortfolioProject.building_id)
    )
    return list(session.scalars(query))


def store_frontier_input(session: Session, portfolio_id: uuid.UUID, candidates: dict[str, Any]) -> None:
    """Keep (or replace, on a redelivered frontier job) the candidates its point jobs read."""
    session.execute(delete(FrontierInput).where(FrontierInput.portfolio_id == portfolio_id))
    session.add(FrontierInput(portfolio_id=portfolio_id, candidates=candidates))
    session.flush()


def frontier_input(session: Session, portfolio_id: uuid.UUID) -> dict[str, Any] | None:
    return session.scalar(select(FrontierInput.candidates).where(FrontierInput.portfolio_id == portfolio_id))


def drop_frontier_input(session: Session, portfolio_id: uuid.UUID) -> None:
    session.execute(delete(FrontierInput).where(FrontierInput.portfolio_id == portfolio_id))
