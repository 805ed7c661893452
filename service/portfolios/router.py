"""HTTP for portfolios: start (job), frontier (job), read, list, compare; CSV/XLSX exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.deps import PrincipalDep, SessionDep
from service.exports.responses import XLSX, attachment, svg
from service.jobs.dispatch import accepted
from service.jobs.schemas import JobOut
from service.openapi import PDF_RESPONSE, DialectQuery, LangQuery, problem_responses
from service.portfolios import service
from service.portfolios.schemas import (
    COMPARE_IDS_OPENAPI,
    CompareIds,
    ComparisonOut,
    FrontierRequest,
    PortfolioList,
    PortfolioOut,
    PortfolioRequest,
)
from service.reports import service as reports

router = APIRouter(prefix="/v1/portfolios", tags=["portfolios"])
EXPORTS: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX: {}}}}
Format = Literal["json", "csv", "xlsx"]


def _accepted(request: Request, session: Any, portfolio: Any, job: Any) -> Response:
    return accepted(request, session, job, f"/v1/portfolios/{portfolio.id}")


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
    return service.portfolio_list(session, principal)


@router.get(
    "/compare",
    response_model=ComparisonOut,
    responses={**problem_responses(401, 404, 409, 422), **EXPORTS},
    openapi_extra=COMPARE_IDS_OPENAPI,
)
def compare_portfolios(
    session: SessionDep,
    principal: PrincipalDep,
    ids: CompareIds,
    format: Format = "json",
    dialect: DialectQuery = "plain",
    lang: LangQuery = "pl",
) -> Any:
    """Side by side: totals, per-building packages (who gets what in each), yearly cash flow and CO2.
    `?format=xlsx` names each plan's column group by the plan's name; `?format=csv&dialect=excel-pl`
    opens in a Polish spreadsheet (see the assessment export)."""
    if format != "json":
        content, filename = service.compare_export_file(session, principal, ids, format, dialect, lang)
        return attachment(content, filename, format)
    return service.comparison_view(session, principal, ids)


# ``:uuid``: a literal sibling (``/frontier``, ``/compare``) asked with another method is that path's
# 405 with its Allow, not a 422 for a portfolio id "frontier".
@router.get(
    "/{portfolio_id:uuid}",
    response_model=PortfolioOut,
    responses={**problem_responses(401, 404, 409), **EXPORTS},
)
def get_portfolio(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    format: Format = "json",
    dialect: DialectQuery = "plain",
    lang: LangQuery = "pl",
) -> Any:
    """A stored, immutable portfolio: solver status/gap, totals, chosen projects, yearly cash flow and CO2
    (or the frontier points), with the request that produced it. `?format=csv|xlsx` exports it
    (`dialect`, `lang` as for the assessment export; the workbook has summary, projects, financing by
    year and cash flow)."""
    if format != "json":
        content, filename = service.export_file(session, principal, portfolio_id, format, dialect, lang)
        return attachment(content, filename, format)
    return service.portfolio_view(session, principal, portfolio_id)


@router.get(
    "/{portfolio_id}/report.pdf",
    response_class=Response,
    responses={**problem_responses(401, 404, 409, 422), **PDF_RESPONSE},
)
def portfolio_report(
    portfolio_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangQuery = "pl",
    compare: Annotated[
        str | None,
        Query(
            max_length=400, description="up to 9 other portfolio ids to put beside this plan, comma-separated"
        ),
    ] = None,
    frontier: Annotated[
        uuid.UUID | None, Query(description="a finished frontier job to show with this plan")
    ] = None,
) -> Response:
    """The investment plan (PDF, `lang` = pl, en or uk): the plan per year, projects and measures,
    financing by source with each programme's rule, yearly cash flow, NPV and payback (defined), CO2 and
    energy savings, optionally the frontier and the compared plans, assumptions and sources. 409 while
    the portfolio runs."""
    content, filename = reports.plan_report(session, principal, portfolio_id, lang, compare, frontier)
    return attachment(content, filename, "pdf")


SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An accessible SVG image (role=img, title, desc)",
        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/compare/chart.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409, 422), **SVG_RESPONSE},
    openapi_extra=COMPARE_IDS_OPENAPI,
)
def compare_chart(
    session: SessionDep, principal: PrincipalDep, ids: CompareIds, lang: LangQuery = "pl"
) -> Response:
    """Totals of 2..10 finished portfolios side by side as SVG bars (own contribution, grants, CO2, NPV)."""
    return svg(service.compare_chart(session, principal, ids, lang))


@router.get(
    "/{portfolio_id}/chart.svg",
    response_class=Response,
    responses={**problem_responses(401, 404, 409), **SVG_RESPONSE},
)
def portfolio_chart(
    portfolio_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, lang: LangQuery = "pl"
) -> Response:
    """SVG: a frontier job's cost vs CO2 reduction (or NPV) points joined by a line; an ordinary
    portfolio's yearly cash flow bars with the cumulative CO2 reduction line. 409 until finished."""
    return svg(service.chart_svg(session, principal, portfolio_id, lang))
