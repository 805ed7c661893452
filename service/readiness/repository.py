"""All readiness queries: values (current and history), score runs and scores, publications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from service.db import utcnow
from service.orgs.models import Organisation
from service.readiness.models import (
    ReadinessPublication,
    ReadinessScore,
    ReadinessScoreRun,
    ReadinessSubmission,
    ReadinessValue,
)

VALUE_COLUMNS = [
    "teryt",
    "indicator",
    "value",
    "year",
    "source",
    "origin",
    "created_at",
    "superseded_at",
    "version",
]


def city_org(session: Session, teryt: str) -> Organisation | None:
    return session.scalar(
        select(Organisation).where(Organisation.teryt == teryt, Organisation.kind == "city")
    )


def city_orgs(session: Session, teryts: Sequence[str]) -> dict[str, Organisation]:
    rows = session.scalars(select(Organisation).where(Organisation.teryt.in_(list(teryts))))
    return {o.teryt: o for o in rows if o.kind == "city" and o.teryt is not None}  # IN never matches NULL


def store_values(
    session: Session, values: pd.DataFrame, origin: str, org_id: uuid.UUID | None, source_format: str
) -> list[ReadinessSubmission]:
    """Append ``values`` (teryt, indicator, value, year, source) as one submission per TERYT.

    Earlier current rows of the same (teryt, indicator, year, origin) are marked superseded (kept as
    history). One UPDATE per (indicator, year) pair and one multi-row INSERT: no statement per value.
    """
    now = utcnow()
    teryts = sorted(values["teryt"].unique())
    versions = dict(
        session.execute(
            select(ReadinessSubmission.teryt, func.max(ReadinessSubmission.version))
            .where(ReadinessSubmission.teryt.in_(teryts), ReadinessSubmission.origin == origin)
            .group_by(ReadinessSubmission.teryt)
        ).all()  # rows are tuples (SQLAlchemy 2.1 deprecates Result.tuples())
    )
    counts = values.groupby("teryt").size()
    subs = [
        ReadinessSubmission(
            id=uuid.uuid4(), teryt=t, origin=origin, version=int(versions.get(t) or 0) + 1,
            submitted_by_org_id=org_id, source_format=source_format, value_count=int(counts[t]), created_at=now,
        )
        for t in teryts
    ]  # fmt: skip
    session.add_all(subs)
    session.flush()
    for (indicator, year), group in values.groupby(["indicator", "year"]):
        session.execute(
            update(ReadinessValue)
            .where(
                ReadinessValue.origin == origin,
                ReadinessValue.superseded_at.is_(None),
                ReadinessValue.indicator == indicator,
                ReadinessValue.year == int(year),
                ReadinessValue.teryt.in_(group["teryt"].unique().tolist()),
            )
            .values(superseded_at=now)
        )
    sub_of = {s.teryt: s.id for s in subs}
    records = values.assign(
        submission_id=values["teryt"].map(sub_of),
        origin=origin,
        created_at=now,
        year=values["year"].astype(int),
    )[["submission_id", "teryt", "indicator", "year", "value", "source", "origin", "created_at"]]
    session.execute(insert(ReadinessValue), records.to_dict("records"))
    session.flush()
    return subs


def stored_values(session: Session, teryts: Sequence[str] | None, history: bool = False) -> pd.DataFrame:
    """Stored (city and BDL) values of ``teryts`` (None = all); only current ones unless ``history``."""
    query = select(
        ReadinessValue.teryt, ReadinessValue.indicator, ReadinessValue.value, ReadinessValue.year,
        ReadinessValue.source, ReadinessValue.origin, ReadinessValue.created_at, ReadinessValue.superseded_at,
        ReadinessSubmission.version,
    ).join(ReadinessSubmission, ReadinessSubmission.id == ReadinessValue.submission_id)  # fmt: skip
    if teryts is not None:
        query = query.where(ReadinessValue.teryt.in_(list(teryts)))
    if not history:
        query = query.where(ReadinessValue.superseded_at.is_(None))
    rows = session.execute(query.order_by(ReadinessValue.id)).all()
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


def add_run(session: Session, org_id: uuid.UUID, request: dict, teryts: list[str]) -> ReadinessScoreRun:
    run = ReadinessScoreRun(org_id=org_id, request=request, teryts=teryts, status="queued")
    session.add(run)
    session.flush()
    return run


def add_scores(session: Session, run: ReadinessScoreRun, rows: list[dict]) -> None:
    now = utcnow()
    session.execute(insert(ReadinessScore), [{**r, "run_id": run.id, "created_at": now} for r in rows])
    session.flush()


def get_run(session: Session, run_id: uuid.UUID) -> ReadinessScoreRun | None:
    return session.get(ReadinessScoreRun, run_id)


def run_scores(session: Session, run_id: uuid.UUID, teryt: str | None = None) -> list[ReadinessScore]:
    query = select(ReadinessScore).where(ReadinessScore.run_id == run_id)
    if teryt:
        query = query.where(ReadinessScore.teryt == teryt)
    return list(session.scalars(query.order_by(ReadinessScore.teryt)))


def latest_score(session: Session, teryt: str) -> ReadinessScore | None:
    return session.scalar(
        select(ReadinessScore)
        .where(ReadinessScore.teryt == teryt)
        .order_by(ReadinessScore.id.desc())
        .limit(1)
    )


def latest_publication(session: Session, teryt: str) -> ReadinessPublication | None:
    return session.scalar(
        select(ReadinessPublication)
        .where(ReadinessPublication.teryt == teryt)
        .order_by(ReadinessPublication.seq.desc())
        .limit(1)
    )


def latest_head(session: Session, teryt: str) -> tuple[str, datetime | None] | None:
    """(snapshot id, withdrawn at) of the latest publication: one indexed query, no snapshot body."""
    row = session.execute(
        select(ReadinessPublication.snapshot_id, ReadinessPublication.withdrawn_at)
        .where(ReadinessPublication.teryt == teryt)
        .order_by(ReadinessPublication.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def publication(session: Session, teryt: str, snapshot_id: str) -> ReadinessPublication | None:
    return session.scalar(
        select(ReadinessPublication).where(
            ReadinessPublication.teryt == teryt, ReadinessPublication.snapshot_id == snapshot_id
        )
    )


def publications(session: Session, teryt: str) -> list[ReadinessPublication]:
    return list(
        session.scalars(
            select(ReadinessPublication)
            .where(ReadinessPublication.teryt == teryt)
            .order_by(ReadinessPublication.seq.desc())
        )
    )


def add_publication(session: Session, publication: ReadinessPublication) -> ReadinessPublication:
    session.add(publication)
    session.flush()
    return publication


def runs_of_org(session: Session, org_id: uuid.UUID, limit: int = 200) -> list[ReadinessScoreRun]:
    """The organisation's latest score runs, newest first."""
    return list(
        session.scalars(
            select(ReadinessScoreRun)
            .where(ReadinessScoreRun.org_id == org_id)
            .order_by(ReadinessScoreRun.created_at.desc())
            .limit(limit)
        )
    )
