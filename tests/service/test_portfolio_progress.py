"""A portfolio job's progress follows the solve: 62-92 %, never backwards, with the proven gap shown."""

from energy.portfolio import PortfolioProblem, Programme, optimise
from energy.portfolio.pareto import pareto_frontier
from energy.portfolio.synthetic import synthetic_candidates
from service.portfolios.jobs import _solve_progress


class Recorder:
    """Stands in for the job context: keeps what the job would write to its row."""

    def __init__(self):
        self.calls = []

    def progress(self, percent, message=""):
        self.calls.append((percent, message))


def test_plan_solve_moves_the_job_progress_and_shows_the_gap():
    c = synthetic_candidates(30, 6, seed=401)
    yearly = [0.07 * c.groupby("building_id").capex_pln.max().sum()] * 3
    problem = PortfolioProblem(
        objective="max_npv",
        yearly_budgets_pln=yearly,
        programmes=[Programme("regional", 0.3, cap_total_pln=0.1 * sum(yearly))],
        max_projects_per_year=5,
        gap_rel=0.0,
    )
    rec = Recorder()
    result = optimise(c, problem, on_progress=_solve_progress(rec))
    percents = [p for p, _ in rec.calls]
    assert len(percents) >= 3
    assert percents == sorted(percents) and percents[0] >= 62 and percents[-1] == 92
    assert any(m.startswith("solving (milp)") and "gap" in m for _, m in rec.calls)
    assert rec.calls[-1][1].endswith(f"gap {100 * result.gap:.3g} %")


def test_frontier_job_progress_counts_points():
    rec = Recorder()
    c = synthetic_candidates(20, 5, seed=3)
    pareto_frontier(
        c, PortfolioProblem(gap_rel=0.0), n_points=4, kind="co2", on_progress=_solve_progress(rec)
    )
    assert [m.split(",")[0] for _, m in rec.calls] == [f"frontier: point {k} of 4" for k in range(1, 5)]
    assert [p for p, _ in rec.calls] == [62 + 30 * k / 4 for k in range(1, 5)]
