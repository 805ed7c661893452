"""Database engine, sessions and the declarative base (SQLAlchemy 2)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator, Uuid

from service.settings import get_settings

# Named constraints so that Alembic batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON, list: JSON, uuid.UUID: Uuid}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin, not pysqlite
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOI")


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")
    conn.info["sqlite_writing"] = False


def _sqlite_before_execute(conn, cursor, statement, _parameters, _context, _executemany) -> None:
    """Before the first write of a transaction, take the write lock with ``BEGIN IMMEDIATE``.

    A deferred transaction that has read (the API key, the city) and then writes after another
    connection committed cannot upgrade its WAL snapshot: SQLite answers ``database is locked`` at
    once, without waiting on ``busy_timeout`` (SQLITE_BUSY_SNAPSHOT; 12 of 20 concurrent uploads
    failed so). Its reads are finished, so the read-only part is ended and the transaction begins
    again as a writer, which does wait its turn: reads before the first write see the data as of
    their statement, as PostgreSQL's default READ COMMITTED does."""
    if conn.info.get("sqlite_writing", True) or not statement.lstrip()[:7].upper().startswith(WRITES):
        return
    conn.info["sqlite_writing"] = True
    cursor.execute("COMMIT")
    cursor.execute("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json_serializer
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_before_execute)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=_json_serializer
    )


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False, autoflush=True)


class JsonText(str):
    """Text that already is the JSON of a value (``service.jsonsafe.frame_json``): a JSON column stores
    it as it is, where any other value is serialised with ``json.dumps`` (see :func:`_json_serializer`)."""


def _json_serializer(value: Any) -> str:
    return value if isinstance(value, JsonText) else json.dumps(value)


def bulk_insert(session: Session, model: type[Base], rows: list[dict[str, Any]], chunk: int = 5_000) -> None:
    """Insert many rows in the session's transaction: PostgreSQL's COPY (one stream, no statement per
    row), elsewhere executemany in chunks (bounded statement size on SQLite)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_rows(session, model, rows)
        return
    for start in range(0, len(rows), chunk):
        session.execute(insert(model), rows[start : start + chunk])


def _copy_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` with psycopg, on the session's own connection and transaction.

    Values go as SQLAlchemy would bind them: JSON columns serialised with ``json.dumps`` (NaN refused, as
    the engine's own serializer does), UTC datetimes and UUIDs adapted by psycopg."""
    table = model.__table__
    names = [c.name for c in table.columns if c.name in rows[0]]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    session.flush()  # the parent rows (a version, an assessment) must exist before their children
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    columns = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row([_copy_json(row.get(n)) if n in json_columns else row.get(n) for n in names])


def _copy_json(value: Any) -> str:
    return value if isinstance(value, JsonText) else json.dumps(value, allow_nan=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error (the boundary commits, services flush)."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
