"""Solve an :class:`~energy.portfolio.model.ArrayModel` with pulp (HiGHS or CBC) or highspy directly.

pulp models are built from the arrays: one ``LpAffineExpression`` per row from a zip of the row's CSR
slice (no expression grown term by term). The highspy backend passes the CSC matrix in one call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

from energy.portfolio.model import ArrayModel


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


def to_highs(model: ArrayModel, *, relax: bool = False, gap_rel: float = 1e-3, time_limit_s: float = 60.0):
    """A configured ``highspy.Highs`` holding ``model`` (LP relaxation if ``relax``)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("threads", 1)
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
        lp.integrality_ = np.where(
            model.integer, highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        )
    h.passModel(lp)
    return h


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
    model: ArrayModel, *, relax: bool = False, gap_rel: float = 1e-3, time_limit_s: float = 60.0
) -> RawSolution:
    """Solve directly with highspy from numpy arrays."""
    t0 = time.perf_counter()
    h = to_highs(model, relax=relax, gap_rel=gap_rel, time_limit_s=time_limit_s)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    return _highs_result(h, t1 - t0, t2 - t1, mip=not relax and model.integer.any(), maximize=model.maximize)


def to_pulp(model: ArrayModel) -> tuple[pulp.LpProblem, list]:
    """A pulp problem equivalent to ``model``, built row by row from the CSR arrays."""
    prob = pulp.LpProblem("portfolio", pulp.LpMaximize if model.maximize else pulp.LpMinimize)
    cats = np.where(model.integer, pulp.LpInteger, pulp.LpContinuous)
    variables = [
        prob.add_variable(f"v{k}", lowBound=lb, upBound=ub, cat=cat)
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


def solve_pulp(
    model: ArrayModel, *, solver: str = "highs", gap_rel: float = 1e-3, time_limit_s: float = 60.0
) -> RawSolution:
    """Build the pulp model from arrays and solve it with HiGHS (``pulp.HiGHS``) or CBC."""
    t0 = time.perf_counter()
    prob, variables = to_pulp(model)
    t1 = time.perf_counter()
    if solver == "cbc":
        cmd = pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel, timeLimit=time_limit_s)
    else:
        cmd = pulp.HiGHS(msg=False, gapRel=gap_rel, timeLimit=time_limit_s, threads=1)
    prob.solve(cmd)
    t2 = time.perf_counter()
    if solver != "cbc":
        sign = -1.0 if model.maximize else 1.0  # pulp hands HiGHS a minimisation
        raw = _highs_result(
            prob.solverModel, t1 - t0, t2 - t1, mip=model.integer.any(), maximize=model.maximize, sign=sign
        )
        if raw.values is not None:
            raw.values = np.array([v.varValue or 0.0 for v in variables])
            raw.objective = float(np.dot(model.c, raw.values))
        return raw
    status = pulp.LpStatus[prob.status]
    ok = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    values = np.array([v.varValue or 0.0 for v in variables]) if ok else None
    obj = float(np.dot(model.c, values)) if ok else None
    # CBC through pulp exposes no dual bound; report it only when CBC proves optimality
    proven = prob.sol_status == pulp.LpSolutionOptimal
    return RawSolution(
        "Optimal" if proven else status,
        values,
        obj,
        obj if proven else None,
        None,
        t1 - t0,
        t2 - t1,
    )


def solve(model: ArrayModel, solver: str, gap_rel: float, time_limit_s: float) -> RawSolution:
    """Dispatch to the named backend (``highs`` and ``cbc`` via pulp, ``highspy`` directly)."""
    if solver == "highspy":
        return solve_highspy(model, gap_rel=gap_rel, time_limit_s=time_limit_s)
    return solve_pulp(model, solver=solver, gap_rel=gap_rel, time_limit_s=time_limit_s)
