"""The portfolio MILP, built from numpy arrays (no expressions grown in Python loops).

Variables: ``x[j, y]`` binary, candidate ``j`` started in plan year ``y``; ``g[b, p, y] >= 0`` grant [PLN]
of programme ``p`` to building ``b`` in year ``y`` (only where some candidate of ``b`` is eligible).

Constraints (row groups, named for infeasibility reports):

* ``one_package_per_building``: sum_{j in b, y} x <= 1 (``= 1`` for forced-in buildings,
  group ``forced_in_buildings``);
* ``budget_pln``: sum C x - sum g <= B (own contribution); ``yearly_budgets_pln[y]`` the same per year;
* ``max_projects_per_year``: sum_j x[j, y] <= M;
* ``grant_cap``: g[b,p,y] <= sum_j a_jp x[j,y] with a_jp = min(share * eligible cost, cap per building,
  k * yearly savings) for eligible j, which is exact because at most one x of a building is 1;
* ``grant_le_capex`` (several programmes): sum_p g[b,p,y] <= sum_j C_j x[j,y];
* ``programme_cap``: sum_{b,y} g[b,p,y] <= cap_total_p;
* ``target_co2`` / ``target_primary_energy``: sum_j R_j x >= T.

Objective coefficients come from :mod:`energy.portfolio.finance`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from energy.measures import load_catalogue
from energy.portfolio.finance import active_years, capex_discount_factor, npv_pln
from energy.portfolio.problem import PortfolioProblem, Programme
from energy.portfolio.thermo_act import thermo_bonus_eligibility

INF = np.inf


@dataclass
class ArrayModel:
    """A MILP in array form: max/min c x, row_lb <= A x <= row_ub, col_lb <= x <= col_ub."""

    c: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    integer: np.ndarray
    a: sparse.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    row_group: np.ndarray
    maximize: bool
    n_x: int
    n_years: int
    grant_index: pd.DataFrame = field(default_factory=pd.DataFrame)  # building, programme, year per g
    caps: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # largest grant (candidate, programme)
    aggregate_grants: bool = False

    @property
    def n_var(self) -> int:
        return len(self.c)

    def satisfied_by(self, values: np.ndarray | None, tol: float = 1e-6) -> bool:
        """Does ``values`` meet every bound and row (rows within the relative tolerance ``tol``)?"""
        if values is None:
            return False
        act = self.a @ values
        scale = 1.0 + np.abs(act)
        return bool(
            np.all(values >= self.col_lb - tol)
            and np.all(values <= self.col_ub + tol)
            and np.all(act >= self.row_lb - tol * scale)
            and np.all(act <= self.row_ub + tol * scale)
        )


def _measure_table(params: dict) -> pd.DataFrame:
    """Measure catalogue (category, heating system) for the act's rules: ``params['measures']`` or the default."""
    table = params.get("measures") if isinstance(params, dict) else None
    return table if isinstance(table, pd.DataFrame) else load_catalogue().measures


def eligibility_reasons(candidates: pd.DataFrame, programme: Programme, params: dict) -> list[str]:
    """Why each candidate is or is not eligible for ``programme`` (article of the act, or the threshold)."""
    if programme.thermo_bonus_rules:
        return thermo_bonus_eligibility(candidates, _measure_table(params))[1]
    ok = eligibility(candidates, programme, params)
    rule = (
        f"primary-energy saving >= {programme.min_primary_energy_saving_share:.0%} of the baseline"
        if programme.min_primary_energy_saving_share is not None
        else "no eligibility condition set"
    )
    return np.where(ok, "eligible: " + rule, "not eligible: " + rule).tolist()


def eligibility(candidates: pd.DataFrame, programme: Programme, params: dict) -> np.ndarray:
    """Boolean per candidate: does the programme fund it? (thresholds in measures_parameters.csv)."""
    ok = np.ones(len(candidates), bool)
    if programme.min_primary_energy_saving_share is not None:
        base = candidates.get("baseline_primary_energy_kwh_per_year")
        if base is None or "primary_energy_savings_kwh_per_year" not in candidates:
            return np.zeros(len(candidates), bool)
        share = candidates["primary_energy_savings_kwh_per_year"] / base.where(base > 0)
        ok &= (share >= programme.min_primary_energy_saving_share).to_numpy()
    if programme.thermo_bonus_rules:
        ok &= thermo_bonus_eligibility(candidates, _measure_table(params))[0]
    return ok


