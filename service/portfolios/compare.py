"""Side-by-side comparison of stored portfolios (pure pandas on stored results; no solving)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from service.jsonsafe import frame_records

TOTAL_FIELDS = (
    "n_projects",
    "capex_pln",
    "grant_pln",
    "own_contribution_pln",
    "savings_pln_per_year",
    "final_energy_savings_mwh_per_year",
    "co2_reduction_t_per_year",
    "npv_pln",
    "simple_payback_years",
)
PROJECT_FIELDS = (
    "package_id",
    "start_year",
    "capex_pln",
    "grant_pln",
    "own_contribution_pln",
    "savings_pln_per_year",
    "co2_reduction_t_per_year",
)
CASH_FIELDS = (
    "capex_pln",
    "grant_pln",
    "own_contribution_pln",
    "savings_pln",
    "net_cash_flow_pln",
    "cumulative_cash_flow_pln",
    "co2_reduction_t",
)


def compare(portfolios: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``portfolios``: dicts with ``id, name, totals, projects, cash_flow`` (stored results).

    Returns totals (one row per portfolio), buildings (one row per building in any portfolio with
    ``<field>__<k>`` for portfolio k = 1..n and ``same_package`` across all), and the yearly cash flow
    and CO2 in long form (year, portfolio).
    """
    totals = pd.DataFrame(
        [
            {"portfolio_id": str(p["id"]), "name": p["name"], **{f: p["totals"].get(f) for f in TOTAL_FIELDS}}
            for p in portfolios
        ]
    )
    wide: pd.DataFrame | None = None
    for k, p in enumerate(portfolios, start=1):
        cols = ["building_id", *PROJECT_FIELDS]
        frame = pd.DataFrame.from_records(p["projects"], columns=cols)
        frame = frame.rename(columns={c: f"{c}__{k}" for c in PROJECT_FIELDS})
        wide = frame if wide is None else wide.merge(frame, on="building_id", how="outer")
    if wide is None:
        raise ValueError("compare: no portfolios given (the caller asks for 2..10)")
    wide = wide.sort_values("building_id").reset_index(drop=True)
    packages = wide[[f"package_id__{k}" for k in range(1, len(portfolios) + 1)]].fillna("(none)")
    wide["same_package"] = packages.nunique(axis=1).eq(1).to_numpy()
    cash = pd.concat(
        [
            pd.DataFrame.from_records(p["cash_flow"])
            .reindex(columns=["year", *CASH_FIELDS])
            .assign(portfolio_id=str(p["id"]))
            for p in portfolios
        ],
        ignore_index=True,
    )
    cash = cash[["year", "portfolio_id", *CASH_FIELDS]].sort_values(["year", "portfolio_id"], kind="stable")
    return {
        "totals": frame_records(totals),
        "buildings": frame_records(wide),
        "cash_flow": frame_records(cash),
    }
