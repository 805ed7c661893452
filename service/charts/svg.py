"""SVG building blocks: escaping, linear scales with nice ticks, axes, legends, the accessible document.

Every text that reaches the SVG goes through :func:`esc` (one value) or :func:`esc_array` (a column,
vectorised, identical to ``html.escape``). Coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from service.charts.errors import ChartInputError
from service.charts.i18n import current_language
from service.i18n import fmt_number

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Paul Tol's "muted" qualitative scheme (Tol 2021, SRON/EPS/TN/09-002), colour-blind safe, plus pale grey.
TOL_MUTED = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#DDDDDD",
)
# ColorBrewer RdYlBu, 6 classes (Brewer 2003; marked colour-blind safe): blue = good .. red = bad.
RDYLBU_6 = ("#4575b4", "#91bfdb", "#e0f3f8", "#fee090", "#fc8d59", "#d73027")
INK, MUTED_INK, GRID = "#222222", "#555555", "#d9d9d9"
FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif"
STYLE = (
    f"text{{font-family:{FONT};font-size:14px;fill:{INK}}}"
    ".h{font-size:18px;font-weight:600}.s{font-size:13px;fill:#444}.ax{font-size:13px;fill:#333}"
    f".lab{{font-size:14px;font-weight:600;fill:{INK}}}.grid{{stroke:{GRID};stroke-width:1}}"
    f".axis{{stroke:{MUTED_INK};stroke-width:1}}.val{{font-size:12px;fill:#333}}"
)
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def esc(value: object) -> str:
    """``value`` as text safe inside an SVG element or attribute (``html.escape`` with quotes)."""
    return html.escape(str(value), quote=True)


def esc_array(values: Iterable[object]) -> np.ndarray:
    """Vectorised :func:`esc` of a column; ``None``/NaN become the empty string."""
    s = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    s = s.where(s.notna(), "").astype(str)
    for raw, entity in _ESCAPES:  # '&' first, so entities are not escaped twice
        s = s.str.replace(raw, entity, regex=False)
    return s.to_numpy(dtype=object)


def num(x: float, digits: int = 0) -> str:
    """A number with thousands separators in the chart language (``12,345`` en, ``12 345`` pl);
    '–' for a missing value."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    lang = current_language()
    if lang == "en":
        return f"{float(x):,.{digits}f}"
    return fmt_number(float(x), lang, digits)


def num_array(values, digits: int = 0) -> np.ndarray:
    """:func:`num` of a whole column as an object array for string concatenation (one Babel pattern
    for the column, not one parse per value: a 20,000-building map writes 80,000 numbers)."""
    from service.i18n.columns import format_column

    values = np.asarray(values, dtype=float)
    lang = current_language()
    if lang == "en":
        text = [f"{v:,.{digits}f}" if math.isfinite(v) else "–" for v in values.tolist()]
    else:
        text = format_column(values, lang, digits)
    return np.array(text, dtype=object)


def tick_format(ticks: Sequence[float] | np.ndarray) -> Callable[[float], str]:
    """A formatter with just enough decimals to tell the ticks apart (step 0.25 -> 2, 5 -> 0)."""
    step = abs(float(ticks[1]) - float(ticks[0])) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * max(step, 1e-12):
        decimals += 1
    return lambda v: num(v, decimals)


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1/2/2.5/5 x 10^k tick step giving about ``target_ticks`` intervals over ``span`` (Heckbert 1990)."""
    if not span > 0:
        return 1.0
    raw = span / max(target_ticks, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= m * mag * (1 + 1e-9):
            return m * mag
    return 10.0 * mag


def nice_domain(lo: float, hi: float, target_ticks: int = 5) -> tuple[float, float, np.ndarray]:
    """Domain widened outwards to whole tick steps, and its ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ChartInputError(f"axis range [{lo}, {hi}] is not finite")
    if hi == lo:
        hi, lo = (hi + 1.0, lo) if hi == 0 else (hi + abs(hi) * 0.5, lo - abs(lo) * 0.5 * (lo < 0))
    step = nice_step(hi - lo, target_ticks)
    lo_n, hi_n = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    ticks = lo_n + step * np.arange(round((hi_n - lo_n) / step) + 1)
    return lo_n, hi_n, np.round(ticks, 10)


@dataclass(frozen=True)
class Linear:
    """``value -> pixel``: maps ``domain`` linearly onto ``range_px`` (a reversed range flips the axis)."""

    domain: tuple[float, float]
    range_px: tuple[float, float]

    def __call__(self, value: float | np.ndarray) -> np.ndarray:
        (d0, d1), (r0, r1) = self.domain, self.range_px
        return r0 + (np.asarray(value, dtype=float) - d0) * (r1 - r0) / (d1 - d0)


@overload
def p(x: float) -> str: ...
@overload
def p(x: np.ndarray) -> np.ndarray: ...  # an array of str (a 0-d array, like a scalar, gives str)


def p(x: float | np.ndarray) -> str | np.ndarray:
    """Pixel coordinate(s) as text, 0.1 px precision."""
    if np.ndim(x) == 0:
        return f"{float(x):.1f}"
    return np.char.mod("%.1f", np.asarray(x, dtype=float))


