"""Horizontal bar charts, single or grouped (one bar per series within each category)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from service.charts.errors import ChartInputError
from service.charts.svg import Linear, document, esc, esc_array, legend, nice_domain, num, p, shorten, x_axis


@dataclass(frozen=True)
class Series:
    """One series of bars: a name for the legend, one value per category, its colour."""

    name: str
    values: np.ndarray
    colour: str
    unit: str


def check_values(values: Sequence[float] | np.ndarray, field: str, labels: Sequence[str]) -> np.ndarray:
    """``values`` as floats; a missing or non-finite value raises naming the field and the category."""
    arr = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ChartInputError(
            f"{field}: no finite value for '{labels[bad[0]]}' (row {bad[0] + 1})",
            field=field,
            row=int(bad[0]) + 1,
        )
    return arr


def hbar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    desc: str,
    axis_label: str,
    kind: str,
    note: Callable[[int], str] | None = None,
    subtitle: str = "",
    width: float = 860,
) -> str:
    """Categories down the page, bars across; ``note(i)`` adds a short text after category i's bars.

    Each bar is a ``<rect class="bar" data-series=.. data-category=..>`` with a ``<title>`` tooltip.
    """
    n, k = len(labels), len(series)
    if n == 0:
        raise ChartInputError(f"{kind}: no categories to draw", field="labels")
    values = np.column_stack([s.values for s in series])
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    lo, hi, ticks = nice_domain(lo, hi)
    bar_h = 18.0 if k == 1 else 14.0
    group_h = bar_h * k + 12.0
    top = 74.0 if k == 1 else 96.0
    left, right = (
        210.0,
        width - (230.0 if note else 70.0),
    )  # room for a translated note such as "49% zużyte na miejscu"
    x = Linear((lo, hi), (left, right))
    plot_bottom = top + n * group_h
    height = plot_bottom + 70
    out = [x_axis(x, ticks, top - 6, plot_bottom, axis_label)]
    if subtitle:
        out.append(f'<text class="s" x="20" y="52">{esc(subtitle)}</text>')
    if k > 1:
        out.append(legend([(s.colour, s.name) for s in series], left, 80))
    zero = float(x(0.0))
    names = esc_array([shorten(str(lab), 28) for lab in labels])
    full = esc_array(labels)
    for i in range(n):  # one category per row; bars of all series of that row are vectorised below
        y0 = top + i * group_h + 6
        out.append(
            f'<text x="{p(left - 8)}" y="{p(y0 + bar_h * k / 2 + 5)}" text-anchor="end">{names[i]}</text>'
        )
        xs = x(values[i])
        x_left, w = np.minimum(xs, zero), np.abs(xs - zero)
        for j, s in enumerate(series):
            tip = f"{full[i]} – {esc(s.name)}: {esc(num(values[i, j], 1 if abs(values[i, j]) < 100 else 0))} {esc(s.unit)}"
            out.append(
                f'<rect class="bar" data-series="{esc(s.name)}" data-category="{full[i]}" '
                f'data-value="{values[i, j]:.6g}" x="{p(x_left[j])}" y="{p(y0 + j * bar_h)}" '
                f'width="{p(w[j])}" height="{p(bar_h - 2)}" fill="{s.colour}"><title>{tip}</title></rect>'
            )
            out.append(
                f'<text class="val" x="{p(max(xs[j], zero) + 5)}" y="{p(y0 + j * bar_h + bar_h / 2 + 3)}">'
                f"{esc(num(values[i, j], 1 if abs(values[i, j]) < 100 else 0))}</text>"
            )
        if note:
            out.append(
                f'<text class="s" x="{p(right + 56)}" y="{p(y0 + bar_h * k / 2 + 5)}">{esc(note(i))}</text>'
            )
    out.append(f'<line class="axis" x1="{p(zero)}" y1="{p(top - 6)}" x2="{p(zero)}" y2="{p(plot_bottom)}"/>')
    return document(width, height, title, desc, "".join(out), kind)
