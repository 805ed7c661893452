"""Investment portfolio optimisation for municipal buildings (MILP with pulp/HiGHS).

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
