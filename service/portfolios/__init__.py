"""Investment portfolios (MILP jobs), Pareto frontiers and side-by-side comparison."""