def grant_caps_pln(candidates: pd.DataFrame, programmes, params: dict) -> np.ndarray:
    """Largest grant [PLN] each programme can give each candidate, shape (n_candidates, n_programmes)."""
    caps = np.zeros((len(candidates), len(programmes)))
    capex = candidates["capex_pln"].to_numpy(float)
    for k, prog in enumerate(programmes):
        if prog.eligible_measures:
            cols = [f"capex_pln__{m}" for m in prog.eligible_measures if f"capex_pln__{m}" in candidates]
            eligible_cost = candidates[cols].to_numpy(float).sum(axis=1) if cols else np.zeros(len(capex))
        else:
            eligible_cost = capex
        cap = prog.share_of_eligible_cost * eligible_cost
        if prog.cap_per_building_pln is not None:
            cap = np.minimum(cap, prog.cap_per_building_pln)
        if prog.cap_multiple_of_yearly_savings is not None:
            sav = np.maximum(candidates["savings_pln_per_year"].to_numpy(float), 0.0)
            cap = np.minimum(cap, prog.cap_multiple_of_yearly_savings * sav)
        caps[:, k] = np.where(eligibility(candidates, prog, params), cap, 0.0)
    return caps


def allowed_mask(candidates: pd.DataFrame, problem: PortfolioProblem) -> np.ndarray:
    """Boolean per candidate: not forced out, no excluded measure, contains required measures."""
    bid = candidates["building_id"]
    ok = ~bid.isin(list(map(str, problem.forced_out_buildings))).to_numpy()
    parts = candidates["measures"].str.split("+")
    if problem.excluded_measures:
        excl = set(problem.excluded_measures)
        ok &= ~parts.map(lambda ms: bool(excl.intersection(ms))).to_numpy()
    for b, req in problem.required_measures.items():
        rows = (bid == str(b)).to_numpy()
        has = parts[rows].map(lambda ms, req=set(req): req.issubset(ms)).to_numpy()
        ok[np.flatnonzero(rows)[~has]] = False
    return ok


def objective_coefficients(candidates: pd.DataFrame, problem: PortfolioProblem) -> np.ndarray:
    """Objective coefficient of x[j, y], shape (n_candidates, n_years) (sense from the objective)."""
    years = np.arange(problem.n_years)
    life = candidates["lifetime_years"].to_numpy(float)
    if problem.objective == "max_co2":
        return candidates["co2_reduction_t_per_year"].to_numpy(float)[:, None] * active_years(
            life, years, problem.horizon_years
        )
    if problem.objective == "max_primary_energy":
        pe = candidates["primary_energy_savings_kwh_per_year"].to_numpy(float)
        return pe[:, None] * active_years(life, years, problem.horizon_years)
    if problem.objective == "max_npv":
        return npv_pln(
            candidates["capex_pln"],
            candidates["savings_pln_per_year"],
            life,
            years,
            problem.horizon_years,
            problem.discount_rate,
            problem.price_escalation,
        )
    return np.repeat(candidates["capex_pln"].to_numpy(float)[:, None], problem.n_years, axis=1)


@dataclass(frozen=True)
class _Layout:
    """Where everything sits: candidates ``j`` and buildings ``b`` (codes into ``b_ids``), the columns
    ``x[j, y]`` (first ``n_x``) and the grant columns ``g`` after them (building ``g_b``, -1 for a pool,
    programme ``g_p``, year ``g_y``), and each candidate's capex and grant caps per programme."""

    n_y: int
    n_x: int
    b_codes: np.ndarray
    b_ids: pd.Index
    j_of_x: np.ndarray
    y_of_x: np.ndarray
    capex: np.ndarray
    caps: np.ndarray
    aggregate: bool
    g_b: np.ndarray
    g_p: np.ndarray
    g_y: np.ndarray

    @property
    def n_b(self) -> int:
        return len(self.b_ids)

    @property
    def n_g(self) -> int:
        return len(self.g_b)

    @property
    def g_col(self) -> np.ndarray:
        return self.n_x + np.arange(self.n_g)

    @property
    def own_x(self) -> np.ndarray:
        """Own cost of each x (its candidate's capex); each grant column takes -1 of it."""
        return self.capex[self.j_of_x]


