"""Solve an :class:`~energy.portfolio.model.ArrayModel` with HiGHS, through pulp or highspy directly.

pulp models are built from the arrays: one ``LpAffineExpression`` per row from a zip of the row's CSR
slice (no expression grown term by term). The highspy backend passes the CSC matrix in one call.

Warm starts: every backend takes an optional ``start`` (values of all model columns, e.g. the greedy
plan of :func:`energy.portfolio.greedy.greedy_start`). highspy gets it via ``Highs.setSolution``; pulp's
``HiGHS`` API class has no ``warmStart``, so :class:`WarmHiGHS` sets the solution after pulp has passed
the model.

CBC is no longer offered: pulp 3.3 deprecates ``PULP_CBC_CMD`` (its bundled CBC binary leaves in pulp 4)
and HiGHS, which we ship as ``highspy``, solves the same models with a proven bound and gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pulp

from energy.portfolio.model import ArrayModel
from energy.portfolio.progress import Progress


@dataclass
class RawSolution:
    """Solver output in array form; objective and bound in the model's own sense."""

    status: str
    values: np.ndarray | None
    objective: float | None
    best_bound: float | None
    gap: float | None
    build_time_s: float
    solve_time_s: float


def _finite(a: np.ndarray) -> np.ndarray:
    return np.clip(a, -highspy.kHighsInf, highspy.kHighsInf)


