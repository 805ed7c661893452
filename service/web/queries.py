"""What each workspace page shows, gathered from the same service functions the JSON API calls.

Each page handler calls one function here; these call only domain services (never HTTP, never the
repositories of another part directly, except through the services' own helpers).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from service.errors import ProblemError
from service.inventory import service as inventories
from service.inventory.diff import diff_inventories
from service.inventory.summary import summarise
from service.jobs.dispatch import Dispatcher
from service.orgs.service import Principal, access_level
from service.settings import Settings


@dataclass
class InventoryView:
    inventory: Any
    versions: list[Any]
    latest: Any | None
    summary: dict[str, Any] | None
    access: str | None
    assessments: list[Any] = field(default_factory=list)


def inventory_list(session: Session, principal: Principal) -> list[Any]:
    return inventories.list_inventories(session, principal)


def inventory_view(session: Session, principal: Principal, inventory_id: uuid.UUID) -> InventoryView:
    from service.assessments import service as assessments

    inv = inventories.visible_inventory(session, principal, inventory_id)
    versions = inventories.list_versions(session, inv)
    latest = versions[-1] if versions else None
    if versions and versions[0].version > versions[-1].version:
        latest = versions[0]
    summary = summarise(inventories.version_buildings(session, latest)) if latest else None
    view = InventoryView(inv, versions, latest, summary, access_level(session, principal, inv.org_id))
    view.assessments = assessments.list_for_inventory(session, inv)
    return view


def upload_inventory(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID | None,
    name: str,
    content: bytes,
    content_type: str,
    filename: str | None,
    settings: Settings,
) -> tuple[uuid.UUID, int]:
    """A new inventory (``inventory_id`` None) or a new version, committed: the same use case as
    ``POST /v1/inventories``. Returns the inventory's id and the new version's number."""
    if not content:
        from service.errors import ValidationProblem

        raise ValidationProblem(
            "no file was chosen", errors=[{"row": None, "field": "file", "value": None, "reason": "empty"}]
        )
    if inventory_id is None:
        created = inventories.submit_inventory(
            session, principal, name or None, content, content_type, filename, settings
        )
        return created.inventory.id, created.version.version
    version = inventories.submit_version(
        session, principal, inventory_id, content, content_type, filename, settings
    )
    return inventory_id, version.version


def version_diff(
    session: Session, principal: Principal, inventory_id: uuid.UUID, old: int, new: int
) -> dict[str, Any]:
    a = inventories.get_version(session, principal, inventory_id, old)
    b = inventories.get_version(session, principal, inventory_id, new)
    return diff_inventories(
        inventories.version_buildings(session, a), inventories.version_buildings(session, b)
    )


def is_problem(exc: BaseException) -> bool:
    return isinstance(exc, ProblemError)


@dataclass
class AssessFormView:
    inventory: Any
    climates: list[Any]
    defaults: list[Any]


def assess_form(session: Session, principal: Principal, inventory_id: uuid.UUID) -> AssessFormView:
    from service.assessments import climates
    from service.web.assessing import default_values

    inv = inventories.visible_inventory(session, principal, inventory_id, need="plan")
    return AssessFormView(inv, climates.list_climates(session, principal), default_values())


def start_assessment(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID,
    form: dict[str, str],
    lang: str,
    dispatcher: Dispatcher,
) -> Any:
    """The same job as ``POST /v1/inventories/{id}/assessments`` with the form's overrides, committed
    and sent; returns the assessment row."""
    from service.assessments import service as assessments
    from service.web.assessing import parse_form

    body = parse_form(form, lang)
    return assessments.submit_assessment(session, principal, inventory_id, body, dispatcher)


@dataclass
class AssessmentSummary:
    """What the assessment page shows above its table: the inventory's name, the city totals and when
    the run finished (the table itself is read field by field, see ``assessment_view``)."""

    inventory_name: str
    totals: dict[str, Any]
    finished_at: Any


@dataclass
class AssessmentView:
    row: Any
    job: Any | None
    document: AssessmentSummary | None
    charts: dict[str, str] = field(default_factory=dict)
    buildings: list[dict[str, Any]] = field(default_factory=list)


CHART_KINDS = ("map", "ep", "co2_by_type", "pv")


def assessment_view(
    session: Session, principal: Principal, assessment_id: uuid.UUID, lang: str = "pl"
) -> AssessmentView:
    """A running assessment (its job) or a finished one (document, charts, per-building rows)."""
    from service.assessments import service as assessments
    from service.jobs import service as jobs

    row = assessments.visible_assessment(session, principal, assessment_id)
    job = jobs.get_job(session, principal, row.job_id) if row.job_id else None
    if row.totals is None:
        return AssessmentView(row, job, None)
    flags = ("meets_ep_limit",)
    text = ("building_id", "name", "building_type")
    numbers = tuple(c for c in TABLE_COLUMNS if c not in text + flags)
    inventory_name, table = assessments.building_table(session, row, text, numbers, flags)
    summary = AssessmentSummary(inventory_name, dict(row.totals or {}), row.finished_at)
    return AssessmentView(row, job, summary, buildings=_rows(table, lang))


def assessment_chart(
    session: Session, principal: Principal, assessment_id: uuid.UUID, kind: str, lang: str = "pl"
) -> tuple[str, Any] | None:
    """One chart of a finished assessment in the reader's language, loaded by the page after its first
    render: ``("svg", text)`` (the same SVG as the API's chart endpoints); None when that chart has no
    data (e.g. PV of a run without PV)."""
    from service.assessments import service as assessments
    from service.errors import NotFound

    if kind not in CHART_KINDS:
        raise NotFound(f"no chart '{kind}'")
    try:
        return "svg", assessments.chart_svg(session, principal, assessment_id, kind, lang)
    except ProblemError as exc:
        if exc.status == 409:
            return None
        raise


TABLE_COLUMNS = [
    "building_id",
    "name",
    "building_type",
    "heated_area_m2",
    "ep_hw_kwh_per_m2_year",
    "ep_limit_kwh_per_m2_year",
    "meets_ep_limit",
    "co2_t_per_year",
    "cost_pln_per_year",
    "pv_capacity_kwp",
    "pv_yield_kwh_per_year",
]


# column -> decimals shown in the building table (its text column is "<column>__text")
TABLE_DIGITS = {
    "heated_area_m2": 0,
    "ep_hw_kwh_per_m2_year": 1,
    "ep_limit_kwh_per_m2_year": 0,
    "co2_t_per_year": 1,
    "cost_pln_per_year": 0,
    "pv_capacity_kwp": 1,
}


def _rows(frame: Any, lang: str) -> list[dict[str, Any]]:
    """The building table's columns, NaN as None, each number also as locale text (Babel, one
    pattern per column)."""
    from service.web.numbers import format_column

    table = frame.reindex(columns=TABLE_COLUMNS)
    numeric = {c: table[c].to_numpy(dtype=float, na_value=np.nan) for c in TABLE_DIGITS}
    table = table.astype(object).where(table.notna(), None)
    for column, digits in TABLE_DIGITS.items():
        table[f"{column}__text"] = format_column(numeric[column], lang, digits)
    return table.to_dict("records")


def job_progress(session: Session, principal: Principal, assessment_id: uuid.UUID) -> tuple[Any, Any]:
    from service.assessments import service as assessments
    from service.jobs import service as jobs

    row = assessments.visible_assessment(session, principal, assessment_id)
    return row, (jobs.get_job(session, principal, row.job_id) if row.job_id else None)


def building_view(
    session: Session, principal: Principal, assessment_id: uuid.UUID, building_id: str
) -> tuple[Any, dict[str, Any]]:
    from service.assessments import service as assessments
    from service.assessments.results import nest
    from service.errors import NotFound

    doc = assessments.load_document(session, principal, assessment_id)
    match = doc.buildings[doc.buildings["building_id"].astype(str) == building_id]
    if match.empty:
        raise NotFound(f"assessment {assessment_id} has no building {building_id}")
    record = match.astype(object).where(match.notna(), None).iloc[0].to_dict()
    return doc, nest(record) | {"lat": record.get("lat"), "lon": record.get("lon")}


def assessment_download(
    session: Session, principal: Principal, assessment_id: uuid.UUID, kind: str, lang: str
) -> tuple[bytes, str, str]:
    """The same files as the API's downloads (the browser has the session cookie, not a Bearer key):
    ``xlsx`` or ``csv`` (excel-pl dialect; the PDF is ``service.reports.service.energy_report_started``); returns bytes, file
    name and kind."""
    from service.assessments import service as assessments
    from service.errors import NotFound

    if kind not in ("xlsx", "csv"):
        raise NotFound(f"no download '{kind}'")
    content, name = assessments.export_file(session, principal, assessment_id, kind, "excel-pl", lang)
    return content, name, kind


def inventory_download(
    session: Session, principal: Principal, inventory_id: uuid.UUID, version: int
) -> tuple[bytes, str]:
    """One version's buildings as XLSX with the API's column names (editable and submittable again)."""
    from service.inventory.export import to_xlsx_bytes

    ver = inventories.get_version(session, principal, inventory_id, version)
    content = to_xlsx_bytes(inventories.version_buildings(session, ver))
    return content, f"inventory-{inventory_id}-v{ver.version}.xlsx"