def _layout(candidates: pd.DataFrame, problem: PortfolioProblem, params: dict) -> _Layout:
    n_c, n_y = len(candidates), problem.n_years
    b_codes, b_ids = pd.factorize(candidates["building_id"])
    capex = candidates["capex_pln"].to_numpy(float)
    caps = grant_caps_pln(candidates, problem.programmes, params)
    # grant variables. If no candidate can get more than its capex from all programmes together, the
    # per-building caps only matter through their sum, so one grant pool G[p, y] per programme and year
    # is exact (any split with g_b <= a_b works) and much easier for the solver; else g[b, p, y].
    aggregate = bool((caps.sum(axis=1) <= capex + 1e-9).all())
    elig_b = np.zeros((len(b_ids), caps.shape[1]), bool)
    np.logical_or.at(elig_b, b_codes, caps > 0)
    if aggregate:
        gp = np.flatnonzero(elig_b.any(axis=0))
        gb = np.full(len(gp), -1)
    else:
        gb, gp = np.nonzero(elig_b)
    return _Layout(
        n_y=n_y,
        n_x=n_c * n_y,
        b_codes=b_codes,
        b_ids=b_ids,
        j_of_x=np.repeat(np.arange(n_c), n_y),
        y_of_x=np.tile(np.arange(n_y), n_c),
        capex=capex,
        caps=caps,
        aggregate=aggregate,
        g_b=np.repeat(gb, n_y),
        g_p=np.repeat(gp, n_y),
        g_y=np.tile(np.arange(n_y), len(gb)),
    )


class _Rows:
    """The constraint rows, block by block: entries (row, column, value), bounds and group names."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lbs: list[np.ndarray] = []
        self.ubs: list[np.ndarray] = []
        self.groups: list[np.ndarray] = []
        self.n_rows = 0

    def add(self, r, c, v, lb, ub, group) -> None:
        """A block of ``len(lb)`` rows; ``r`` counts from the block's first row."""
        self.rows.append(np.asarray(r) + self.n_rows)
        self.cols.append(np.asarray(c))
        self.vals.append(np.asarray(v, float))
        k = len(lb)
        self.lbs.append(lb)
        self.ubs.append(ub)
        self.groups.append(
            np.asarray(group, dtype=object) if np.ndim(group) else np.full(k, group, dtype=object)
        )
        self.n_rows += k

    def matrix(self, n_cols: int) -> sparse.csr_matrix:
        entries = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return sparse.csr_matrix(entries, shape=(self.n_rows, n_cols))


def _choice_rows(rows: _Rows, lay: _Layout, problem: PortfolioProblem) -> None:
    """One package per building (exactly one for a forced-in building or one with required measures)."""
    forced = np.isin(
        lay.b_ids, list(map(str, problem.forced_in_buildings)) + list(map(str, problem.required_measures))
    )
    rows.add(
        lay.b_codes[lay.j_of_x],
        np.arange(lay.n_x),
        np.ones(lay.n_x),
        np.where(forced, 1.0, -INF),
        np.ones(lay.n_b),
        np.where(forced, "forced_in_buildings", "one_package_per_building"),
    )


def _budget_rows(rows: _Rows, lay: _Layout, problem: PortfolioProblem) -> None:
    """Own contribution within the budget (all years, each year) and at most M projects a year."""
    n_x, n_y = lay.n_x, lay.n_y
    own = np.concatenate([lay.own_x, -np.ones(lay.n_g)])
    x_and_g = np.concatenate([np.arange(n_x), lay.g_col])
    if problem.budget_pln is not None:
        rows.add(
            np.zeros(n_x + lay.n_g, int),
            x_and_g,
            own,
            np.array([-INF]),
            np.array([float(problem.budget_pln)]),
            "budget_pln",
        )
    if problem.yearly_budgets_pln is not None:
        rows.add(
            np.concatenate([lay.y_of_x, lay.g_y]),
            x_and_g,
            own,
            np.full(n_y, -INF),
            np.asarray(problem.yearly_budgets_pln, float),
            "yearly_budgets_pln",
        )
    if problem.max_projects_per_year is not None:
        rows.add(
            lay.y_of_x,
            np.arange(n_x),
            np.ones(n_x),
            np.full(n_y, -INF),
            np.full(n_y, float(problem.max_projects_per_year)),
            "max_projects_per_year",
        )


def _target_rows(rows: _Rows, lay: _Layout, problem: PortfolioProblem, candidates: pd.DataFrame) -> None:
    """Reductions of at least the targets (CO2, primary energy)."""
    for name, col in (
        ("target_co2_reduction_t_per_year", "co2_reduction_t_per_year"),
        ("target_primary_energy_savings_kwh_per_year", "primary_energy_savings_kwh_per_year"),
    ):
        if getattr(problem, name) is not None:
            rows.add(
                np.zeros(lay.n_x, int),
                np.arange(lay.n_x),
                candidates[col].to_numpy(float)[lay.j_of_x],
                np.array([float(getattr(problem, name))]),
                np.array([INF]),
                name,
            )


