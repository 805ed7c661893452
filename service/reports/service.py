"""Use cases: the PDF of an assessment, a portfolio (plan) and a readiness run, for one reader's language.

Each reads its data through the same service functions as the JSON and the spreadsheets (same key,
same tenancy: another tenant's id is a 404; 409 while the job has not finished) and renders it with
``service.reports.pdf``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from service.assessments import service as assessments
from service.i18n import fmt_date, negotiate, translator
from service.orgs.service import Principal
from service.portfolios import service as portfolios
from service.readiness import service as readiness_service
from service.reports import energy, plan, readiness
from service.reports.pdf import render_pdf, svg_data_uri


def _frame(lang: str, run_id: uuid.UUID, engine_version: str, created: dt.datetime) -> dict[str, Any]:
    return {
        "run_id": str(run_id),
        "engine_version": engine_version,
        "created_iso": created.replace(microsecond=0, tzinfo=None).isoformat() + "Z",
        "created_date": fmt_date(created, lang),
    }


def energy_report(
    session: Session, principal: Principal, assessment_id: uuid.UUID, lang: str
) -> tuple[bytes, str]:
    """The energy diagnosis of public buildings of a finished assessment, as PDF bytes and a file name."""
    lang = negotiate(lang)
    t = translator(lang)
    doc = assessments.load_document(session, principal, assessment_id)
    ctx = energy.context(doc, lang)
    toc = [
        ("summary", t.gettext("Summary for decision makers")),
        ("inventory", t.gettext("The inventory by type and construction era")),
        ("ep", t.gettext("EP against the WT 2021 limits")),
        ("co2", t.gettext("CO₂ and cost by building type")),
        ("pv", t.gettext("Rooftop PV potential and its value")),
        ("calibration", t.gettext("Calibration against meters")),
        ("quality", t.gettext("Data quality")),
        ("method", t.gettext("Method and sources")),
        ("annex", t.gettext("Annex: every building")),
    ]
    cover = [
        (t.gettext("City"), doc.city_name),
        (t.gettext("Inventory"), f"{doc.inventory_name} ({t.gettext('version')} {doc.inventory_version})"),
        (t.gettext("Assessment"), str(doc.assessment_id)),
        (t.gettext("Computed"), fmt_date(doc.finished_at, lang)),
    ]
    pdf = render_pdf(
        "energy.html", lang, str(doc.assessment_id), toc=toc, cover_rows=cover,
        **_frame(lang, doc.assessment_id, doc.engine_version, doc.finished_at), **ctx,
    )  # fmt: skip
    return pdf, f"diagnoza-energetyczna-{doc.assessment_id}-{lang}.pdf"


def plan_report(
    session: Session,
    principal: Principal,
    portfolio_id: uuid.UUID,
    lang: str,
    compare_ids: str | None = None,
    frontier_id: uuid.UUID | None = None,
) -> tuple[bytes, str]:
    """The investment plan of a finished portfolio (with compared plans and a frontier if named)."""
    lang = negotiate(lang)
    t = translator(lang)
    doc = portfolios.plan_document(session, principal, portfolio_id, compare_ids, frontier_id)
    ctx = plan.context(doc, lang)
    run = [
        (t.gettext("Plan"), f"{doc.name} ({doc.portfolio_id})"),
        (t.gettext("Inventory"), f"{doc.inventory_name} ({t.gettext('version')} {doc.inventory_version})"),
        (t.gettext("Engine version"), doc.engine_version),
        (t.gettext("Computed"), fmt_date(doc.finished_at, lang)),
    ]
    toc = [
        ("summary", t.gettext("Summary")),
        ("years", t.gettext("The plan per year")),
        ("financing", t.gettext("Financing by source")),
        ("cashflow", t.gettext("Yearly cash flow, NPV and payback")),
    ]
    if doc.frontier:
        toc.append(("frontier", t.gettext("The frontier: cost against CO₂ reduction")))
    if len(doc.compared) >= 2:
        toc.append(("compare", t.gettext("The plans side by side")))
    toc.append(("assumptions", t.gettext("Assumptions and sources")))
    pdf = render_pdf(
        "plan.html", lang, f"{doc.portfolio_id}:{compare_ids}:{frontier_id}", toc=toc,
        cover_rows=[(t.gettext("City"), doc.city_name), *run], run=run,
        **_frame(lang, doc.portfolio_id, doc.engine_version, doc.finished_at), **ctx,
    )  # fmt: skip
    return pdf, f"plan-inwestycyjny-{doc.portfolio_id}-{lang}.pdf"


def readiness_report(
    session: Session, principal: Principal, teryt: str, lang: str,
    run_id: uuid.UUID | None = None, snapshot_id: str | None = None,
) -> tuple[bytes, str]:  # fmt: skip
    """The readiness diagnosis of ``teryt`` from a chosen run or from a publication's run."""
    lang = negotiate(lang)
    t = translator(lang)
    data = readiness_service.report_data(session, principal, run_id, teryt, snapshot_id)
    ctx = readiness.context(data, lang)
    ctx["chart_uri"] = svg_data_uri(ctx["chart_svg"]) if ctx["chart_svg"] else None
    run_row = data["run"]
    finished = run_row.finished_at or run_row.created_at
    toc = [("score", t.gettext("Score and pillars")), ("capacity", t.gettext("Capacity against need")),
           ("explain", t.gettext("Strengths, weaknesses and the best lever")),
           ("indicators", t.gettext("Every indicator with its year and source")),
           ("method", t.gettext("Method and sources"))]  # fmt: skip
    cover = [(t.gettext("Municipality"), f"{data['municipality']} (TERYT {teryt})"),
             (t.gettext("Run"), str(run_row.id)), (t.gettext("Computed"), fmt_date(finished, lang))]  # fmt: skip
    pdf = render_pdf(
        "readiness.html", lang, f"{run_row.id}:{teryt}:{snapshot_id}", toc=toc, cover_rows=cover,
        **_frame(lang, run_row.id, run_row.methodology_version or "", finished), **ctx,
    )  # fmt: skip
    return pdf, f"gotowosc-{teryt}-{run_row.id}-{lang}.pdf"
