"""Everything the investment-plan report shows about one finished portfolio (and the plans and
frontier an advisor puts beside it), gathered once. No optimisation maths here."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from energy.measures import load_catalogue, programme_catalogue


@dataclass
class PlanDocument:
    """A finished portfolio with its projects (named), cash flow, request and the programmes it used."""

    portfolio_id: uuid.UUID
    name: str
    city_name: str
    inventory_name: str
    inventory_version: int
    engine_version: str
    finished_at: dt.datetime
    request: dict[str, Any]
    solve: dict[str, Any]
    totals: dict[str, Any]
    projects: pd.DataFrame
    cash_flow: pd.DataFrame
    programmes: list[dict[str, Any]]
    compared: list[dict[str, Any]] = field(
        default_factory=list
    )  # totals of each compared plan, this one first
    frontier: list[dict[str, Any]] = field(default_factory=list)
    carrier_prices: list[dict[str, Any]] = field(default_factory=list)


RULE_FIELDS = ("name", "share_of_eligible_cost", "cap_per_building_pln", "cap_total_pln",
               "cap_multiple_of_yearly_savings", "min_primary_energy_saving_share", "source", "year")  # fmt: skip


def programme_rules(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The programmes of a request, each with its rule as the catalogue (and the request) state it."""
    table = programme_catalogue().set_index("programme_id")
    out = []
    for p in request.get("programmes") or []:
        pid = p["programme_id"]
        row = table.loc[pid].to_dict() if pid in table.index else {}
        merged = {
            **{k: v for k, v in row.items() if pd.notna(v)},
            **{k: v for k, v in p.items() if v not in (None, [])},
        }
        out.append({**dict.fromkeys(RULE_FIELDS), "programme_id": pid, **merged})
    return out


def measure_sources() -> list[dict[str, Any]]:
    """Costs and lifetimes of the measure catalogue with their sources."""
    measures = load_catalogue().measures.reset_index()
    keep = [
        c
        for c in ("measure_id", "name", "unit_cost_pln", "lifetime_years", "source", "year")
        if c in measures
    ]
    return measures[keep].to_dict("records")
