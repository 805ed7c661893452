"""Charts of investment portfolios: the cost/CO2 (or cost/NPV) Pareto frontier, a portfolio's yearly
cash flow with its cumulative CO2 reduction, and totals of several portfolios side by side.

Inputs are the stored results of ``service.portfolios``: frontier points (``own_contribution_pln,
capex_pln, co2_reduction_t_per_year, npv_pln, n_projects``), the yearly cash flow (``year,
net_cash_flow_pln, co2_reduction_t``) and comparison totals (``name, own_contribution_pln, ...``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from service.charts.assessment import frame_of
from service.charts.bars import check_values
from service.charts.errors import ChartInputError
from service.charts.i18n import tr
from service.charts.svg import (
    OKABE_ITO,
    TOL_MUTED,
    Linear,
    document,
    esc,
    esc_array,
    legend,
    nice_domain,
    num,
    p,
    shorten,
    x_axis,
    y_axis,
)

MLN = 1e6
COMPARE_PANELS = (
    ("own_contribution_pln", "Own contribution", "mln PLN", MLN),
    ("grant_pln", "Grants", "mln PLN", MLN),
    ("co2_reduction_t_per_year", "CO₂ reduction", "t/year", 1.0),
    ("npv_pln", "NPV", "mln PLN", MLN),
)


def mln(x: float) -> str:
    return num(x, 1 if abs(x) < 10 else 0)


def frontier_svg(
    points: Sequence[dict[str, Any]] | pd.DataFrame,
    kind: str = "co2",
    title: str = "",
    chosen: dict[str, Any] | None = None,
) -> str:
    """Pareto frontier: own contribution [mln PLN] across, CO2 reduction [t/year] (``kind="co2"``) or
    NPV [mln PLN] (``kind="npv"``) up; points in order of cost, joined by a line.

    Each point is a ``<circle class="point" data-x=.. data-y=..>`` (data in the axis units) with a tooltip.
    ``chosen`` (the totals of the plan the reader holds: ``name``, ``own_contribution_pln`` and the y field)
    is drawn as a labelled diamond ``<path class="chosen">`` where that plan lies against the frontier.
    """
    if kind not in ("co2", "npv"):
        raise ChartInputError(f"kind: {kind!r} is not 'co2' or 'npv'", field="kind")
    y_field = "co2_reduction_t_per_year" if kind == "co2" else "npv_pln"
    f = frame_of(points, ["own_contribution_pln", y_field], "frontier")
    labels = [f"point {i + 1}" for i in range(len(f))]
    xv = check_values(f["own_contribution_pln"], "own_contribution_pln", labels) / MLN
    yv = check_values(f[y_field], y_field, labels) / (1.0 if kind == "co2" else MLN)
    order = np.lexsort((yv, xv))
    xv, yv, g = xv[order], yv[order], f.iloc[order].reset_index(drop=True)
    width, height = 860.0, 560.0
    left, right, top, bottom = 110.0, 820.0, 80.0, 470.0
    cx_val = cy_val = None
    if (
        chosen is not None
        and chosen.get("own_contribution_pln") is not None
        and chosen.get(y_field) is not None
    ):
        cx_val = float(chosen["own_contribution_pln"]) / MLN
        cy_val = float(chosen[y_field]) / (1.0 if kind == "co2" else MLN)
    x_hi = max(xv.max(), cx_val if cx_val is not None else -np.inf)
    y_hi = max(yv.max(), cy_val if cy_val is not None else -np.inf)
    x0, x1, xt = nice_domain(min(0.0, xv.min()), x_hi)
    y0, y1, yt = nice_domain(min(0.0, yv.min()), y_hi)
    x, y = Linear((x0, x1), (left, right)), Linear((y0, y1), (bottom, top))
    y_unit = "t/year" if kind == "co2" else "mln PLN"
    y_label = (
        tr("CO₂ reduction [{unit}]", unit=y_unit)
        if kind == "co2"
        else tr("Net present value [{unit}]", unit=y_unit)
    )
    px, py = x(xv), y(yv)
    capex = g["capex_pln"].to_numpy(float) / MLN if "capex_pln" in g else np.full(len(g), np.nan)
    n_proj = g["n_projects"].to_numpy(float) if "n_projects" in g else np.full(len(g), np.nan)
    tips = [
        f"own contribution {mln(a)} mln PLN (capex {mln(c)}), {y_label.split(' [')[0]} "
        f"{num(b, 0 if kind == 'co2' else 1)} {y_unit}, {num(n)} projects"
        for a, b, c, n in zip(xv, yv, capex, n_proj, strict=True)
    ]
    line = "M" + "L".join(f"{p(a)} {p(b)}" for a, b in zip(px, py, strict=True))
    marks = (
        '<circle class="point" data-x="'
        + np.char.mod("%.6g", xv).astype(object)
        + '" data-y="'
        + np.char.mod("%.6g", yv).astype(object)
        + '" cx="'
        + p(px).astype(object)
        + '" cy="'
        + p(py).astype(object)
        + f'" r="5.5" fill="{OKABE_ITO[0]}" stroke="#fff" stroke-width="1.5"><title>'
        + esc_array(tips)
        + "</title></circle>"
    )
    what = "CO₂ reduction" if kind == "co2" else "NPV"
    body = [
        f'<text class="s" x="20" y="52">Each point: the cheapest portfolio reaching that {esc(what)} '
        "(epsilon-constraint); up and left is better.</text>",
        y_axis(y, yt, left, right, y_label),
        x_axis(x, xt, top, bottom, tr("Own contribution of the city [mln PLN]"), grid=False),
        f'<path class="frontier" d="{line}" fill="none" stroke="{OKABE_ITO[0]}" stroke-width="2.5"/>',
        "".join(marks),
    ]
    if cx_val is not None and cy_val is not None:
        mx, my = float(x(cx_val)), float(y(cy_val))
        name = str(chosen.get("name") or tr("this plan"))  # type: ignore[union-attr]
        body.append(
            f'<path class="chosen" data-x="{cx_val:.6g}" data-y="{cy_val:.6g}" '
            f'd="M{p(mx)} {p(my - 9)}L{p(mx + 9)} {p(my)}L{p(mx)} {p(my + 9)}L{p(mx - 9)} {p(my)}Z" '
            f'fill="{OKABE_ITO[5]}" stroke="#000" stroke-width="1.2"><title>{esc(name)}</title></path>'
            f'<text class="lab" x="{p(mx + 13)}" y="{p(my + 5)}">{esc(shorten(name, 36))}</text>'
        )
    desc = tr(
        "Line chart of {n} Pareto points: own contribution from {x0} to {x1} mln PLN, {what} from {y0} to {y1} "
        "{unit}.",
        n=len(g), x0=mln(xv.min()), x1=mln(xv.max()), what=tr(what), y0=num(yv.min(), 1), y1=num(yv.max(), 1),
        unit=tr(y_unit),
    )  # fmt: skip
    default = (
        tr("Cost vs CO₂ reduction: the Pareto frontier")
        if kind == "co2"
        else tr("Cost vs NPV: the Pareto frontier")
    )
    return document(width, height, title or default, desc, "".join(body), "frontier")


def cash_flow_svg(cash_flow: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """Yearly net cash flow [mln PLN] as bars (outflow below zero) and the cumulative CO2 reduction [t]
    as a line on the right axis. ``year`` 0 is the first year of the plan."""
    f = frame_of(cash_flow, ["year", "net_cash_flow_pln", "co2_reduction_t"], "cash_flow")
    f = f.sort_values("year", kind="stable").reset_index(drop=True)
    years = [f"year {y}" for y in f["year"]]
    net = check_values(f["net_cash_flow_pln"], "net_cash_flow_pln", years) / MLN
    co2_cum = np.cumsum(check_values(f["co2_reduction_t"], "co2_reduction_t", years))
    n = len(f)
    width, height = 860.0, 540.0
    left, right, top, bottom = 100.0, 760.0, 96.0, 450.0
    band = (right - left) / n
    y0, y1, yt = nice_domain(min(0.0, net.min()), max(0.0, net.max()))
    c0, c1, ct = nice_domain(0.0, max(float(co2_cum.max()), 1.0))
    y, c = Linear((y0, y1), (bottom, top)), Linear((c0, c1), (bottom, top))
    cx = left + band * (np.arange(n) + 0.5)
    zero = float(y(0.0))
    top_px, h_px = np.minimum(y(net), zero), np.abs(y(net) - zero)
    colour = np.where(net < 0, OKABE_ITO[5], OKABE_ITO[0]).astype(object)
    tips = esc_array(
        [
            f"{yr}: net cash flow {mln(v)} mln PLN, cumulative CO₂ reduction {num(t)} t"
            for yr, v, t in zip(years, net, co2_cum, strict=True)
        ]
    )
    bars = (
        '<rect class="bar" data-year="'
        + f["year"].astype(str).to_numpy(dtype=object)
        + '" data-value="'
        + np.char.mod("%.6g", net).astype(object)
        + '" x="'
        + p(cx - band * 0.38).astype(object)
        + '" y="'
        + p(top_px).astype(object)
        + '" width="'
        + p(np.full(n, band * 0.76)).astype(object)
        + '" height="'
        + p(h_px).astype(object)
        + '" fill="'
        + colour
        + '"><title>'
        + tips
        + "</title></rect>"
    )
    every = max(1, int(np.ceil(n / 20)))
    ticks = "".join(
        f'<text class="ax" x="{p(cx[i])}" y="{p(bottom + 18)}" text-anchor="middle">{esc(f["year"].iloc[i])}</text>'
        for i in range(0, n, every)
    )
    line = "M" + "L".join(f"{p(a)} {p(b)}" for a, b in zip(cx, c(co2_cum), strict=True))
    green = OKABE_ITO[2]
    body = [
        legend(
            [
                (OKABE_ITO[0], tr("net inflow (savings)")),
                (OKABE_ITO[5], tr("net outflow (investment)")),
                (green, tr("cumulative CO₂ reduction"), "line"),
            ],
            20,
            66,
            width=820,
        ),
        y_axis(y, yt, left, right, tr("Net cash flow [mln PLN]")),
        y_axis(c, ct, left, right, tr("Cumulative CO₂ reduction [t]"), side="right", colour="#00664a"),
        "".join(bars),
        f'<line class="axis" x1="{p(left)}" y1="{p(zero)}" x2="{p(right)}" y2="{p(zero)}"/>',
        ticks,
        f'<text class="lab" x="{p((left + right) / 2)}" y="{p(bottom + 42)}" text-anchor="middle">'
        + esc(tr("Year of the plan (0 = first year)"))
        + "</text>",
        f'<path class="co2" d="{line}" fill="none" stroke="{green}" stroke-width="3"/>',
    ]
    desc = tr(
        "Bars: net cash flow in each of {n} years, from {lo} to {hi} mln PLN; line: cumulative CO₂ reduction "
        "reaching {co2} t by year {year}.",
        n=n, lo=mln(net.min()), hi=mln(net.max()), co2=num(co2_cum[-1]), year=f["year"].iloc[-1],
    )  # fmt: skip
    return document(
        width,
        height,
        title or tr("Yearly cash flow and cumulative CO₂ reduction"),
        desc,
        "".join(body),
        "cashflow",
    )


def _panel(
    values: np.ndarray, box: tuple[float, float, float, float], heading: str, unit: str, field: str, ids,
    names: Sequence[str],
) -> str:  # fmt: skip
    left, top, right, bottom = box
    lo, hi, ticks = nice_domain(min(0.0, values.min()), max(0.0, values.max()), 4)
    y = Linear((lo, hi), (bottom, top))
    k = len(values)
    band = (right - left) / k
    cx = left + band * (np.arange(k) + 0.5)
    zero = float(y(0.0))
    out = [
        f'<text class="lab" x="{p(left - 60)}" y="{p(top - 14)}">{esc(tr(heading))} [{esc(tr(unit))}]</text>',
        y_axis(y, ticks, left, right, ""),
    ]
    for i, v in enumerate(values):  # one bar per portfolio (2..10)
        yy = float(y(v))
        out.append(
            f'<rect class="bar" data-field="{field}" data-portfolio="{esc(ids[i])}" data-value="{v:.6g}" '
            f'x="{p(cx[i] - band * 0.35)}" y="{p(min(yy, zero))}" width="{p(band * 0.7)}" height="{p(abs(yy - zero))}" '
            f'fill="{TOL_MUTED[i % len(TOL_MUTED)]}"><title>{esc(names[i])}: {esc(num(v, 1))} {esc(tr(unit))}</title></rect>'
            f'<text class="val" x="{p(cx[i])}" y="{p(min(yy, zero) - 4 if v >= 0 else max(yy, zero) + 13)}" '
            f'text-anchor="middle">{esc(num(v, 1 if abs(v) < 100 else 0))}</text>'
            # each bar is named by its plan (shortened to the bar's width), not by a number
            f'<text class="ax" x="{p(cx[i])}" y="{p(bottom + 16)}" text-anchor="middle">'
            f"{esc(shorten(names[i], max(4, int(band / 7.5))))}</text>"
        )
    out.append(f'<line class="axis" x1="{p(left)}" y1="{p(zero)}" x2="{p(right)}" y2="{p(zero)}"/>')
    return "".join(out)


def compare_totals_svg(totals: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """Totals of 2..10 portfolios side by side: one small panel per figure (own contribution, grants,
    CO2 reduction, NPV), one bar per portfolio, numbered and coloured as in the legend."""
    f = frame_of(totals, ["name", *[c for c, *_ in COMPARE_PANELS]], "totals")
    if len(f) > len(TOL_MUTED):
        raise ChartInputError(
            f"totals: {len(f)} portfolios; at most {len(TOL_MUTED)} fit side by side", field="totals"
        )
    names = [str(v) for v in f["name"]]
    ids = [str(v) for v in f.get("portfolio_id", pd.Series(names))]
    width, top = 860.0, 90.0 + 22 * (len(f) // 5)
    items = [(TOL_MUTED[i], shorten(n, 40)) for i, n in enumerate(names)]
    body = [legend(items, 20, 64, width=820)]
    panel_w, panel_h = 330.0, 190.0
    for j, (field, heading, unit, div) in enumerate(COMPARE_PANELS):
        values = check_values(f[field], field, names) / div
        px, py = 90.0 + (j % 2) * 420.0, top + 30 + (j // 2) * (panel_h + 80)
        body.append(_panel(values, (px, py, px + panel_w, py + panel_h), heading, unit, field, ids, names))
    height = top + 2 * (panel_h + 80) + 10
    co2 = f["co2_reduction_t_per_year"].to_numpy(float)
    desc = (
        f"Bars in four panels comparing {len(f)} portfolios ({'; '.join(names)}): "
        + "; ".join(
            f"{h}: " + ", ".join(num(v / d, 1) for v in f[c].to_numpy(float)) + f" {u}"
            for c, h, u, d in COMPARE_PANELS
        )
        + f". Most CO₂ reduction: {names[int(np.argmax(co2))]}."
    )
    return document(width, height, title or tr("Portfolios side by side"), desc, "".join(body), "compare")
