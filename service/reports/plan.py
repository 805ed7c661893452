"""The investment plan: what a council reads about one portfolio, its financing and the alternatives.

Context only, from a :class:`PlanDocument`; ``templates/plan.html`` lays it out. NPV and payback are
the engine's figures (defined in the report's method section), never recomputed here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from service.charts.i18n import chart_language
from service.charts.portfolio import cash_flow_svg, compare_totals_svg, frontier_svg
from service.i18n import translator
from service.portfolios.document import PlanDocument, measure_sources
from service.reports.pdf import svg_data_uri


def _per_year(projects: pd.DataFrame) -> list[dict[str, Any]]:
    if projects.empty:
        return []
    grouped = projects.groupby("start_year").agg(
        projects=("building_id", "size"), capex_pln=("capex_pln", "sum"), grant_pln=("grant_pln", "sum"),
        own_contribution_pln=("own_contribution_pln", "sum"), co2_t=("co2_reduction_t_per_year", "sum"),
    )  # fmt: skip
    return [{"year": int(k), **v} for k, v in grouped.to_dict("index").items()]


def _financing(doc: PlanDocument) -> list[dict[str, Any]]:
    """Own contribution and each programme's grant, with the programme's rule."""
    rows: list[dict[str, Any]] = [
        {"source": "own", "amount_pln": float(doc.totals.get("own_contribution_pln") or 0.0), "rule": None}
    ]
    for prog in doc.programmes:
        col = f"grant_pln__{prog['programme_id']}"
        amount = float(doc.projects[col].sum()) if col in doc.projects else 0.0
        rows.append({"source": prog["programme_id"], "amount_pln": amount, "rule": prog})
    total = sum(float(r["amount_pln"]) for r in rows) or 1.0
    return [{**r, "share": r["amount_pln"] / total} for r in rows]


def _projects(doc: PlanDocument, lang: str) -> list[dict[str, Any]]:
    t = translator(lang)
    if doc.projects.empty:
        return []
    frame = doc.projects.sort_values(["start_year", "capex_pln"], ascending=[True, False])
    out = frame.to_dict("records")
    for r in out:
        parts = str(r.get("measures") or "").split("+")
        r["measures_text"] = ", ".join(t.pgettext("measure", m.replace("_", " ")) for m in parts if m)
    return out


def _charts(doc: PlanDocument, lang: str) -> dict[str, str]:
    with chart_language(lang):
        return _draw(doc, lang)


def _draw(doc: PlanDocument, lang: str) -> dict[str, str]:
    t = translator(lang)
    charts = {
        "cash_flow": cash_flow_svg(
            doc.cash_flow, t.gettext("Yearly cash flow and CO₂ – {name}", name=doc.name)
        )
    }
    if doc.frontier:
        chosen = {"name": doc.name, **doc.totals}
        charts["frontier"] = frontier_svg(
            doc.frontier, "co2", t.gettext("Cost against CO₂ reduction"), chosen
        )
    if len(doc.compared) >= 2:
        charts["compare"] = compare_totals_svg(doc.compared, t.gettext("The plans side by side"))
    return {k: svg_data_uri(v) for k, v in charts.items()}


def context(doc: PlanDocument, lang: str) -> dict[str, Any]:
    """Everything ``plan.html`` shows, computed once."""
    req = doc.request
    cash = doc.cash_flow
    return {
        "doc": doc,
        "t": doc.totals,
        "per_year": _per_year(doc.projects),
        "projects": _projects(doc, lang),
        "financing": _financing(doc),
        "cash": cash.to_dict("records"),
        "charts": _charts(doc, lang),
        "assumptions": {
            "discount_rate": req.get("discount_rate"),
            "price_escalation": req.get("price_escalation"),
            "horizon_years": req.get("horizon_years"),
            "objective": req.get("objective"),
            "budget_pln": req.get("budget_pln"),
            "yearly_budgets_pln": req.get("yearly_budgets_pln"),
            "price_overrides": req.get("price_overrides") or {},
        },
        "prices": doc.carrier_prices,
        "measures": measure_sources(),
        "compared": doc.compared,
        "frontier": doc.frontier,
    }
