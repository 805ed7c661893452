"""Readiness in the workspace: a gmina's indicator values (form and CSV, year and source, stale flags),
an arrival scenario run (score, pillars with intervals, headroom, what breaks first, strengths,
weaknesses, the best lever), and publishing one named run after previewing exactly the widget that
will go public; withdrawal. Every page calls the same service functions as ``/v1/readiness``."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from integration.errors import IntegrationError
from service.deps import SessionDep
from service.errors import PayloadTooLarge, UnsupportedMediaType, ValidationProblem, as_problem
from service.exports.responses import attachment
from service.readiness import service
from service.readiness.public_cache import invalidate_served
from service.readiness.render import widget_html
from service.readiness.schemas import ScoresRequest
from service.reports import readiness as report_view
from service.reports import service as reports
from service.web.assessing import _number
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import CsrfUserDep, UserDep, page_lang

router = APIRouter(prefix="/app/readiness", include_in_schema=False)
TerytPath = Annotated[str, Path(pattern=r"^\d{7}$")]
FORM_PROBLEMS = (ValidationProblem, UnsupportedMediaType, PayloadTooLarge)
LANGS = ("pl", "en", "uk")


def _level(session: Any, user: Any, teryt: str) -> str | None:
    return service.access_of(session, user.principal, teryt)


def reported_indicators(lang: str) -> list[dict[str, Any]]:
    """The indicators a city reports (not the headroom ratios, which the scenario computes)."""
    ind = service.framework().indicators
    names = report_view.indicator_names(service.framework(), lang)
    rows = ind[ind["role"] != "headroom"]
    return [{"code": c, "name": names.get(c, c), "unit": rows.loc[c, "unit"]} for c in rows.index]


def values_view(session: Any, user: Any, teryt: str, lang: str) -> list[dict[str, Any]]:
    """The values that enter the score, with year, source, origin, age and the stale flag."""
    service.check_city(session, user.principal, teryt, "read")
    frame = service.merged_values(session, [teryt])
    used = frame[frame["used"]] if not frame.empty else frame
    meta = service.framework().meta
    ref_year, max_age = meta.get("reference_year"), meta.get("max_age_years")
    names = report_view.indicator_names(service.framework(), lang)
    units = service.framework().indicators["unit"]
    out = []
    for r in used.sort_values("indicator").astype(object).where(used.notna(), None).itertuples():
        age = (ref_year - int(r.year)) if (ref_year and r.year is not None) else None
        out.append({
            "code": r.indicator, "name": names.get(r.indicator, r.indicator), "unit": units.get(r.indicator, ""),
            "value": r.value, "year": r.year, "source": r.source, "origin": r.origin, "age": age,
            "stale": bool(age is not None and max_age is not None and age > max_age),
        })  # fmt: skip
    return out


def _city_page(
    request: Request, session: Any, user: Any, teryt: str, status: int = 200, **extra: Any
) -> Response:
    lang = page_lang(request)
    level = _level(session, user, teryt)
    if level is None:
        service.check_city(session, user.principal, teryt, "read")  # 404 for a gmina the user cannot see
    extra.setdefault("value_findings", [])
    extra.setdefault("run_findings", [])
    extra.setdefault("run_form", {"arrivals": "5000", "uncertainty_runs": "200"})
    extra.setdefault("value_form", {})
    extra.setdefault("withdraw_findings", [])
    extra.setdefault("request_query", dict(request.query_params))
    return page(
        request, "readiness/city.html", status, nav="readiness", teryt=teryt,
        name=service.municipality_name(session, teryt), level=level,
        can_write=level in ("own", "plan") and user.can("readiness:write"),
        values=values_view(session, user, teryt, lang), indicators=reported_indicators(lang),
        runs=service.runs_for(session, user.principal, teryt),
        publications=service.publications(session, user.principal, teryt),
        min_runs=service.MIN_PUBLISH_RUNS, max_runs=service.SYNC_MAX_RUNS, **extra,
    )  # fmt: skip


@router.get("")
def gminas(request: Request, session: SessionDep, user: UserDep) -> Response:
    rows = service.gminas_overview(session, user.principal)
    return page(request, "readiness/list.html", nav="readiness", rows=rows)


@router.get("/{teryt}")
def city(request: Request, teryt: TerytPath, session: SessionDep, user: UserDep) -> Response:
    return _city_page(request, session, user, teryt)


@router.post("/{teryt}/values")
async def submit_values(
    request: Request,
    teryt: TerytPath,
    session: SessionDep,
    user: CsrfUserDep,
    file: Annotated[UploadFile | None, File()] = None,
    indicator: Annotated[str, Form(max_length=64)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    year: Annotated[str, Form(max_length=8)] = "",
    source: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """A CSV file (as the API takes it), or one value typed into the form (number in the reader's locale)."""
    lang = page_lang(request)
    content = await file.read() if file is not None else b""
    if content:
        ctype = "text/csv"
    else:
        number = _number(value, lang) if value.strip() else None
        row: dict[str, Any] = {"indicator": indicator or None, "value": number, "year": _year(year)}
        if source.strip():
            row["source"] = source.strip()
        content, ctype = json.dumps({"values": [row]}).encode(), "application/json"
    try:
        sub, stored, superseded = service.submit_values_now(session, user.principal, teryt, content, ctype)
    except FORM_PROBLEMS as exc:  # the service rolled back: a rejected submission stores nothing
        form = {"indicator": indicator, "value": value, "year": year, "source": source,
                "via": "file" if file is not None and file.filename else "form"}  # fmt: skip
        return _city_page(
            request,
            session,
            user,
            teryt,
            422,
            value_findings=translated_findings(exc.errors),
            value_form=form,
        )
    return RedirectResponse(
        f"/app/readiness/{teryt}?stored={stored}&superseded={superseded}", status_code=303
    )


def _year(text: str) -> int | str | None:
    text = text.strip()
    return int(text) if text.isdigit() else (text or None)


def parse_run_form(form: Any, teryt: str, lang: str) -> ScoresRequest:
    """The API body of the scenario form; a ValidationProblem names the form's fields."""
    labels = {code: (form.get(f"label_{code}") or "").strip() for code in LANGS}
    labels = {k: v for k, v in labels.items() if v}
    arrivals = _number(form.get("arrivals") or "", lang) if (form.get("arrivals") or "").strip() else None
    runs_text = (form.get("uncertainty_runs") or "0").strip()
    body: dict[str, Any] = {
        "teryts": [teryt],
        "uncertainty_runs": int(runs_text) if runs_text.isdigit() else runs_text,
    }
    if arrivals is not None:
        body["scenario"] = {
            "scenario_id": f"arrivals-{int(arrivals)}" if isinstance(arrivals, float) else "scenario",
            "label": labels.get("pl") or next(iter(labels.values()), "Arrival scenario"),
            "labels": labels or None,
            "arrivals": arrivals,
        }
    try:
        request = ScoresRequest.model_validate(body)
    except ValidationError as exc:
        errors = [
            {"row": None, "field": str(e["loc"][-1]) if e["loc"] else None, "value": e.get("input"),
             "reason": e["msg"]}
            for e in exc.errors()
        ]  # fmt: skip
        raise ValidationProblem(f"{exc.error_count()} invalid field(s) in the form", errors=errors) from exc
    if request.uncertainty_runs > service.SYNC_MAX_RUNS:
        raise ValidationProblem(
            "too many uncertainty runs for the workspace",
            errors=[{"row": None, "field": "uncertainty_runs", "value": request.uncertainty_runs,
                     "reason": f"must be <= {service.SYNC_MAX_RUNS}"}],
        )  # fmt: skip
    return request


@router.post("/{teryt}/runs")
async def start_run(request: Request, teryt: TerytPath, session: SessionDep, user: CsrfUserDep) -> Response:
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    try:
        body = parse_run_form(form, teryt, page_lang(request))
        run = service.score_now(session, user.principal, body.model_dump(mode="json"))
    except (ValidationProblem, IntegrationError) as exc:  # nothing was stored
        findings = translated_findings(as_problem(exc).errors)  # an engine's error: the API's 422 for it
        return _city_page(request, session, user, teryt, 422, run_findings=findings, run_form=form)
    return RedirectResponse(f"/app/readiness/{teryt}/runs/{run.id}", status_code=303)


def run_context(session: Any, user: Any, teryt: str, run_id: uuid.UUID, lang: str) -> dict[str, Any]:
    data = service.report_data(session, user.principal, run_id, teryt)
    ctx = report_view.context(data, lang)
    runs = int((data["run"].request or {}).get("uncertainty_runs") or 0)
    level = _level(session, user, teryt)
    ctx.update(
        uncertainty_runs=runs, min_runs=service.MIN_PUBLISH_RUNS,
        publishable=runs >= service.MIN_PUBLISH_RUNS,
        can_publish=level in ("own", "plan") and user.can("readiness:write"),
    )  # fmt: skip
    return ctx


@router.get("/{teryt}/runs/{run_id}")
def run_page(
    request: Request, teryt: TerytPath, run_id: uuid.UUID, session: SessionDep, user: UserDep
) -> Response:
    ctx = run_context(session, user, teryt, run_id, page_lang(request))
    return page(request, "readiness/run.html", nav="readiness", **ctx)


@router.get("/{teryt}/runs/{run_id}/report.pdf")
def run_report(
    request: Request, teryt: TerytPath, run_id: uuid.UUID, session: SessionDep, user: UserDep
) -> Response:
    content, filename = reports.readiness_report(
        session, user.principal, teryt, page_lang(request), run_id=run_id
    )
    return attachment(content, filename, "pdf")


@router.get("/{teryt}/runs/{run_id}/preview")
def preview(
    request: Request, teryt: TerytPath, run_id: uuid.UUID, session: SessionDep, user: UserDep,
    widget_lang: str = "pl",
) -> Response:  # fmt: skip
    """Exactly what the public widget will show once this run is published (nothing is stored)."""
    widget_lang = widget_lang if widget_lang in LANGS else "pl"
    base_url = request.app.state.settings.base_url
    snap = service.preview_snapshot(session, user.principal, teryt, run_id, base_url)
    return page(
        request, "readiness/preview.html", nav="readiness", teryt=teryt, run_id=run_id, snapshot=snap,
        name=snap.municipality_name, widget=widget_html(snap, widget_lang, base_url), widget_lang=widget_lang,
        langs_widget=LANGS,
    )  # fmt: skip


@router.post("/{teryt}/publish")
def publish(
    request: Request, teryt: TerytPath, session: SessionDep, user: CsrfUserDep,
    run_id: Annotated[uuid.UUID, Form()],
) -> Response:  # fmt: skip
    pub = service.publish_now(session, user.principal, teryt, run_id, request.app.state.settings.base_url)
    invalidate_served(request.app.state, teryt)
    return RedirectResponse(f"/app/readiness/{teryt}?published={pub.snapshot_id}", status_code=303)


@router.post("/{teryt}/publications/{snapshot_id}/withdraw")
def withdraw(
    request: Request, teryt: TerytPath, snapshot_id: Annotated[str, Path(max_length=64)],
    session: SessionDep, user: CsrfUserDep, reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    if len(reason.strip()) < 3:
        return _city_page(
            request, session, user, teryt, 422, withdraw_findings=translated_findings(
                [{"row": None, "field": "reason", "value": reason, "reason": "required field is missing"}]
            ), withdraw_id=snapshot_id,
        )  # fmt: skip
    service.withdraw_now(session, user.principal, teryt, snapshot_id, reason.strip())
    invalidate_served(request.app.state, teryt)
    return RedirectResponse(f"/app/readiness/{teryt}?withdrawn={snapshot_id}", status_code=303)
