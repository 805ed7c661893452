"""Use cases: the PDF of an assessment, a portfolio (plan) and a readiness run, for one reader's language.

Each reads its data through the same service functions as the JSON and the spreadsheets (same key,
same tenancy: another tenant's id is a 404; 409 while the job has not finished) and renders it with
``service.reports.pdf``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.assessments import service as assessments
from service.assessments.document import AssessmentDocument
from service.i18n import fmt_date, negotiate, translator
from service.jobs.dispatch import Dispatcher, starting_jobs
from service.orgs.service import Principal
from service.portfolios import service as portfolios
from service.readiness import service as readiness_service
from service.reports import energy, plan, readiness
from service.reports.pdf import render_pdf, render_pdf_pages, svg_data_uri


def _frame(lang: str, run_id: uuid.UUID, engine_version: str, created: dt.datetime) -> dict[str, Any]:
    return {
        "run_id": str(run_id),
        "engine_version": engine_version,
        "created_iso": created.replace(microsecond=0, tzinfo=None).isoformat() + "Z",
        "created_date": fmt_date(created, lang),
    }


# Above this many buildings the energy diagnosis is a job (202, progress, stored PDF): the fixed part of
# the document takes ~4 s on this 2-core machine and every annex line ~5 ms more, so 300 buildings add
# ~1.5 s to a synchronous answer and 5,000 would hold a request for ~30 s (benchmarks/bench_reports.py).
SYNC_REPORT_MAX_BUILDINGS = 300
# Pages before the annex and buildings per annex page, to scale the layout's progress bar.
REPORT_FIXED_PAGES, ANNEX_BUILDINGS_PER_PAGE = 17, 45


@dataclass
class ReportOrJob:
    """What ``GET .../report.pdf`` answers: the PDF (``content``) or the job making it (``job``)."""

    filename: str
    content: bytes | None = None
    job: Any = None
    new_job: bool = False


def _energy_file_name(assessment_id: uuid.UUID, lang: str) -> str:
    return f"diagnoza-energetyczna-{assessment_id}-{lang}.pdf"


def energy_report(
    session: Session, principal: Principal, assessment_id: uuid.UUID, lang: str
) -> tuple[bytes, str]:
    """The energy diagnosis of public buildings of a finished assessment, rendered now, as PDF bytes
    and a file name."""
    lang = negotiate(lang)
    doc = assessments.load_document(session, principal, assessment_id)
    return energy_pdf(doc, lang)[0], _energy_file_name(doc.assessment_id, lang)


def energy_report_or_job(
    session: Session, principal: Principal, assessment_id: uuid.UUID, lang: str, prefer_job: bool = False
) -> ReportOrJob:
    """The stored PDF of a report job when there is one; else, for a city of at most
    :data:`SYNC_REPORT_MAX_BUILDINGS` buildings (and no ``prefer_job``), the PDF rendered now; else
    the report job (the one running, or a new one)."""
    lang = negotiate(lang)
    row = assessments.finished_assessment(session, principal, assessment_id)
    name = _energy_file_name(row.id, lang)
    stored = assessments.stored_report(session, row, lang)
    if stored is not None:
        return ReportOrJob(name, content=stored)
    if not prefer_job and (row.building_count or 0) <= SYNC_REPORT_MAX_BUILDINGS:
        return ReportOrJob(name, content=energy_pdf(assessments.document_of(session, row), lang)[0])
    job, new = assessments.report_job(session, principal, row, lang)
    return ReportOrJob(name, job=job, new_job=new)


def energy_report_started(
    session: Session,
    principal: Principal,
    assessment_id: uuid.UUID,
    lang: str,
    prefer_job: bool,
    dispatcher: Dispatcher,
) -> ReportOrJob:
    """:func:`energy_report_or_job` for the workspace: a new report job is committed and sent."""
    with starting_jobs(session, dispatcher) as started:
        out = energy_report_or_job(session, principal, assessment_id, lang, prefer_job)
        if out.new_job:
            started.append(out.job.id)
    return out


def energy_report_state(
    session: Session, principal: Principal, assessment_id: uuid.UUID, lang: str
) -> tuple[bool, Any]:
    """Whether the report job's PDF is stored, and the job (for a page that shows its progress)."""
    row = assessments.finished_assessment(session, principal, assessment_id)
    return assessments.report_state(session, row, negotiate(lang))


def energy_pdf(
    doc: AssessmentDocument, lang: str, progress: Callable[[float, str], None] | None = None
) -> tuple[bytes, int]:
    """The PDF of ``doc`` in ``lang`` and its page count; ``progress(fraction, step)`` (0-1) between
    and during the steps: context and charts, layout page by page, writing page by page."""
    report = progress or (lambda fraction, step: None)
    t = translator(lang)
    report(0.01, "tables and charts")
    ctx = energy.context(doc, lang)
    n = len(doc.buildings)
    expected = REPORT_FIXED_PAGES + -(-n // ANNEX_BUILDINGS_PER_PAGE)
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
    report(0.10, "HTML")

    def pdf_step(step: str, fraction: float) -> None:
        # Measured shares of the time (5,000 buildings): context 10 %, layout 50 %, writing 40 %.
        if step == "layout":
            report(0.12 + 0.48 * fraction, f"layout, page {round(fraction * expected)} of about {expected}")
        else:
            report(0.60 + 0.39 * fraction, "writing the PDF")

    return render_pdf_pages(
        "energy.html", lang, str(doc.assessment_id), progress=pdf_step if progress else None,
        expected_pages=expected, toc=toc, cover_rows=cover,
        **_frame(lang, doc.assessment_id, doc.engine_version, doc.finished_at), **ctx,
    )  # fmt: skip


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
