"""Queries of the bring-your-own-index runs."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.indices.models import IndexRun, IndexTable


def add_run(session: Session, run: IndexRun) -> IndexRun:
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: uuid.UUID) -> IndexRun | None:
    return session.get(IndexRun, run_id)


def add_tables(session: Session, run_id: uuid.UUID, tables: dict[str, str]) -> None:
    session.add_all(
        IndexTable(run_id=run_id, name=name, content={"csv": text}) for name, text in tables.items()
    )
    session.flush()


def table_names(session: Session, run_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(select(IndexTable.name).where(IndexTable.run_id == run_id).order_by(IndexTable.name))
    )


def table(session: Session, run_id: uuid.UUID, name: str) -> IndexTable | None:
    return session.scalar(select(IndexTable).where(IndexTable.run_id == run_id, IndexTable.name == name))
