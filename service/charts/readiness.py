"""Readiness: the overall score and each pillar on the 0-100 scale, with its uncertainty interval.

One drawing for the workspace's run page, the publication preview and the PDF diagnosis. A row
without an interval (a run without uncertainty runs) shows the point only and says so in its tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from service.charts.errors import ChartInputError
from service.charts.i18n import tr
from service.charts.svg import OKABE_ITO, Linear, document, esc, num, p, x_axis

ROW_H = 34.0  # [px]


def pillar_intervals_svg(rows: Sequence[dict[str, Any]], title: str = "", width: float = 760) -> str:
    """``rows``: ``{"label", "score", "interval_low", "interval_high"}`` (first = overall, drawn bold).

    Scores and interval ends are on the 0-100 scale; a missing score raises ``ChartInputError``.
    """
    if not rows:
        raise ChartInputError("readiness: no pillars to draw", field="pillars")
    scores = np.array([np.nan if r.get("score") is None else float(r["score"]) for r in rows])
    bad = np.flatnonzero(~np.isfinite(scores))
    if bad.size:
        raise ChartInputError(
            f"score: no value for '{rows[bad[0]].get('label')}'", field="score", row=int(bad[0]) + 1
        )
    low = np.array([np.nan if r.get("interval_low") is None else float(r["interval_low"]) for r in rows])
    high = np.array([np.nan if r.get("interval_high") is None else float(r["interval_high"]) for r in rows])
    left, right, top = 200.0, width - 40.0, 64.0
    x = Linear((0.0, 100.0), (left, right))
    bottom = top + len(rows) * ROW_H
    out = [x_axis(x, np.arange(0, 101, 20), top - 6, bottom, tr("Score (0–100)"))]
    has_interval = np.isfinite(low) & np.isfinite(high)
    for i, row in enumerate(rows):
        y = top + i * ROW_H + ROW_H / 2
        colour = OKABE_ITO[0] if i == 0 else OKABE_ITO[2]
        weight = ' font-weight="600"' if i == 0 else ""
        label = esc(row.get("label", ""))
        out.append(f'<text x="{p(left - 10)}" y="{p(y + 5)}" text-anchor="end"{weight}>{label}</text>')
        if has_interval[i]:
            tip = tr(
                "{name}: {score}, 90 % interval {low}–{high}",
                name=row.get("label", ""), score=num(scores[i], 1), low=num(low[i], 1), high=num(high[i], 1),
            )  # fmt: skip
            out.append(
                f'<line x1="{p(x(low[i]))}" y1="{p(y)}" x2="{p(x(high[i]))}" y2="{p(y)}" '
                f'stroke="{colour}" stroke-width="4" stroke-linecap="round" opacity="0.45"/>'
            )
        else:
            tip = tr(
                "{name}: {score} (no uncertainty interval)",
                name=row.get("label", ""),
                score=num(scores[i], 1),
            )
        out.append(
            f'<circle class="point" cx="{p(x(scores[i]))}" cy="{p(y)}" r="{7 if i == 0 else 6}" fill="{colour}" '
            f'stroke="#222" data-score="{scores[i]:.4g}"><title>{esc(tip)}</title></circle>'
        )
        out.append(f'<text class="val" x="{p(min(float(x(scores[i])) + 12, right - 30))}" y="{p(y - 9)}">'
                   f"{esc(num(scores[i], 1))}</text>")  # fmt: skip
    note = (
        tr("Bars: 90 % uncertainty interval of the Monte Carlo runs")
        if has_interval.any()
        else tr("This run has no uncertainty analysis: no interval is stated.")
    )
    out.append(f'<text class="s" x="20" y="52">{esc(note)}</text>')
    desc = "; ".join(
        f"{r.get('label', '')} {num(scores[i], 1)}"
        + (f" ({num(low[i], 1)}–{num(high[i], 1)})" if has_interval[i] else "")
        for i, r in enumerate(rows)
    )
    return document(
        width, bottom + 60, title or tr("Readiness score and pillars"), desc, "".join(out), "readiness"
    )
