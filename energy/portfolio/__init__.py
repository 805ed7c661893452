"""Investment portfolio optimisation for municipal buildings (MILP with pulp/HiGHS).

Structured paths keep it fast and exact: :mod:`energy.portfolio.mckp` / :mod:`energy.portfolio.fast`
(single budget or target: multiple-choice knapsack), :mod:`energy.portfolio.plan` (multi-year plans and
programmes: LP rounding and reduced-cost fixing); :mod:`energy.portfolio.progress` reports a solve live.

Public API: :func:`optimise`, :class:`PortfolioProblem`, :class:`Programme`, :func:`audited_candidates`,
:func:`pareto_frontier`, :func:`greedy_portfolio`, :func:`lp_bound`, the errors
:class:`PortfolioInputError` and :class:`PortfolioInfeasibleError`.
"""

from energy.portfolio.problem import (
    OBJECTIVES,
    PortfolioInfeasibleError,
    PortfolioInputError,
    PortfolioProblem,
    Programme,
    audited_candidates,
)
from energy.portfolio.solve import PortfolioResult, optimise

__all__ = [
    "OBJECTIVES",
    "PortfolioInfeasibleError",
    "PortfolioInputError",
    "PortfolioProblem",
    "PortfolioResult",
    "Programme",
    "audited_candidates",
    "optimise",
]
