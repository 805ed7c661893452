"""Named user climates: upload (PVGIS TMY csv/json or EPW, read by ``energy.climate``), list, load."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from energy.climate import Climate as EngineClimate
from energy.climate import climate_format, read_user_climate
from service.assessments import repository
from service.assessments.models import Climate
from service.errors import NotFound, engine_input
from service.orgs.service import Principal, visible_city_ids


def upload_climate(
    session: Session, principal: Principal, content: bytes, filename: str | None, name: str | None
) -> Climate:
    """Parse and validate the file first (nothing is stored when it is bad), then store it verbatim."""
    principal.require("jobs:write")
    filename = filename or "climate"  # a raw body without ?filename= is told by its content
    label = (name or filename).strip()[:200] or filename
    with engine_input(field="file", value=filename):  # unknown, truncated or impossible: a 422 naming it
        climate = read_user_climate(content, filename, label)
    hourly = climate.hourly
    return repository.add_climate(
        session,
        org_id=principal.org_id,
        name=label,
        filename=filename[:200],
        file_format=climate_format(content, filename),
        content=content,
        source=climate.source[:300],
        period=climate.period[:200],
        lat=climate.lat,
        lon=climate.lon,
        altitude_m=climate.altitude_m,
        ghi_kwh_m2_per_year=float(hourly["ghi"].sum()) / 1000.0,
        mean_temp_air_c=float(hourly["temp_air"].mean()),
    )


def visible_climate(session: Session, principal: Principal, climate_id: uuid.UUID) -> Climate:
    """The caller's own climates and those of cities it may see; others are 404."""
    row = repository.get_climate(session, climate_id)
    if row is None or row.org_id not in visible_city_ids(session, principal):
        raise NotFound(
            f"climate {climate_id} not found",
            errors=[{"field": "climate_id", "value": str(climate_id), "reason": "not found"}],
        )
    return row


def climate_row(session: Session, climate_id: uuid.UUID) -> Climate | None:
    """The stored climate of this id without a tenancy check (a job whose request checked it)."""
    return repository.get_climate(session, climate_id)


def list_climates(session: Session, principal: Principal) -> list[Climate]:
    return repository.list_climates(session, visible_city_ids(session, principal))


def engine_climate(row: Climate) -> EngineClimate:
    """Re-read the stored file (it was validated at upload, so this does not fail on good rows)."""
    climate = read_user_climate(row.content, row.filename, row.name)
    climate.station_id = f"user:{row.id}"
    return climate
