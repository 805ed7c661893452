"""HTTP for portfolios: start (job), frontier (job), read, list, compare; CSV/XLSX exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.assessments.results import to_csv_bytes, to_xlsx_bytes
from service.deps import PrincipalDep, SessionDep
from service.errors import Conflict, ValidationProblem
from service.jobs.dispatch import accepted
from service.jobs.models import Job
from service.jobs.schemas import JobOut
from service.openapi import problem_responses
from service.orgs.service import visible_city_ids
from service.portfolios import repository, service
from service.portfolios.compare import compare
from service.portfolios.models import Portfolio
from service.portfolios.schemas import (
    ComparisonOut,
    FrontierRequest,
    PortfolioList,
    PortfolioOut,
    PortfolioRequest,
)

router = APIRouter(prefix="/v1/portfolios", tags=["portfolios"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX: {}}}}
Format = Literal["json", "csv", "xlsx"]


def portfolio_out(session: Any, row: Portfolio, full: bool = False) -> PortfolioOut:
    job = session.get(Job, row.job_id) if row.job_id else None
    done = row.finished_at is not None
    return PortfolioOut(
        id=row.id,
        kind=row.kind,
        name=row.name,
        status="succeeded" if done else (job.status if job else "unknown"),
        job=JobOut.from_row(job) if job else None,
        inventory_id=row.inventory_id,
        inventory_version=row.inventory_version,
        assessment_id=row.assessment_id,
        request=row.request,
        engine_version=row.engine_version,
        candidate_count=row.candidate_count,
        solve=row.solve,
        totals=row.totals,
        projects=repository.load_projects(session, row.id)
        if full and done and row.kind == "portfolio"
        else None,
        cash_flow=row.cash_flow if full else None,
        frontier=row.frontier if full else None,
        created_at=row.created_at,
        finished_at=row.finished_at,
        url=f"/v1/portfolios/{row.id}",
    )


def _accepted(request: Request, session: Any, portfolio: Portfolio, job: Any) -> Response:
    return accepted(request, session, job, f"/v1/portfolios/{portfolio.id}")


def _export(stem: str, format: str, sheets: dict[str, pd.DataFrame], csv_sheet: str) -> Response:
    if format == "csv":
        return Response(
            to_csv_bytes(sheets[csv_sheet]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    return Response(
        to_xlsx_bytes(sheets),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


def _comparable(session: Any, principal: Any, ids: str) -> tuple[list[uuid.UUID], list[Portfolio]]:
    """2..10 distinct visible, finished optimum portfolios named in ``ids`` (422/404/409 otherwise)."""
    try:
        wanted = list(dict.fromkeys(uuid.UUID(x.strip()) for x in ids.split(",") if x.strip()))
    except ValueError as exc:
        raise ValidationProblem(
            f"ids: {exc}", errors=[{"field": "ids", "value": ids, "reason": "not a UUID"}]
        ) from exc
    if not 2 <= len(wanted) <= 10:
        raise ValidationProblem(
            "ids: give 2 to 10 distinct portfolio ids",
            errors=[{"field": "ids", "value": ids, "reason": "2..10 ids"}],
        )
    rows = [service.visible_portfolio(session, principal, pid) for pid in wanted]
    for r in rows:
        if r.kind != "portfolio" or r.finished_at is None:
            raise Conflict(f"portfolio {r.id} has no optimum to compare (a frontier, or not finished)")
    return wanted, rows


@router.post("", status_code=202, response_model=JobOut, responses=problem_responses(401, 403, 404, 422))
def start_portfolio(
    body: PortfolioRequest, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Start a portfolio optimisation job (one package per building under budgets and grant rules).
    Bad input, and infeasibility provable from the request alone, is a 422 before any job exists."""
    portfolio, job = service.start_portfolio(session, principal, body, "portfolio")
    return _accepted(request, session, portfolio, job)