def _grant_rows(rows: _Rows, lay: _Layout, problem: PortfolioProblem) -> None:
    """Grants within the caps of the chosen candidates, within capex (several programmes), and
    within each programme's total."""
    n_g, g_col, caps, j_of_x = lay.n_g, lay.g_col, lay.caps, lay.j_of_x
    # g[b,p,y] - sum_{j in b} a_jp x[j,y] <= 0: map each x to the grant rows of its building and year
    row_of = pd.Series(np.arange(n_g), index=pd.MultiIndex.from_arrays([lay.g_b, lay.g_p, lay.g_y]))
    xb, xp = np.nonzero(caps[j_of_x] > 0)
    xb_code = np.full(len(xb), -1) if lay.aggregate else lay.b_codes[j_of_x][xb]
    keys = pd.MultiIndex.from_arrays([xb_code, xp, lay.y_of_x[xb]])
    grow = row_of.reindex(keys).to_numpy()
    rows.add(
        np.concatenate([np.arange(n_g), grow]),
        np.concatenate([g_col, xb]),
        np.concatenate([np.ones(n_g), -caps[j_of_x][xb, xp]]),
        np.full(n_g, -INF),
        np.zeros(n_g),
        "grant_cap",
    )
    if len(problem.programmes) > 1 and not lay.aggregate:
        by_codes, by_ids = pd.factorize(pd.MultiIndex.from_arrays([lay.g_b, lay.g_y]))
        x_key = pd.MultiIndex.from_arrays([lay.b_codes[j_of_x], lay.y_of_x])
        xr = by_ids.get_indexer(x_key)
        sel = xr >= 0
        rows.add(
            np.concatenate([by_codes, xr[sel]]),
            np.concatenate([g_col, np.arange(lay.n_x)[sel]]),
            np.concatenate([np.ones(n_g), -lay.own_x[sel]]),
            np.full(len(by_ids), -INF),
            np.zeros(len(by_ids)),
            "grant_le_capex",
        )
    tot = [(k, p.cap_total_pln) for k, p in enumerate(problem.programmes) if p.cap_total_pln is not None]
    for k, cap in tot:
        sel = lay.g_p == k
        rows.add(
            np.zeros(sel.sum(), int),
            g_col[sel],
            np.ones(sel.sum()),
            np.array([-INF]),
            np.array([float(cap)]),
            f"programme_cap[{problem.programmes[k].programme_id}]",
        )


def _grant_objective(lay: _Layout, problem: PortfolioProblem) -> np.ndarray:
    """Objective coefficient of each grant column: its discounted value for NPV, -1 PLN of own cost
    for least cost, nothing for the physical objectives."""
    if problem.objective == "max_npv":
        return capex_discount_factor(lay.g_y, problem.discount_rate)
    if problem.objective == "min_cost":
        return -np.ones(lay.n_g)
    return np.zeros(lay.n_g)


def build_model(candidates: pd.DataFrame, problem: PortfolioProblem, params: dict) -> ArrayModel:
    """Assemble the :class:`ArrayModel` of ``problem`` over validated ``candidates``."""
    lay = _layout(candidates, problem, params)
    n_x, n_g, g_p, caps = lay.n_x, lay.n_g, lay.g_p, lay.caps
    rows = _Rows()
    _choice_rows(rows, lay, problem)
    _budget_rows(rows, lay, problem)
    _target_rows(rows, lay, problem, candidates)
    if n_g:
        _grant_rows(rows, lay, problem)
    coef = objective_coefficients(candidates, problem).reshape(-1)
    ub_x = np.repeat(allowed_mask(candidates, problem), lay.n_y).astype(float)
    return ArrayModel(
        c=np.concatenate([coef, _grant_objective(lay, problem)]),
        col_lb=np.zeros(n_x + n_g),
        col_ub=np.concatenate(
            [ub_x, (caps.sum(axis=0) if lay.aggregate else caps.max(axis=0))[g_p] if n_g else np.zeros(0)]
        ),
        integer=np.concatenate([np.ones(n_x, bool), np.zeros(n_g, bool)]),
        a=rows.matrix(n_x + n_g),
        row_lb=np.concatenate(rows.lbs),
        row_ub=np.concatenate(rows.ubs),
        row_group=np.concatenate(rows.groups),
        maximize=problem.objective != "min_cost",
        n_x=n_x,
        n_years=lay.n_y,
        grant_index=pd.DataFrame(
            {
                "building_id": np.where(lay.g_b >= 0, lay.b_ids[np.maximum(lay.g_b, 0)], None),
                "programme": g_p,
                "year": lay.g_y,
            }
        ),
        caps=caps,
        aggregate_grants=lay.aggregate,
    )
