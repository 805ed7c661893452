"""Use cases: start an assessment job, read it (JSON/CSV/XLSX), and the synchronous estimate."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from energy import carriers, district_heat
from energy.assess import AssessmentParams, AssessmentResult, assess_buildings
from energy.climate import Climate as EngineClimate
from energy.geo import in_poland
from energy.inventory.parsing import parse_inventory
from energy.pv.params import PVParams
from service.assessments import climates, document, repository, results
from service.assessments.document import AssessmentDocument
from service.assessments.models import Assessment
from service.assessments.schemas import (
    AssessmentList,
    AssessmentOut,
    AssessmentParamsIn,
    AssessmentRequest,
    AssessmentResultOut,
    ClimateList,
    ClimateOut,
    EstimateRequest,
)
from service.errors import Conflict, NotFound, PayloadTooLarge, ValidationProblem, engine_input
from service.exports import Dialect, csv_bytes, xlsx_bytes
from service.inventory import service as inventories
from service.inventory.service import issue_dict
from service.jobs.dispatch import Dispatcher, starting_jobs
from service.jobs.service import create_job
from service.jsonsafe import column_values, frame_json, frame_records, plain
from service.orgs.service import Principal, require_access
from service.settings import Settings

PARAM_FIELDS = (
    "prices_pln_per_kwh",
    "co2_kg_per_kwh",
    "w_primary",
    "grid_co2_kg_per_kwh",
    "include_pv",
    "pv_climate",
    "pv",
    "hdd_by_year",
    "district_heat_network",
    "rcem_pln_per_mwh_by_month",
    "rce_pln_per_mwh_hourly",
)


def engine_params(params: dict[str, Any]) -> AssessmentParams:
    """Engine parameters from the stored request dict; a bad value is the engine's error naming the
    field (a 422 by ``service.errors``' handler, a failed job in a worker)."""
    pv = params.get("pv") or {}
    carriers.carrier_factors(
        params.get("prices_pln_per_kwh"), params.get("co2_kg_per_kwh"), params.get("w_primary")
    )
    pv_params = PVParams(**{k: v for k, v in pv.items() if v is not None}) if pv else None
    declared = frozenset(
        k for k in ("w_primary", "co2_kg_per_kwh") if "district_heat" in (params.get(k) or {})
    )
    district_heat.validate_network(params.get("district_heat_network"), declared)
    return AssessmentParams(
        prices_pln_per_kwh=dict(params.get("prices_pln_per_kwh") or {}),
        co2_kg_per_kwh=dict(params.get("co2_kg_per_kwh") or {}),
        w_primary=dict(params.get("w_primary") or {}),
        grid_co2_kg_per_kwh=params.get("grid_co2_kg_per_kwh"),
        include_pv=bool(params.get("include_pv", True)),
        pv_params=pv_params,
        pv_climate=params.get("pv_climate", "scaled"),
        hdd_by_year={int(k): float(v) for k, v in (params.get("hdd_by_year") or {}).items()},
        district_heat_network=params.get("district_heat_network"),
        rcem_pln_per_mwh_by_month=params.get("rcem_pln_per_mwh_by_month"),
        rce_pln_per_mwh_hourly=params.get("rce_pln_per_mwh_hourly"),
    )


def params_dict(body: AssessmentParamsIn) -> dict[str, Any]:
    """The request's engine parameters as a JSON-safe dict (stored for reproducibility)."""
    return body.model_dump(mode="json", include=set(PARAM_FIELDS), exclude_none=False)


def _coords(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    nan = np.full(len(frame), np.nan)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float) if "lat" in frame else nan
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(float) if "lon" in frame else nan
    return lat, lon


def city_location(frame: pd.DataFrame, climate: Any | None, stored: bool = True) -> tuple[float, float, str]:
    """Where buildings without coordinates are placed [deg].

    ``service/teryt.py`` holds no coordinates, so: the mean of the buildings' coordinates, else the
    uploaded climate's site, else a problem naming it: a 409 for a ``stored`` inventory version (the
    request is well formed; the stored buildings lack coordinates), a 422 for buildings in the body
    (the estimate's schema states the rule).
    """
    lat, lon = _coords(frame)
    both = np.isfinite(lat) & np.isfinite(lon)
    if both.any():
        return (
            float(lat[both].mean()),
            float(lon[both].mean()),
            f"mean of {int(both.sum())} building coordinates",
        )
    if climate is not None:
        return float(climate.lat), float(climate.lon), f"site of climate '{climate.name}'"
    problem = Conflict if stored else ValidationProblem
    raise problem(
        "no building has lat/lon and no climate was given: the city's location is unknown",
        errors=[{"field": "lat/lon", "reason": "give coordinates for at least one building or a climate_id"}],
    )


def check_in_poland(frame: pd.DataFrame, city_lat: float, city_lon: float, has_climate: bool) -> None:
    """422 naming the buildings outside Poland when no user climate was given."""
    if has_climate:
        return
    lat, lon = _coords(frame)
    lat, lon = np.where(np.isfinite(lat), lat, city_lat), np.where(np.isfinite(lon), lon, city_lon)
    outside = ~in_poland(lat, lon)
    if outside.any():
        rows = np.flatnonzero(outside)
        ids = frame["building_id"].astype(str).to_numpy()[rows]
        raise ValidationProblem(
            f"{len(rows)} building(s) lie outside Poland and no climate_id was given "
            f"(upload a PVGIS TMY or EPW file at POST /v1/climates): {', '.join(ids[:10])}",
            errors=[
                {
                    "row": int(r) + 1,
                    "field": "lat/lon",
                    "value": str(b),
                    "reason": "outside Poland: no packaged climate",
                }
                for r, b in zip(rows[:50], ids[:50], strict=True)
            ],
        )


def run_engine(
    frame: pd.DataFrame,
    params: dict[str, Any],
    city_lat: float,
    city_lon: float,
    climate: EngineClimate | None,
    progress: Callable[[float, str], None] | None = None,
) -> AssessmentResult:
    """The single call of the energy engine shared by the job and the synchronous estimate."""
    return assess_buildings(
        frame,
        city_lat=city_lat,
        city_lon=city_lon,
        climate=climate,
        params=engine_params(params),
        progress=progress,
    )


def start_assessment(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID,
    body: AssessmentRequest,
    fixed_ids: tuple[uuid.UUID, uuid.UUID] | None = None,
):
    """Validate everything that can be validated now, store the assessment row and its job (flush only).

    ``fixed_ids`` (assessment id, job id) are chosen ids (the demo's documented ones); else random."""
    principal.require("jobs:write")
    inventory = inventories.inventory_row(session, inventory_id)
    if inventory is None:
        raise NotFound(f"inventory {inventory_id} not found")
    require_access(session, principal, inventory.org_id, "plan", f"inventory {inventory_id}")
    number = body.version or inventory.latest_version
    version = inventories.find_version(session, inventory.id, number)
    if version is None:
        raise NotFound(
            f"inventory {inventory_id} has no version {number}",
            errors=[{"field": "version", "value": number, "reason": "no such version"}],
        )
    climate_row = climates.visible_climate(session, principal, body.climate_id) if body.climate_id else None
    params = params_dict(body)
    engine_params(params)
    # three fields of each building, read by the database from the records: not every record
    frame = inventories.building_coordinates(session, version.id)
    lat, lon, where = city_location(frame, climate_row)
    check_in_poland(frame, lat, lon, climate_row is not None)
    assessment = repository.add_assessment(
        session,
        id=fixed_ids[0] if fixed_ids else uuid.uuid4(),
        owner_org_id=inventory.org_id,
        created_by_org_id=principal.org_id,
        inventory_id=inventory.id,
        version_id=version.id,
        inventory_version=version.version,
        climate_id=climate_row and climate_row.id,
        params=params,
        city_lat=lat,
        city_lon=lon,
        city_location_source=where,
    )
    job = create_job(
        session,
        principal,
        kind="energy_assessment",
        owner_org_id=inventory.org_id,
        subject_type="assessment",
        subject_id=str(assessment.id),
        params={"assessment_id": str(assessment.id), "building_count": version.building_count},
        job_id=fixed_ids[1] if fixed_ids else None,
    )
    assessment.job_id = job.id
    session.flush()
    return assessment, job


def submit_assessment(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID,
    body: AssessmentRequest,
    dispatcher: Dispatcher,
) -> Assessment:
    """:func:`start_assessment`, committed and its job sent (the workspace's form; the API answers
    with 202 through ``service.jobs.dispatch.accepted``). A refused request stores nothing."""
    with starting_jobs(session, dispatcher) as started:
        assessment, job = start_assessment(session, principal, inventory_id, body)
        started.append(job.id)
    return assessment


def visible_assessment(session: Session, principal: Principal, assessment_id: uuid.UUID) -> Assessment:
    principal.require("inventory:read")
    assessment = repository.get_assessment(session, assessment_id)
    if assessment is None:
        raise NotFound(f"assessment {assessment_id} not found")
    require_access(session, principal, assessment.owner_org_id, "read", f"assessment {assessment_id}")
    return assessment


def assessment_row(session: Session, assessment_id: uuid.UUID) -> Assessment | None:
    """The assessment of this id without a tenancy check (for another domain that checks the owner)."""
    return repository.get_assessment(session, assessment_id)


def list_for_inventory(session: Session, inventory: Any) -> list[Assessment]:
    """The assessments of a visible inventory (the caller checked the inventory's visibility)."""
    return list(repository.list_assessments(session, inventory.id))


STORED_FIELDS = ("building_id", "building_type", "co2_t_per_year", "ep_kwh_per_m2_year")


def stored_buildings(result: AssessmentResult) -> tuple[dict[str, list[Any]], list[str]]:
    """What an assessment stores per building: the columns it queries by (JSON-safe values) and each
    building's flat record as JSON text, made column by column (``frame_json``: a 5,000-building
    result is 21 MB of JSON, and this is where a job spent most of its storing time)."""
    frame = result.buildings
    fields = {k: column_values(frame[k]) if k in frame else [None] * len(frame) for k in STORED_FIELDS}
    return fields, frame_json(frame)


def result_payload(result: AssessmentResult, records: bool = True) -> dict[str, Any]:
    """JSON-safe result (flat building records, totals, warnings, meta) of one engine run; without
    the building records for ``records=False`` (a job stores them through :func:`stored_buildings`)."""
    return {
        "buildings": frame_records(result.buildings) if records else [],
        "totals_by_type": frame_records(result.totals_by_type),
        "totals": {k: plain(v) for k, v in result.totals.items()},
        "warnings": [{k: plain(v) for k, v in w.items()} for w in result.warnings],
        "meta": json.loads(json.dumps(result.meta, default=plain)),
    }


def _outside_poland(issue: dict[str, Any]) -> bool:
    return issue.get("field") in ("lat", "lon") and "not in Poland" in str(issue.get("reason"))


def parse_estimate_buildings(
    buildings: list[dict[str, Any]], settings: Settings, has_climate: bool
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The inventory intake's parsing and validation of the body's buildings.

    Intake rejects points outside Poland; the estimate accepts them when a user climate covers the
    site, and otherwise answers 422 naming each such building.
    """
    raw = json.dumps({"buildings": buildings}, default=str).encode("utf-8")
    parsed = parse_inventory(raw, content_type="application/json", max_rows=settings.max_sync_buildings)
    issues = [issue_dict(i) for i in parsed.errors]
    outside = [i for i in issues if _outside_poland(i)]
    others = [i for i in issues if not _outside_poland(i)]
    if others:
        raise ValidationProblem(f"{len(others)} error(s) in the buildings", errors=others)
    if outside and not has_climate:
        ids = [str(buildings[int(i["row"]) - 1].get("building_id")) for i in outside]
        raise ValidationProblem(
            f"{len(ids)} building(s) lie outside Poland and no climate_id was given "
            f"(upload a PVGIS TMY or EPW file at POST /v1/climates): {', '.join(ids[:10])}",
            errors=[
                {**i, "value": b, "reason": "outside Poland: no packaged climate; " + str(i["reason"])}
                for i, b in zip(outside, ids, strict=True)
            ],
        )
    return parsed.buildings, [issue_dict(w) for w in parsed.warnings]


def estimate(
    session: Session, principal: Principal, body: EstimateRequest, settings: Settings
) -> dict[str, Any]:
    """Synchronous assessment of up to ``settings.max_sync_buildings`` buildings given in the body."""
    principal.require("jobs:write")
    n = len(body.buildings)
    if n > settings.max_sync_buildings:
        raise PayloadTooLarge(
            f"{n} buildings; the synchronous estimate takes at most {settings.max_sync_buildings} "
            "(submit an inventory and start an assessment job for more)",
            errors=[{"field": "buildings", "value": n, "reason": f"more than {settings.max_sync_buildings}"}],
        )
    climate_row = climates.visible_climate(session, principal, body.climate_id) if body.climate_id else None
    frame, intake_warnings = parse_estimate_buildings(body.buildings, settings, climate_row is not None)
    params = params_dict(body)
    lat, lon, where = city_location(frame, climate_row, stored=False)
    check_in_poland(frame, lat, lon, climate_row is not None)
    climate = climates.engine_climate(climate_row) if climate_row is not None else None
    engine_params(params)  # a bad parameter: the engine's error names its field
    with engine_input(field=None):  # a building's error names its row in the message
        result = run_engine(frame, params, lat, lon, climate)
    payload = result_payload(result)
    payload["meta"].update(
        city_lat=lat,
        city_lon=lon,
        city_location_source=where,
        climate_id=str(climate_row.id) if climate_row else None,
    )
    payload["warnings"] = intake_warnings + payload["warnings"]
    return payload


CHART_KINDS = ("map", "ep", "co2_by_type", "pv")


def chart_svg(
    session: Session, principal: Principal, assessment_id: uuid.UUID, kind: str, lang: str = "pl"
) -> str:
    """One SVG chart of a finished assessment in ``lang`` (labels and numbers); see :func:`_draw_chart`."""
    from service.charts.i18n import chart_language

    with chart_language(lang):
        return _draw_chart(session, principal, assessment_id, kind)


def _draw_chart(session: Session, principal: Principal, assessment_id: uuid.UUID, kind: str) -> str:
    """One SVG chart of a finished assessment (``service.charts``); 409 when there are no results yet or
    the chart's data is absent (PV chart of a run without PV)."""
    from service.charts import ChartInputError
    from service.charts.assessment import co2_by_type_svg, ep_chart_svg, pv_by_type_svg
    from service.charts.maps import assessment_map_svg
    from service.errors import Conflict

    row = visible_assessment(session, principal, assessment_id)
    if row.totals is None:
        raise Conflict(f"assessment {assessment_id} has no results yet (see its job)")
    from service.charts.i18n import tr

    inventory_name = inventories.inventory_name(session, row.inventory_id)
    name = tr("{name} (version {v})", name=inventory_name, v=row.inventory_version)
    try:
        if kind == "co2_by_type":
            return co2_by_type_svg(
                row.totals_by_type or [], tr("CO₂ emissions by building type – {name}", name=name)
            )
        if kind == "pv":
            return pv_by_type_svg(
                row.totals_by_type or [], tr("Rooftop PV potential vs self-consumption – {name}", name=name)
            )
        # only the fields the charts draw, extracted by the database (not every building's record)
        text = ("building_id", "name", "building_type")
        numbers = ("heated_area_m2", "ep_kwh_per_m2_year", "ep_hw_kwh_per_m2_year",
                   "ep_limit_kwh_per_m2_year", "co2_t_per_year")  # fmt: skip
        records = _fields_table(session, row, text, numbers)
        if records["ep_hw_kwh_per_m2_year"].notna().any():
            # The WT 2021 limit applies to EP_H+W (heating and hot water), so that is what is drawn.
            records["ep_kwh_per_m2_year"] = records["ep_hw_kwh_per_m2_year"]
        if kind == "ep":
            return ep_chart_svg(records, tr("EP against the limit – {name}", name=name))
        coords = inventories.building_coordinates(session, row.version_id)
        located = records.drop(columns=["lat", "lon"], errors="ignore").merge(
            coords, on="building_id", how="left"
        )
        return assessment_map_svg(located, tr("Buildings by EP / limit – {name}", name=name))
    except ChartInputError as exc:
        raise Conflict(str(exc), errors=[{"field": exc.field, "reason": str(exc)}]) from exc


def finished_assessment(session: Session, principal: Principal, assessment_id: uuid.UUID) -> Assessment:
    """A visible assessment with results (404 for another tenant, 409 while its job runs)."""
    from service.errors import Conflict

    row = visible_assessment(session, principal, assessment_id)
    if row.totals is None or row.finished_at is None:
        raise Conflict(f"assessment {assessment_id} has no results yet (see its job)")
    return row


def load_document(session: Session, principal: Principal, assessment_id: uuid.UUID) -> AssessmentDocument:
    """A finished assessment with everything its workbook and report show (409 while it runs)."""
    return document_of(session, finished_assessment(session, principal, assessment_id))


def building_table(
    session: Session,
    row: Assessment,
    text: tuple[str, ...],
    numbers: tuple[str, ...],
    flags: tuple[str, ...] = (),
) -> tuple[str, pd.DataFrame]:
    """The inventory's name and a table of the named fields of every building (the workspace's table)
    of a finished assessment row the request has already been shown (:func:`visible_assessment`),
    without loading the whole result document."""
    if row.totals is None:
        from service.errors import Conflict

        raise Conflict(f"assessment {row.id} has no results yet (see its job)")
    return inventories.inventory_name(session, row.inventory_id), _fields_table(
        session, row, text, numbers, flags
    )


def _fields_table(
    session: Session,
    row: Assessment,
    text: tuple[str, ...],
    numbers: tuple[str, ...],
    flags: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A few fields of every building record of ``row``, extracted by the database, as a frame."""
    records = repository.load_building_columns(session, row.id, text, numbers, flags)
    return pd.DataFrame.from_records(records, columns=[*text, *numbers, *flags])


def document_of(session: Session, row: Assessment) -> AssessmentDocument:
    """The document of a finished assessment row whose visibility was checked (a request's, or the
    job's that the request created)."""
    from service.orgs.service import get_org

    records = pd.DataFrame.from_records(repository.load_building_records(session, row.id))
    coords = inventories.building_coordinates(session, row.version_id)
    buildings = records.drop(columns=["lat", "lon"], errors="ignore").merge(
        coords, on="building_id", how="left"
    )
    meta = dict(row.meta or {})
    warnings = list(meta.pop("warnings", []) or [])
    assert row.totals is not None and row.finished_at is not None
    return AssessmentDocument(
        assessment_id=row.id,
        inventory_id=row.inventory_id,
        inventory_name=inventories.inventory_name(session, row.inventory_id),
        inventory_version=row.inventory_version,
        city_name=get_org(session, str(row.owner_org_id)).name,
        engine_version=row.engine_version or "",
        created_at=row.created_at,
        finished_at=row.finished_at,
        params=dict(row.params or {}),
        buildings=buildings,
        totals=dict(row.totals),
        totals_by_type=list(row.totals_by_type or []),
        meta=meta,
        warnings=warnings,
    )


def job_document(session: Session, assessment_id: uuid.UUID) -> AssessmentDocument | None:
    """The document a report job renders (its request checked tenancy), or None when the assessment
    was deleted or has no results."""
    row = repository.get_assessment(session, assessment_id)
    if row is None or row.totals is None or row.finished_at is None:
        return None
    return document_of(session, row)


def stored_report(session: Session, row: Assessment, lang: str) -> bytes | None:
    """The PDF a report job stored for this assessment, language and engine version, if done."""
    from energy import ENGINE_VERSION

    report = repository.get_report(session, row.id, lang, ENGINE_VERSION)
    return report.content if report is not None else None


def report_state(session: Session, row: Assessment, lang: str) -> tuple[bool, Any]:
    """Whether the report job's PDF of this assessment and language is stored, and its latest job."""
    from energy import ENGINE_VERSION

    report = repository.get_report(session, row.id, lang, ENGINE_VERSION)
    if report is None:
        return False, None
    return report.content is not None, repository.get_job(session, report.job_id)


def report_job(session: Session, principal: Principal, row: Assessment, lang: str) -> tuple[Any, bool]:
    """The report job of this assessment and language: the one queued or running, else a new one
    (flush only). Returns the job and whether it is new (to be dispatched after the commit)."""
    from energy import ENGINE_VERSION
    from service.jobs.service import FINAL_STATUSES

    report = repository.claim_report(session, row.id, lang, ENGINE_VERSION)
    job = repository.get_job(session, report.job_id)
    if job is not None and job.status not in FINAL_STATUSES:
        return job, False
    job = create_job(
        session,
        principal,
        kind="energy_report",
        owner_org_id=row.owner_org_id,
        subject_type="assessment",
        subject_id=str(row.id),
        params={"lang": lang, "building_count": row.building_count},
    )
    report.job_id = job.id
    session.flush()
    return job, True


def store_report(session: Session, assessment_id: uuid.UUID, lang: str, content: bytes, pages: int) -> None:
    """Keep a report job's PDF (flush only: the job's final status commits with it)."""
    from energy import ENGINE_VERSION
    from service.db import utcnow

    report = repository.claim_report(session, assessment_id, lang, ENGINE_VERSION)
    report.content, report.pages, report.finished_at = content, pages, utcnow()
    session.flush()


def export_file(
    session: Session, principal: Principal, assessment_id: uuid.UUID, fmt: str, dialect: Dialect, lang: str
) -> tuple[bytes, str]:
    """The per-building CSV (``plain`` or ``excel-pl``) or the XLSX workbook of a finished assessment;
    returns the bytes and the download name."""
    doc = load_document(session, principal, assessment_id)
    if fmt == "csv":
        frame = results.export_frame(
            doc.buildings.drop(columns=["lat", "lon"], errors="ignore").to_dict("records")
        )
        return csv_bytes(frame, dialect, lang), f"{doc.stem}.csv"
    return xlsx_bytes(document.sheets(doc, lang), lang), f"{doc.stem}.xlsx"


# The answers of the API: pydantic schemas built here, with the jobs they show loaded in one query.


def assessment_view(session: Session, principal: Principal, assessment_id: uuid.UUID) -> AssessmentOut:
    """A visible assessment with its job and, once finished, its per-building result."""
    row = visible_assessment(session, principal, assessment_id)
    out = AssessmentOut.model_validate(row)
    if row.totals is not None:
        meta = dict(row.meta or {})
        out.result = AssessmentResultOut(
            buildings=[results.nest(r) for r in repository.load_building_records(session, row.id)],
            totals_by_type=row.totals_by_type or [],
            totals=row.totals,
            warnings=meta.pop("warnings", []),
            meta=meta,
        )
    return out


def assessment_list(session: Session, principal: Principal, inventory_id: uuid.UUID) -> AssessmentList:
    """The assessments of a visible inventory, newest first, each with its job (two queries in all)."""
    inventory = inventories.visible_inventory(session, principal, inventory_id)
    rows = repository.list_assessments(session, inventory.id)  # with their jobs
    items = [AssessmentOut.model_validate(r) for r in rows]
    return AssessmentList(items=items, count=len(items))


def estimate_out(session: Session, principal: Principal, body: EstimateRequest, settings: Settings) -> Any:
    """The synchronous estimate in the shape of an assessment's result."""
    payload = estimate(session, principal, body, settings)
    return AssessmentResultOut(**{**payload, "buildings": [results.nest(r) for r in payload["buildings"]]})


def upload_climate(
    session: Session, principal: Principal, content: bytes, filename: str | None, name: str | None
) -> ClimateOut:
    return ClimateOut.model_validate(climates.upload_climate(session, principal, content, filename, name))


def climate_list(session: Session, principal: Principal) -> ClimateList:
    items = [ClimateOut.model_validate(c) for c in climates.list_climates(session, principal)]
    return ClimateList(items=items, count=len(items))


def climate_view(session: Session, principal: Principal, climate_id: uuid.UUID) -> ClimateOut:
    return ClimateOut.model_validate(climates.visible_climate(session, principal, climate_id))
