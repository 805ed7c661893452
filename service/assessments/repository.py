"""All queries on assessments, their per-building results and named climates."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from service.assessments.models import Assessment, AssessmentBuilding, AssessmentReport, Climate
from service.db import JsonText, bulk_insert
from service.jobs.models import Job


def add_climate(session: Session, **values: Any) -> Climate:
    climate = Climate(**values)
    session.add(climate)
    session.flush()
    return climate


def get_climate(session: Session, climate_id: uuid.UUID) -> Climate | None:
    return session.get(Climate, climate_id)


def list_climates(session: Session, org_ids: list[uuid.UUID]) -> list[Climate]:
    query = select(Climate).where(Climate.org_id.in_(org_ids)).order_by(Climate.created_at.desc())
    return list(session.scalars(query))


def add_assessment(session: Session, **values: Any) -> Assessment:
    assessment = Assessment(**values)
    session.add(assessment)
    session.flush()
    return assessment


def get_assessment(session: Session, assessment_id: uuid.UUID) -> Assessment | None:
    return session.get(Assessment, assessment_id)


def list_assessments(session: Session, inventory_id: uuid.UUID) -> list[Assessment]:
    """The assessments of an inventory, newest first, with their jobs (two queries whatever their number)."""
    query = (
        select(Assessment)
        .options(selectinload(Assessment.job))
        .where(Assessment.inventory_id == inventory_id)
    )
    return list(session.scalars(query.order_by(Assessment.created_at.desc())))


def get_job(session: Session, job_id: uuid.UUID | None) -> Job | None:
    return session.get(Job, job_id) if job_id is not None else None


def store_buildings(
    session: Session, assessment_id: uuid.UUID, fields: dict[str, list[Any]], data: list[str]
) -> None:
    """One row per building: ``fields`` holds the columns ``building_id``, ``building_type``,
    ``co2_t_per_year`` and ``ep_kwh_per_m2_year`` (JSON-safe values, in building order), ``data``
    each building's flat record as JSON text (``service.jsonsafe.frame_json``), stored as it is."""
    rows = [
        {
            "assessment_id": assessment_id,
            "position": i,
            "building_id": str(building_id),
            "building_type": str(building_type),
            "co2_t_per_year": co2,
            "ep_kwh_per_m2_year": ep,
            "data": JsonText(record),
        }
        for i, (building_id, building_type, co2, ep, record) in enumerate(
            zip(fields["building_id"], fields["building_type"], fields["co2_t_per_year"],
                fields["ep_kwh_per_m2_year"], data, strict=True)
        )
    ]  # fmt: skip
    bulk_insert(session, AssessmentBuilding, rows)
    session.flush()


def load_building_records(session: Session, assessment_id: uuid.UUID) -> list[dict[str, Any]]:
    query = (
        select(AssessmentBuilding.data)
        .where(AssessmentBuilding.assessment_id == assessment_id)
        .order_by(AssessmentBuilding.position)
    )
    return list(session.scalars(query))


def load_building_columns(
    session: Session,
    assessment_id: uuid.UUID,
    text: tuple[str, ...],
    numbers: tuple[str, ...],
    flags: tuple[str, ...] = (),
) -> list[tuple[Any, ...]]:
    """A few fields of every building record, extracted by the database from the JSON (one query;
    a 5,000-building page reads 11 fields, not 14 MB of records), in the record order."""
    data = AssessmentBuilding.data
    columns = (
        [data[k].as_string().label(k) for k in text]
        + [data[k].as_float().label(k) for k in numbers]
        + [data[k].as_boolean().label(k) for k in flags]
    )
    query = (
        select(*columns)
        .where(AssessmentBuilding.assessment_id == assessment_id)
        .order_by(AssessmentBuilding.position)
    )
    return [tuple(r) for r in session.execute(query)]


def get_report(
    session: Session, assessment_id: uuid.UUID, lang: str, engine_version: str
) -> AssessmentReport | None:
    return session.scalar(
        select(AssessmentReport).where(
            AssessmentReport.assessment_id == assessment_id,
            AssessmentReport.lang == lang,
            AssessmentReport.engine_version == engine_version,
        )
    )


def claim_report(
    session: Session, assessment_id: uuid.UUID, lang: str, engine_version: str
) -> AssessmentReport:
    """The report row of this key, created if missing; two requests racing get the same row."""
    row = get_report(session, assessment_id, lang, engine_version)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = AssessmentReport(assessment_id=assessment_id, lang=lang, engine_version=engine_version)
            session.add(row)
    except IntegrityError:
        row = get_report(session, assessment_id, lang, engine_version)
        assert row is not None
    return row
