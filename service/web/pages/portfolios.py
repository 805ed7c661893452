"""Portfolios in the workspace: the plan form (objective, budgets, programmes from the catalogue with
their rules, forced buildings, excluded measures), progress, the result, a frontier, and 2..10 plans
side by side. Every page calls the same service functions as ``/v1/portfolios`` (never HTTP)."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from energy.errors import EnergyError
from energy.measures import load_catalogue, programme_catalogue
from service.deps import SessionDep
from service.errors import Conflict, NotFound, ValidationProblem, as_problem
from service.exports import Dialect
from service.exports.responses import attachment
from service.orgs.service import access_level, visible_city_ids
from service.portfolios import service
from service.portfolios.schemas import FrontierRequest, PortfolioRequest
from service.web.assessing import _number
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import CsrfUserDep, UserDep, page_lang

router = APIRouter(prefix="/app/portfolios", include_in_schema=False)
OBJECTIVES = ("max_co2", "max_npv", "max_primary_energy", "min_cost")


def programmes() -> list[dict[str, Any]]:
    """The co-financing catalogue (energy/data/measures_programmes.csv) with each rule and its source."""
    table = programme_catalogue()
    return table.astype(object).where(table.notna(), None).to_dict("records")


def measures() -> list[dict[str, Any]]:
    table = load_catalogue().measures.reset_index()
    return table[["measure_id", "name"]].to_dict("records")


def _ids(text: str) -> list[str]:
    return [x.strip() for x in text.replace(";", ",").replace("\n", ",").split(",") if x.strip()]


def _amounts(text: str, lang: str) -> list[float | str]:
    return [_number(x, lang) for x in text.replace("\n", ";").split(";") if x.strip()]


def parse_form(form: Any, lang: str) -> PortfolioRequest:
    """The API body of the plan form; a ValidationProblem names the form's fields."""
    chosen = set(form.getlist("programme"))
    body: dict[str, Any] = {
        "name": (form.get("name") or "").strip() or "portfolio",
        "objective": form.get("objective") or "max_co2",
        "forced_in_buildings": _ids(form.get("forced_in") or ""),
        "forced_out_buildings": _ids(form.get("forced_out") or ""),
        "excluded_measures": list(form.getlist("excluded_measure")),
        "programmes": [
            {"programme_id": p["programme_id"], "share_of_eligible_cost": p["share_of_eligible_cost"]}
            for p in programmes()
            if p["programme_id"] in chosen
        ],
    }
    for key in ("inventory_id", "assessment_id"):
        if form.get(key):
            body[key] = form.get(key)
    if (form.get("budget_mode") or "one") == "yearly":
        body["yearly_budgets_pln"] = _amounts(form.get("yearly_budgets_pln") or "", lang)
    elif (form.get("budget_pln") or "").strip():
        body["budget_pln"] = _number(form.get("budget_pln"), lang)
    model = PortfolioRequest
    if form.get("kind") == "frontier":
        model = FrontierRequest
        body["n_points"] = form.get("n_points") or 6
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [
            {"row": None, "field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
            for e in exc.errors()
        ]
        raise ValidationProblem(f"{exc.error_count()} invalid field(s) in the form", errors=errors) from exc


def can_plan(session: Any, user: Any, city_ids: Any = None) -> bool:
    """May this user start plans on any of ``city_ids`` (default: every visible city)?"""
    if not user.can("jobs:write"):
        return False
    ids = visible_city_ids(session, user.principal) if city_ids is None else city_ids
    own = user.principal.org_id if user.principal.org_kind == "advisor" else None  # not a city
    return any(access_level(session, user.principal, c) in ("own", "plan") for c in ids if c != own)


def _form_page(request: Request, session: Any, user: Any, form: dict, findings: list, status: int = 200):
    from service.inventory import service as inventory

    inventories = [
        inv
        for inv in inventory.list_inventories(session, user.principal)
        if access_level(session, user.principal, inv.org_id) in ("own", "plan")
    ]
    return page(
        request,
        "portfolios/start.html",
        status,
        nav="portfolios",
        inventories=inventories,
        programmes=programmes(),
        measures=measures(),
        objectives=OBJECTIVES,
        form=form,
        findings=findings,
    )


@router.get("")
def portfolio_list(request: Request, session: SessionDep, user: UserDep) -> Response:
    user.principal.require("inventory:read")
    rows = service.list_visible(session, user.principal)
    return page(request, "portfolios/list.html", nav="portfolios", rows=rows, can_run=can_plan(session, user))


@router.get("/new")
def new_form(request: Request, session: SessionDep, user: UserDep) -> Response:
    user.principal.require("jobs:write")
    form = dict(request.query_params)
    return _form_page(request, session, user, form, [])


@router.post("/new")
async def start(request: Request, session: SessionDep, user: CsrfUserDep) -> Response:
    raw = await request.form()
    try:
        body = parse_form(raw, page_lang(request))
        kind = "frontier" if isinstance(body, FrontierRequest) else "portfolio"
        portfolio = service.submit_portfolio(
            session, user.principal, body, kind, request.app.state.dispatcher
        )
    # nothing was stored; Conflict: buildings the inventory lacks
    except (ValidationProblem, Conflict, EnergyError) as exc:
        problem = as_problem(exc)  # an engine's error: the 422 the API answers for it
        form: dict[str, Any] = {k: v for k, v in raw.items() if isinstance(v, str)}
        form["programme"] = raw.getlist("programme")
        form["excluded_measure"] = raw.getlist("excluded_measure")
        return _form_page(request, session, user, form, translated_findings(problem.errors), problem.status)
    return RedirectResponse(f"/app/portfolios/{portfolio.id}", status_code=303)


@router.get("/compare")
def compare_page(request: Request, session: SessionDep, user: UserDep, ids: str = "") -> Response:
    picked = request.query_params.getlist("pick")[:20]  # the list's checkboxes (no script needed)
    wanted, rows = service.comparable(session, user.principal, ",".join([*_ids(ids[:400]), *picked]))
    result = service.comparison(session, rows)
    differ = [b for b in result["buildings"] if not b.get("same_package")]
    svg = service.compare_chart_svg(session, user.principal, rows, page_lang(request))
    return page(
        request,
        "portfolios/compare.html",
        nav="portfolios",
        rows=rows,
        result=result,
        differ=differ,
        svg=svg,
        ids=",".join(str(w) for w in wanted),
    )


@router.get("/compare/download/{fmt}")
def compare_download(
    request: Request, fmt: str, session: SessionDep, user: UserDep, ids: str = ""
) -> Response:
    fmt = "csv" if fmt == "csv" else "xlsx"
    dialect: Dialect = "excel-pl" if fmt == "csv" else "plain"
    content, name = service.compare_export_file(
        session, user.principal, ids[:400], fmt, dialect, page_lang(request)
    )
    return attachment(content, name, fmt)


def _detail(session: Any, user: Any, portfolio_id: uuid.UUID, lang: str) -> dict[str, Any]:
    from service.jobs import service as jobs

    row = service.visible_portfolio(session, user.principal, portfolio_id)
    job = jobs.get_job(session, user.principal, row.job_id) if row.job_id else None
    view: dict[str, Any] = {"row": row, "job": job, "svg": None, "projects": [], "financing": []}
    if row.finished_at is None:
        return view
    view["svg"] = service.chart_svg(session, user.principal, portfolio_id, lang)
    if row.kind == "portfolio":
        view["projects"] = sorted(
            service.projects_of(session, row),
            key=lambda p: (p.get("start_year") or 0, p["building_id"]),
        )
        view["financing"] = financing_by_source(view["projects"])
    return view


def financing_by_source(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Own contribution and each programme's grant, summed over the chosen projects (PLN)."""
    frame = pd.DataFrame.from_records(projects)
    if frame.empty:
        return []
    rows = [{"source": "own", "pln": float(frame["own_contribution_pln"].sum())}]
    if "programme_id" in frame:
        grants = frame.groupby(frame["programme_id"].fillna("-"))["grant_pln"].sum()
        rows += [{"source": pid, "pln": float(v)} for pid, v in grants.items() if v > 0]
    elif "grant_pln" in frame:
        rows.append({"source": "grants", "pln": float(frame["grant_pln"].sum())})
    return rows


@router.get("/{portfolio_id}")
def detail(request: Request, portfolio_id: uuid.UUID, session: SessionDep, user: UserDep) -> Response:
    view = _detail(session, user, portfolio_id, page_lang(request))
    view["can_run"] = can_plan(session, user, [view["row"].owner_org_id])
    return page(request, "portfolios/detail.html", nav="portfolios", view=view, programmes=programmes())


@router.get("/{portfolio_id}/progress")
def progress(request: Request, portfolio_id: uuid.UUID, session: SessionDep, user: UserDep) -> Response:
    from service.jobs import service as jobs

    row = service.visible_portfolio(session, user.principal, portfolio_id)
    job = jobs.get_job(session, user.principal, row.job_id) if row.job_id else None
    response = page(request, "portfolios/_progress.html", row=row, job=job)
    if row.finished_at is not None or (job is not None and job.status in ("failed", "cancelled")):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/{portfolio_id}/download/{fmt}")
def download(
    request: Request, portfolio_id: uuid.UUID, fmt: str, session: SessionDep, user: UserDep
) -> Response:
    lang = page_lang(request)
    if fmt == "pdf":
        from service.reports import service as reports

        content, name = reports.plan_report(session, user.principal, portfolio_id, lang, None, None)
        return attachment(content, name, "pdf")
    fmt = "csv" if fmt == "csv" else "xlsx"
    dialect: Dialect = "excel-pl" if fmt == "csv" else "plain"
    content, name = service.export_file(session, user.principal, portfolio_id, fmt, dialect, lang)
    return attachment(content, name, fmt)


@router.post("/{portfolio_id}/points/{index}")
def open_point(
    request: Request, portfolio_id: uuid.UUID, index: int, session: SessionDep, user: CsrfUserDep
) -> Response:
    """A frontier point as a plan of its own: the frontier's request with that point's target (CO2
    frontier: least own cost reaching the point's CO2 reduction; NPV frontier: most NPV within its budget)."""
    front = service.visible_portfolio(session, user.principal, portfolio_id)
    points = front.frontier or []
    if front.kind != "frontier" or not 0 <= index < len(points):
        raise NotFound(f"portfolio {portfolio_id} has no frontier point {index}")
    data = service.request_model(front).model_dump(exclude={"n_points", "frontier"})
    point = points[index]
    if (front.solve or {}).get("kind", front.request.get("frontier", "co2")) == "npv":
        data.update(objective="max_npv", budget_pln=float(point["epsilon"]), yearly_budgets_pln=None)
    else:
        data.update(objective="min_cost", budget_pln=None, yearly_budgets_pln=None,
                    target_co2_reduction_t_per_year=float(point["epsilon"]))  # fmt: skip
    data["name"] = f"{front.name} · {index + 1}"[:200]
    portfolio = service.submit_portfolio(
        session,
        user.principal,
        PortfolioRequest.model_validate(data),
        "portfolio",
        request.app.state.dispatcher,
    )
    return RedirectResponse(f"/app/portfolios/{portfolio.id}", status_code=303)
