"""The readiness diagnosis for new residents: score, pillars and their intervals, capacity against
need, strengths and weaknesses, the peer group, every indicator with year, source and age.

Context only, from ``service.readiness.service.report_data``; ``templates/readiness.html`` lays it
out. No scoring maths here: every figure is the engine's stored result.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from service.charts.i18n import chart_language
from service.charts.readiness import pillar_intervals_svg
from service.i18n import translator

PILLARS = ("housing", "schooling", "services")


def pillar_chart_svg(
    overall: dict[str, Any], pillars: list[dict[str, Any]], lang: str, municipality: str
) -> str:
    """The score and pillars with their intervals, in ``lang`` (the workspace and the PDF draw the same)."""
    t = translator(lang)
    rows = [{"label": t.gettext("Overall"), **overall}]
    # A pillar the run could not score (no data for it in that gmina) has no bar; the table says so.
    rows += [
        {"label": t.pgettext("pillar", p["code"]).capitalize(), **p}
        for p in pillars
        if p.get("score") is not None
    ]
    with chart_language(lang):
        return pillar_intervals_svg(
            rows, t.gettext("Readiness score and pillars – {name}", name=municipality)
        )


def indicator_names(framework: Any, lang: str) -> dict[str, str]:
    ind = framework.indicators.reset_index()
    column = f"name_{lang}" if f"name_{lang}" in ind else "name_pl"
    return dict(zip(ind["code"], ind[column], strict=True))


def _indicator_rows(data: dict[str, Any], lang: str, names: dict[str, str]) -> list[dict[str, Any]]:
    ind = data["framework"].indicators
    values: pd.DataFrame = data["values"]
    detail = data["score"].detail or {}
    coverage = detail.get("coverage", {})
    stale = set(coverage.get("stale") or [])
    imputed = (
        set((coverage.get("imputed") or {}).keys())
        if isinstance(coverage.get("imputed"), dict)
        else set(coverage.get("imputed") or [])
    )
    reference_year = (detail.get("vintage") or {}).get("reference_year")
    by_code = values.set_index("indicator") if not values.empty else pd.DataFrame()
    computed = (detail.get("headroom") or {}).get("ratios") or {}
    rows = []
    for code in ind.index:
        v = by_code.loc[code] if code in by_code.index else None
        if v is None and code in computed:  # capacity against need under the scenario: derived, not reported
            v = pd.Series({"value": computed[code], "year": reference_year, "source": "computed"})
        year = None if v is None or pd.isna(v["year"]) else int(v["year"])
        rows.append({
            "code": code, "name": names.get(code, code),
            "unit": ind.loc[code, "unit"], "value": None if v is None else v["value"], "year": year,
            "source": "" if v is None else str(v["source"]),
            "pillar": ind.loc[code, "pillar"] if isinstance(ind.loc[code, "pillar"], str) else "context",
            "age": (reference_year - year) if (reference_year and year) else None,
            "stale": code in stale, "imputed": code in imputed, "missing": v is None,
        })  # fmt: skip
    return rows


def context(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Everything ``readiness.html`` shows."""
    score = data["score"]
    detail = score.detail or {}
    names = indicator_names(data["framework"], lang)
    pillars = [{"code": p, **(score.pillars or {}).get(p, {})} for p in PILLARS]
    overall = (score.pillars or {}).get("overall", {})
    explanation = detail.get("explanation") or {}
    headroom = detail.get("headroom") or {}
    weakest = list(explanation.get("weaknesses") or [])
    interval = detail.get("interval") or {}
    return {
        "chart_svg": pillar_chart_svg(overall, pillars, lang, data["municipality"])
        if score.score is not None else None,
        "municipality": data["municipality"], "teryt": data["teryt"], "run": data["run"],
        "score": score.score, "overall": overall, "pillars": pillars, "interval": interval,
        "has_interval": bool(interval.get("runs")),
        "coverage": detail.get("coverage") or {}, "peer": detail.get("peer") or {},
        "headroom": [{"code": k, "name": names.get(k, k), "ratio": v} for k, v in (headroom.get("ratios") or {}).items()],
        "breaks": [{"pillar": k, "arrivals": v} for k, v in (headroom.get("breaks_at_arrivals") or {}).items()],
        "first_to_break": headroom.get("first_to_break"),
        "scenario": (data["run"].request or {}).get("scenario") or {},
        "scenario_detail": detail.get("scenario") or {},
        "strengths": [names.get(c, c) for c in explanation.get("strengths") or []],
        "weaknesses": [names.get(c, c) for c in explanation.get("weaknesses") or []],
        # With equal weights and linear goalposts every normalised point counts the same, so the weakest
        # indicator is the one with the most room to raise the score (the engine's best lever rule).
        "best_lever": names.get(weakest[0], weakest[0]) if weakest else None,
        "indicators": _indicator_rows(data, lang, names),
        "methodology_version": detail.get("methodology_version") or data["run"].methodology_version,
        "normalisation": detail.get("normalisation"),
        "names": names, "publication": data["publication"],
    }  # fmt: skip
