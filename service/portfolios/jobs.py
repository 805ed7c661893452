"""Portfolio jobs: one optimum (``portfolio_portfolio``) or an epsilon-constraint frontier
(``portfolio_frontier``). Infeasible requests fail with the typed error "infeasible" naming the
conflicting constraints; they are final, never retried."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd

from energy import ENGINE_VERSION
from energy.errors import EnergyInputError
from energy.portfolio import PortfolioInfeasibleError, PortfolioInputError, optimise
from energy.portfolio.pareto import pareto_frontier
from service.db import utcnow
from service.jobs.registry import JobContext, JobError, register
from service.jsonsafe import frame_records
from service.portfolios import repository, service
from service.portfolios.models import Portfolio


def _load(ctx: JobContext) -> tuple[Portfolio, Any, Any]:
    row = repository.get_portfolio(ctx.session, uuid.UUID(ctx.subject_id))
    if row is None:
        raise JobError("not-found", "the portfolio of this job no longer exists")
    body = service.request_model(row)
    ctx.progress(2, "building candidate packages")
    try:
        cands = service.build_candidates(
            ctx.session, row, body, lambda f, m: ctx.progress(2 + 58 * f, f"evaluating packages: {m}")
        )
        catalogue = service.catalogue_for(body)
    except (EnergyInputError, PortfolioInputError) as exc:
        raise JobError("invalid-input", str(exc)) from exc
    row.candidate_count = len(cands)
    return row, body, (cands, catalogue)


def _solve_message(event: dict[str, Any]) -> str:
    """Progress message of a running solve: the incumbent, the proven bound and the gap."""
    parts = [f"solving ({event['stage']})"]
    if event.get("points_total"):
        parts = [f"frontier: point {event['points_done']} of {event['points_total']}"]
    if event.get("incumbent") is not None:
        parts.append(f"best {event['incumbent']:,.6g}")
    if event.get("bound") is not None:
        parts.append(f"bound {event['bound']:,.6g}")
    if event.get("gap") is not None:
        parts.append(f"gap {100 * event['gap']:.3g} %")
    return ", ".join(parts)


def _solve_progress(ctx: JobContext):
    """Map the engine's solve events onto the job's 62-92 % (the solve's share of the job)."""
    return lambda event: ctx.progress(62 + 30 * event["fraction"], _solve_message(event))


def _fail_infeasible(exc: PortfolioInfeasibleError) -> JobError:
    conflicts = ", ".join(exc.conflicts) or "unknown"
    return JobError("infeasible", f"{exc} [conflicting constraints: {conflicts}]")


@register("portfolio_portfolio")
def portfolio_job(ctx: JobContext) -> dict[str, Any]:
    row, body, (cands, catalogue) = _load(ctx)
    ctx.progress(62, f"solving: {len(cands):,} candidates, objective {body.objective}")
    try:
        result = optimise(
            cands, service.to_problem(body), catalogue.parameters, on_progress=_solve_progress(ctx)
        )
    except PortfolioInfeasibleError as exc:
        raise _fail_infeasible(exc) from exc
    except PortfolioInputError as exc:
        raise JobError("invalid-input", str(exc)) from exc
    ctx.progress(92, f"storing {len(result.chosen)} projects")
    repository.store_projects(ctx.session, row.id, frame_records(result.chosen))
    row.solve = {
        "status": result.status,
        "solver": result.solver,
        "method": result.method,
        "objective_value": result.objective_value,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "time_s": result.time_s,
        "build_time_s": result.build_time_s,
        "solve_time_s": result.solve_time_s,
    }
    row.totals = frame_records(pd.DataFrame([result.totals]))[0]
    row.cash_flow = frame_records(result.cash_flow)
    row.engine_version, row.finished_at = ENGINE_VERSION, utcnow()
    ctx.session.flush()
    summary = {
        k: row.totals[k]
        for k in ("n_projects", "capex_pln", "own_contribution_pln", "co2_reduction_t_per_year")
    }
    return {
        "summary": {**summary, "status": result.status, "gap": result.gap},
        "result_path": f"/v1/portfolios/{row.id}",
    }


@register("portfolio_frontier")
def frontier_job(ctx: JobContext) -> dict[str, Any]:
    row, body, (cands, catalogue) = _load(ctx)
    ctx.progress(62, f"frontier: {body.n_points} points over {len(cands):,} candidates")
    try:
        points = pareto_frontier(
            cands,
            service.to_problem(body),
            body.n_points,
            body.frontier,
            catalogue.parameters,
            on_progress=_solve_progress(ctx),
        )
    except PortfolioInfeasibleError as exc:
        raise _fail_infeasible(exc) from exc
    except PortfolioInputError as exc:
        raise JobError("invalid-input", str(exc)) from exc
    row.frontier = frame_records(points)
    row.solve = {"n_points": len(points), "kind": body.frontier, "time_s": float(points["time_s"].sum())}
    row.engine_version, row.finished_at = ENGINE_VERSION, utcnow()
    ctx.session.flush()
    return {
        "summary": {"n_points": len(points), "kind": body.frontier},
        "result_path": f"/v1/portfolios/{row.id}",
    }