@router.post(
    "/frontier", status_code=202, response_model=JobOut, responses=problem_responses(401, 403, 404, 422)
)
def start_frontier(
    body: FrontierRequest, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Start a Pareto frontier job: `n_points` of own cost vs CO2 reduction (or vs NPV), epsilon-constraint."""
    portfolio, job = service.start_portfolio(session, principal, body, "frontier")
    return _accepted(request, session, portfolio, job)


@router.get("", response_model=PortfolioList, responses=problem_responses(401))
def list_portfolios(session: SessionDep, principal: PrincipalDep) -> PortfolioList:
    rows = repository.list_portfolios(session, visible_city_ids(session, principal))
    items = [portfolio_out(session, r) for r in rows]
    return PortfolioList(items=items, count=len(items))


@router.get(
    "/compare", response_model=ComparisonOut, responses={**problem_responses(401, 404, 409, 422), **EXPORTS}
)
def compare_portfolios(
    session: SessionDep,
    principal: PrincipalDep,
    ids: Annotated[
        str, Query(description="2..10 portfolio ids, comma-separated", examples=["5b0c...,9e1a..."])
    ],
    format: Format = "json",
) -> Any:
    """Side by side: totals, per-building packages (who gets what in each), yearly cash flow and CO2."""
    wanted, rows = _comparable(session, principal, ids)
    result = compare(
        [
            {
                "id": r.id,
                "name": r.name,
                "totals": r.totals,
                "cash_flow": r.cash_flow,
                "projects": repository.load_projects(session, r.id),
            }
            for r in rows
        ]
    )
    if format == "json":
        return ComparisonOut(portfolio_ids=wanted, **result)
    sheets = {k: pd.DataFrame.from_records(v) for k, v in result.items()}
    return _export("portfolio-comparison", format, sheets, "buildings")


@router.get(
    "/{portfolio_id}", response_model=PortfolioOut, responses={**problem_responses(401, 404, 409), **EXPORTS}
)
def get_portfolio(
    portfolio_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, format: Format = "json"
) -> Any:
    """A stored, immutable portfolio: solver status/gap, totals, chosen projects, yearly cash flow and CO2
    (or the frontier points), with the request that produced it. `?format=csv|xlsx` exports it."""
    row = service.visible_portfolio(session, principal, portfolio_id)
    if format == "json":
        return portfolio_out(session, row, full=True)
    if row.finished_at is None:
        raise Conflict(f"portfolio {portfolio_id} has no results yet (see its job)")
    if row.kind == "frontier":
        sheets = {"frontier": pd.DataFrame.from_records(row.frontier)}
        return _export(f"frontier-{portfolio_id}", format, sheets, "frontier")
    sheets = {
        "projects": pd.DataFrame.from_records(repository.load_projects(session, row.id)),
        "totals": pd.DataFrame([row.totals]),
        "cash_flow": pd.DataFrame.from_records(row.cash_flow),
    }
    return _export(f"portfolio-{portfolio_id}", format, sheets, "projects")


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An accessible SVG image (role=img, title, desc)",
        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
    }
}
IDS_QUERY = Query(description="2..10 portfolio ids, comma-separated", examples=["5b0c...,9e1a..."])


def _svg(content: str) -> Response:
    return Response(content, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@router.get(
    "/compare/chart.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409, 422), **SVG_RESPONSE},
)
def compare_chart(session: SessionDep, principal: PrincipalDep, ids: Annotated[str, IDS_QUERY]) -> Response:
    """Totals of 2..10 finished portfolios side by side as SVG bars (own contribution, grants, CO2, NPV)."""
    _, rows = _comparable(session, principal, ids)
    return _svg(service.compare_chart_svg(session, principal, rows))


@router.get(
    "/{portfolio_id}/chart.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409), **SVG_RESPONSE},
)
def portfolio_chart(portfolio_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """SVG: a frontier job's cost vs CO2 reduction (or NPV) points joined by a line; an ordinary
    portfolio's yearly cash flow bars with the cumulative CO2 reduction line. 409 until finished."""
    return _svg(service.chart_svg(session, principal, portfolio_id))