def join(parts: Iterable[str] | np.ndarray) -> str:
    return "".join(parts)


def y_axis(
    scale: Linear,
    ticks: Sequence[float] | np.ndarray,
    x0: float,
    x1: float,
    label: str,
    fmt: Callable[[float], str] | None = None,
    side: str = "left",
    colour: str = "#333",
) -> str:
    """Horizontal grid lines from ``x0`` to ``x1``, tick labels on ``side`` and a rotated axis title."""
    fmt = fmt or tick_format(ticks)
    ys = scale(np.asarray(ticks, float))
    out = []
    tx, anchor = (x0 - 8, "end") if side == "left" else (x1 + 8, "start")
    for t, y in zip(ticks, ys, strict=True):
        if side == "left":
            out.append(f'<line class="grid" x1="{p(x0)}" y1="{p(y)}" x2="{p(x1)}" y2="{p(y)}"/>')
        out.append(
            f'<text class="ax" x="{p(tx)}" y="{p(y + 4)}" text-anchor="{anchor}" fill="{colour}">'
            f"{esc(fmt(t))}</text>"
        )
    y_mid = (scale.range_px[0] + scale.range_px[1]) / 2
    lx = x0 - 62 if side == "left" else x1 + 62
    rot = -90 if side == "left" else 90
    if label:
        out.append(
            f'<text class="lab" transform="translate({p(lx)} {p(y_mid)}) rotate({rot})" text-anchor="middle" '
            f'style="fill:{colour}">{esc(label)}</text>'
        )
    return join(out)


def x_axis(
    scale: Linear,
    ticks: Sequence[float] | np.ndarray,
    y0: float,
    y1: float,
    label: str,
    fmt: Callable[[float], str] | None = None,
    grid: bool = True,
) -> str:
    """Vertical grid lines from ``y0`` (top) to ``y1`` (axis), tick labels below and the axis title."""
    fmt = fmt or tick_format(ticks)
    xs = scale(np.asarray(ticks, float))
    out = [
        f'<line class="axis" x1="{p(scale.range_px[0])}" y1="{p(y1)}" x2="{p(scale.range_px[1])}" y2="{p(y1)}"/>'
    ]
    for t, x in zip(ticks, xs, strict=True):
        if grid:
            out.append(f'<line class="grid" x1="{p(x)}" y1="{p(y0)}" x2="{p(x)}" y2="{p(y1)}"/>')
        out.append(f'<text class="ax" x="{p(x)}" y="{p(y1 + 18)}" text-anchor="middle">{esc(fmt(t))}</text>')
    x_mid = (scale.range_px[0] + scale.range_px[1]) / 2
    out.append(f'<text class="lab" x="{p(x_mid)}" y="{p(y1 + 42)}" text-anchor="middle">{esc(label)}</text>')
    return join(out)


def legend(
    items: Sequence[tuple[str, ...]], x: float, y: float, shape: str = "rect", width: float = 700
) -> str:
    """One row of swatches (``(colour, label)`` or ``(colour, label, shape)``; shape rect, circle, line
    or tick), wrapping to a new row past ``width`` px."""
    out, cx, cy = [f'<g class="legend" transform="translate({p(x)} {p(y)})">'], 0.0, 0.0
    for item in items:
        colour, label, kind = item[0], item[1], item[2] if len(item) > 2 else shape
        step = 30 + 7.6 * len(label)
        if cx > 0 and cx + step > width:
            cx, cy = 0.0, cy + 22
        if kind == "tick":
            mark = f'<line x1="{p(cx + 7)}" y1="{p(cy - 14)}" x2="{p(cx + 7)}" y2="{p(cy + 3)}" stroke="{colour}" stroke-width="2.5"/>'
        elif kind == "circle":
            mark = f'<circle cx="{p(cx + 7)}" cy="{p(cy - 5)}" r="7" fill="{colour}" stroke="#333"/>'
        elif kind == "line":
            mark = f'<line x1="{p(cx)}" y1="{p(cy - 5)}" x2="{p(cx + 16)}" y2="{p(cy - 5)}" stroke="{colour}" stroke-width="3"/>'
        else:
            mark = f'<rect x="{p(cx)}" y="{p(cy - 12)}" width="14" height="14" fill="{colour}" stroke="#333" stroke-width="0.5"/>'
        out.append(mark + f'<text class="s" x="{p(cx + 20)}" y="{p(cy)}">{esc(label)}</text>')
        cx += step
    out.append("</g>")
    return join(out)


def document(width: float, height: float, title: str, desc: str, body: str, kind: str) -> str:
    """The ``<svg>`` root: ``role="img"``, ``<title>``/``<desc>`` referenced by ``aria-labelledby``,
    an embedded style sheet, a white background, a visible heading, and no external reference."""
    tid, did = f"{kind}-title", f"{kind}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="{tid} {did}" '
        f'class="miasto-chart {kind}">'
        f'<title id="{tid}">{esc(title)}</title><desc id="{did}">{esc(desc)}</desc>'
        f"<style>{STYLE}</style>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        f'<text class="h" x="20" y="30">{esc(title)}</text>'
        f"{body}</svg>"
    )


def wrap(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap of a note into lines of at most ``max_chars`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def shorten(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