def to_highs(
    model: ArrayModel,
    *,
    relax: bool = False,
    gap_rel: float = 1e-3,
    time_limit_s: float = 60.0,
    options: dict | None = None,
):
    """A configured ``highspy.Highs`` holding ``model`` (LP relaxation if ``relax``; extra HiGHS ``options``)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("threads", 1)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    lp = highspy.HighsLp()
    csc = model.a.tocsc()
    lp.num_col_, lp.num_row_ = model.n_var, model.a.shape[0]
    lp.col_cost_ = model.c
    lp.col_lower_, lp.col_upper_ = model.col_lb, model.col_ub
    lp.row_lower_, lp.row_upper_ = _finite(model.row_lb), _finite(model.row_ub)
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    if not relax:
        # numpy's stubs do not accept highspy's enum members as where() operands; highspy takes the array.
        lp.integrality_ = np.where(  # type: ignore[call-overload]
            model.integer, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        )
    h.passModel(lp)
    return h


def set_start(h, start: np.ndarray | None, index: np.ndarray | None = None) -> None:
    """Give ``h`` the MILP starting point ``start`` (column order of the model, or ``index``)."""
    if start is None:
        return
    idx = np.arange(len(start), dtype=np.int32) if index is None else np.asarray(index, np.int32)
    h.setSolution(len(idx), idx, np.asarray(start, float))


def complete_grants(model: ArrayModel, x_values: np.ndarray) -> np.ndarray:
    """All column values with the package columns fixed to ``x_values`` and grants set by an LP.

    The LP maximises the model's objective over the grant columns (or the total grant when they do
    not enter it); if it has no solution the grants are 0 (the start may then be infeasible, which the
    solver simply rejects).
    """
    n_x, n_g = model.n_x, model.n_var - model.n_x
    values = np.concatenate([np.asarray(x_values, float), np.zeros(n_g)])
    if n_g == 0:
        return values
    c_g = model.c[n_x:]
    grants_in_objective = bool(np.any(c_g != 0))
    fixed = replace(
        model,
        c=np.concatenate([np.zeros(n_x), c_g if grants_in_objective else np.ones(n_g)]),
        col_lb=np.concatenate([values[:n_x], model.col_lb[n_x:]]),
        col_ub=np.concatenate([values[:n_x], model.col_ub[n_x:]]),
        maximize=model.maximize if grants_in_objective else True,
    )
    raw = solve_highspy(fixed, relax=True)
    if raw.values is not None:
        values[n_x:] = np.clip(raw.values[n_x:], model.col_lb[n_x:], model.col_ub[n_x:])
    return values


def _highs_result(
    h, build_s: float, solve_s: float, mip: bool, maximize: bool, sign: float = 1.0
) -> RawSolution:
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2
    values = np.asarray(h.getSolution().col_value) if has_sol else None
    obj = sign * info.objective_function_value if has_sol else None
    if mip:
        bound = sign * info.mip_dual_bound
        gap = info.mip_gap if has_sol else None
    else:
        bound, gap = obj, 0.0 if has_sol else None
    return RawSolution(status, values, obj, bound, gap, build_s, solve_s)


def solve_highspy(
    model: ArrayModel,
    *,
    relax: bool = False,
    gap_rel: float = 1e-3,
    time_limit_s: float = 60.0,
    start: np.ndarray | None = None,
    options: dict | None = None,
    progress: Progress | None = None,
    stop_at: float | None = None,
) -> RawSolution:
    """Solve directly with highspy from numpy arrays (optionally from the starting point ``start``).

    ``progress`` (:class:`energy.portfolio.progress.Progress`) hears the MIP callbacks of the solve;
    ``stop_at`` stops the MIP once its incumbent reaches that objective (status "Interrupted by user"),
    for a caller that holds a better bound than this model's.
    """
    t0 = time.perf_counter()
    h = to_highs(model, relax=relax, gap_rel=gap_rel, time_limit_s=time_limit_s, options=options)
    if not relax:
        set_start(h, start)
        if progress is not None:
            progress.attach(h)
        if stop_at is not None:
            sense = 1.0 if model.maximize else -1.0

            def stop(event) -> None:
                if sense * (event.data_out.mip_primal_bound - stop_at) >= 0:
                    event.data_in.user_interrupt = True

            h.cbMipInterrupt.subscribe(stop)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    if progress is not None:
        progress.raise_pending()
    return _highs_result(
        h, t1 - t0, t2 - t1, mip=not relax and bool(model.integer.any()), maximize=model.maximize
    )


def to_pulp(model: ArrayModel) -> tuple[pulp.LpProblem, list]:
    """A pulp problem equivalent to ``model``, built row by row from the CSR arrays."""
    prob = pulp.LpProblem("portfolio", pulp.LpMaximize if model.maximize else pulp.LpMinimize)
    cats = np.where(model.integer, pulp.LpInteger, pulp.LpContinuous)
    width = len(str(max(model.n_var - 1, 0)))  # zero-padded: pulp sorts by name, keep the model's order
    variables = [
        prob.add_variable(f"v{k:0{width}d}", lowBound=lb, upBound=ub, cat=cat)
        for k, (lb, ub, cat) in enumerate(
            zip(model.col_lb.tolist(), model.col_ub.tolist(), cats, strict=True)
        )
    ]
    nz = np.flatnonzero(model.c)
    prob.setObjective(
        pulp.LpAffineExpression(zip([variables[k] for k in nz], model.c[nz].tolist(), strict=True))
    )
    a = model.a
    indptr, indices, data = a.indptr, a.indices.tolist(), a.data.tolist()
    for r, (lb, ub) in enumerate(zip(model.row_lb.tolist(), model.row_ub.tolist(), strict=True)):
        s, e = indptr[r], indptr[r + 1]
        expr = pulp.LpAffineExpression(zip([variables[k] for k in indices[s:e]], data[s:e], strict=True))
        if lb == ub:
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, rhs=ub), f"r{r}")
        else:
            if ub != np.inf:
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=ub), f"r{r}")
            if lb != -np.inf:
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=lb), f"r{r}_lb")
    return prob, variables


class WarmHiGHS(pulp.HiGHS):
    """pulp's HiGHS API solver with a MILP starting point (pulp 3.3 ignores ``warmStart`` for it).

    ``start`` maps pulp variables to values; it is handed to ``Highs.setSolution`` once pulp has built
    the HiGHS model (pulp's column order is ``var.index``).
    """

    def __init__(self, start: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.start = start

    def buildSolverModel(self, lp):
        super().buildSolverModel(lp)
        if self.start:
            known = [(v.index, value) for v, value in self.start.items() if hasattr(v, "index")]
            index, values = zip(*known, strict=True) if known else ((), ())
            set_start(lp.solverModel, np.asarray(values, float), np.asarray(index, np.int32))


def solve_pulp(
    model: ArrayModel,
    *,
    gap_rel: float = 1e-3,
    time_limit_s: float = 60.0,
    start: np.ndarray | None = None,
) -> RawSolution:
    """Build the pulp model from arrays and solve it with HiGHS (``pulp.HiGHS``, its highspy API)."""
    t0 = time.perf_counter()
    prob, variables = to_pulp(model)
    t1 = time.perf_counter()
    warm = dict(zip(variables, start.tolist(), strict=True)) if start is not None else None
    prob.solve(WarmHiGHS(start=warm, msg=False, gapRel=gap_rel, timeLimit=time_limit_s, threads=1))
    t2 = time.perf_counter()
    sign = -1.0 if model.maximize else 1.0  # pulp hands HiGHS a minimisation
    raw = _highs_result(
        prob.solverModel,
        t1 - t0,
        t2 - t1,
        mip=bool(model.integer.any()),
        maximize=model.maximize,
        sign=sign,
    )
    if raw.values is not None:
        solved = np.array([v.varValue or 0.0 for v in variables])
        raw.values, raw.objective = solved, float(np.dot(model.c, solved))
    return raw


def solve(
    model: ArrayModel,
    solver: str,
    gap_rel: float,
    time_limit_s: float,
    start: np.ndarray | None = None,
    progress: Progress | None = None,
) -> RawSolution:
    """Dispatch to the named backend (``highs`` via pulp, ``highspy`` directly).

    ``progress`` hears the solve with ``highspy`` only (pulp runs HiGHS without callbacks).
    """
    if solver == "highspy":
        return solve_highspy(
            model, gap_rel=gap_rel, time_limit_s=time_limit_s, start=start, progress=progress
        )
    return solve_pulp(model, gap_rel=gap_rel, time_limit_s=time_limit_s, start=start)
