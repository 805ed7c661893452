"""Portfolio jobs: one optimum (``portfolio_portfolio``) or an epsilon-constraint frontier
(``portfolio_frontier``, whose MILP points may go out as ``portfolio_frontier_point`` jobs). Infeasible requests fail with the typed error "infeasible" naming the
conflicting constraints; they are final, never retried."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd

from energy import ENGINE_VERSION
from energy.errors import EnergyError
from energy.portfolio import PortfolioInfeasibleError, PortfolioInputError, optimise
from energy.portfolio.pareto import (
    PointSweep,
    frontier_method,
    frontier_plan,
    pareto_frontier,
    point_problem,
    point_sweep,
    solve_point,
)
from service.db import utcnow
from service.jobs.fanout import PartFailed, fan_out, worker_slots
from service.jobs.registry import JobContext, JobError, register
from service.jsonsafe import frame_records
from service.portfolios import repository, service
from service.portfolios.models import Portfolio
from service.settings import get_settings


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
    except EnergyError as exc:  # bad parameters, prices or packages: the request, not the code
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
    """The frontier: on the shared hull, or as one MILP per point; MILP points go out as
    ``portfolio_frontier_point`` jobs when more than one worker runs jobs (:mod:`service.jobs.fanout`)."""
    row, body, (cands, catalogue) = _load(ctx)
    problem = service.to_problem(body)
    method = frontier_method(problem, body.frontier)
    workers = worker_slots(ctx.settings or get_settings()) if method == "milp" else 1
    how = "hull" if method == "hull" else ("milp-fan-out" if workers > 1 else "milp-sweep")
    ctx.progress(62, f"frontier: {body.n_points} points over {len(cands):,} candidates ({how})")
    try:
        if how == "milp-fan-out":
            points = _fanned_out(ctx, row, cands, problem, body, catalogue.parameters, workers)
        else:
            points = pareto_frontier(
                cands, problem, body.n_points, body.frontier, catalogue.parameters,
                on_progress=_solve_progress(ctx),
            )  # fmt: skip
    except PortfolioInfeasibleError as exc:
        raise _fail_infeasible(exc) from exc
    except PortfolioInputError as exc:
        raise JobError("invalid-input", str(exc)) from exc
    row.frontier = frame_records(points)
    row.solve = {
        "n_points": len(points),
        "kind": body.frontier,
        "method": how,
        "workers": workers,
        "time_s": float(points["time_s"].sum()),
    }
    row.engine_version, row.finished_at = ENGINE_VERSION, utcnow()
    ctx.session.flush()
    return {
        "summary": {"n_points": len(points), "kind": body.frontier, "method": how, "workers": workers},
        "result_path": f"/v1/portfolios/{row.id}",
    }


def _point_label(kind: str, epsilon: float) -> str:
    if kind == "co2":
        return f"CO2 reduction >= {epsilon:,.1f} t/year"
    return f"own contribution <= {epsilon:,.0f} PLN"


def _fanned_out(ctx: JobContext, row: Portfolio, cands, problem, body, params, workers: int) -> pd.DataFrame:
    """One ``portfolio_frontier_point`` job per point over ``workers`` workers; the candidates are
    stored once for them (and dropped with this job's final status)."""
    plan = frontier_plan(cands, problem, body.n_points, body.frontier, params)
    with ctx._progress_sessions() as s:  # committed before any point job looks for it
        repository.store_frontier_input(s, row.id, {"records": frame_records(cands)})
        s.commit()
    parts = [{"portfolio_id": str(row.id), "epsilon": e} for e in plan.epsilons]
    n = len(parts)

    def done(k: int, total: int) -> None:
        ctx.progress(62 + 30 * k / total, f"frontier: {k} of {total} points solved ({workers} workers)")

    try:
        results = fan_out(ctx, POINT_KIND, parts, workers, on_done=done, order=point_order(n, body.frontier))
    except PartFailed as exc:
        label = _point_label(body.frontier, plan.epsilons[exc.index])
        raise JobError(
            exc.error_type, f"frontier point {exc.index + 1} of {n} ({label}): {exc.detail}"
        ) from exc
    repository.drop_frontier_input(ctx.session, row.id)
    return pd.DataFrame(results)


POINT_KIND = "portfolio_frontier_point"
# per process: the sweep of the frontier whose points this worker solves (its candidates, the HiGHS
# model and the last point's solution), so a run of neighbouring points is one warm-started sweep
_SWEEPS: dict[uuid.UUID, PointSweep] = {}


def _point_sweep(ctx: JobContext, portfolio_id: uuid.UUID, problem, body) -> PointSweep:
    if portfolio_id not in _SWEEPS:
        stored = repository.frontier_input(ctx.session, portfolio_id)
        if stored is None:
            raise JobError("not-found", "the candidates of this frontier point are no longer stored")
        cands = pd.DataFrame.from_records(stored["records"])
        sweep = point_sweep(cands, problem, service.catalogue_for(body).parameters)
        _SWEEPS.clear()
        _SWEEPS[portfolio_id] = sweep
    return _SWEEPS[portfolio_id]


def point_order(n: int, kind: str) -> list[int]:
    """The order the points of a fanned-out frontier are handed out in (:func:`service.jobs.fanout.fan_out`:
    the other workers take it from the front, the frontier's own worker from the end).

    The HiGHS sweep visits the points from the tightest (``kind="co2"``: the largest CO2 target first;
    ``"npv"``: the smallest budget), each starting from the last one's solution. Split in two halves of
    that order, the front of the list is the second half in sweep order and the end the first half in
    reverse: both ends are taken as a sweep of neighbouring points, and the workers meet in the middle.
    """
    sweep = list(range(n - 1, -1, -1)) if kind == "co2" else list(range(n))
    first, second = sweep[: n // 2], sweep[n // 2 :]
    return second + first[::-1]


@register(POINT_KIND)
def frontier_point_job(ctx: JobContext) -> dict[str, Any]:
    """One point of a fanned-out frontier: a MILP, solved on this worker's sweep of the frontier;
    its row of the frontier is the job's result."""
    portfolio_id = uuid.UUID(str(ctx.params["portfolio_id"]))
    row = repository.get_portfolio(ctx.session, portfolio_id)
    if row is None:
        raise JobError("not-found", "the portfolio of this frontier point no longer exists")
    body = service.request_model(row)
    epsilon = float(ctx.params["epsilon"])
    problem = point_problem(service.to_problem(body), str(row.request.get("frontier", "co2")), epsilon)
    try:
        sweep = _point_sweep(ctx, portfolio_id, problem, body)
        point = solve_point(
            sweep.cands, problem, epsilon, sweep.params, sweep=sweep,
            on_progress=lambda e: ctx.progress(
                100 * e["fraction"], f"frontier point {int(ctx.params['index']) + 1} of {ctx.params['of']}"
            ),
        )  # fmt: skip
    except PortfolioInfeasibleError as exc:
        raise _fail_infeasible(exc) from exc
    except PortfolioInputError as exc:
        raise JobError("invalid-input", str(exc)) from exc
    return {"summary": frame_records(pd.DataFrame([point]))[0]}
