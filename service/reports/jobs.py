"""The report job: the energy diagnosis of a big city rendered in a worker, with progress, and stored.

``GET /v1/assessments/{id}/report.pdf`` starts it (above ``SYNC_REPORT_MAX_BUILDINGS`` buildings or
on request) after checking the key and tenancy; the same GET answers the stored PDF once it is done.
"""

from __future__ import annotations

import uuid
from typing import Any

from service.assessments import service as assessments
from service.jobs.registry import JobContext, JobError, register
from service.reports.service import energy_pdf

# Share of the job's progress bar: loading 0-3 %, rendering 3-97 %, storing 97-99 %.
RENDER_START_PCT, RENDER_SPAN_PCT = 3.0, 94.0


@register("energy_report")
def energy_report_job(ctx: JobContext) -> dict[str, Any]:
    assessment_id = uuid.UUID(ctx.subject_id)
    lang = str(ctx.params.get("lang", "pl"))
    ctx.progress(1, "loading the assessment")
    doc = assessments.job_document(ctx.session, assessment_id)
    if doc is None:
        raise JobError("not-found", "the assessment of this report no longer exists or has no results")
    n = len(doc.buildings)

    def progress(fraction: float, step: str) -> None:
        ctx.progress(RENDER_START_PCT + RENDER_SPAN_PCT * fraction, f"{n:,} buildings: {step}")

    content, pages = energy_pdf(doc, lang, progress)
    ctx.progress(97, f"storing the PDF ({pages} pages)")
    assessments.store_report(ctx.session, assessment_id, lang, content, pages)
    return {
        "summary": {"lang": lang, "pages": pages, "bytes": len(content), "building_count": n},
        "result_path": f"/v1/assessments/{assessment_id}/report.pdf?lang={lang}",
    }
