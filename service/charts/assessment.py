"""Charts of one energy assessment: EP per building against its limit, CO2 and PV by building type.

Inputs are the stored flat records (``service.assessments.results``): per building
``building_id, name, building_type, ep_kwh_per_m2_year, ep_limit_kwh_per_m2_year`` and per type
``building_type, n_buildings, co2_t_per_year, pv_yield_kwh_per_year, pv_self_consumed_kwh_per_year``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.charts.bars import Series, check_values, hbar_chart
from service.charts.errors import ChartInputError
from service.charts.i18n import current_language, tr, type_name
from service.charts.svg import (
    OKABE_ITO,
    RDYLBU_6,
    Linear,
    document,
    esc,
    esc_array,
    legend,
    nice_domain,
    num,
    num_array,
    p,
    shorten,
    x_axis,
)

# Display classes of EP / EP limit (a presentation choice, not a regulation): <= 1 meets the limit.
RATIO_EDGES = (1.0, 2.0, 3.0, 4.0, 6.0)
RATIO_LABELS = ("≤ 1 meets limit", "1–2", "2–3", "3–4", "4–6", "> 6")
NO_RATIO_COLOUR = "#bdbdbd"
TYPE_LABELS = {
    "school": "School",
    "kindergarten": "Kindergarten",
    "office": "Office",
    "healthcare": "Healthcare",
    "sports_hall": "Sports hall",
    "culture": "Culture",
    "social_housing": "Social housing",
    "other": "Other",
}
EP_UNIT = "kWh/(m²·year)"
MAX_LABELLED_ROWS = 60


def type_label(building_type: object) -> str:
    if current_language() != "en":
        return type_name(building_type)
    return TYPE_LABELS.get(str(building_type), str(building_type).replace("_", " ").capitalize())


def frame_of(
    records: Sequence[dict[str, Any]] | Mapping[str, Any] | pd.DataFrame, required: Sequence[str], what: str
) -> pd.DataFrame:
    """Records (a list of dicts), columns (a dict of lists) or a frame; a missing column raises naming it."""
    if isinstance(records, pd.DataFrame):
        frame = records
    elif isinstance(records, Mapping):  # columns
        frame = pd.DataFrame(dict(records))
    else:
        frame = pd.DataFrame.from_records(list(records))
    if frame.empty:
        raise ChartInputError(f"{what}: no rows to draw", field=what)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ChartInputError(f"{what}: missing field(s) {', '.join(missing)}", field=missing[0])
    return frame.reset_index(drop=True)


def ratio_class(ep: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Class index 0..5 of EP / limit (see ``RATIO_EDGES``); -1 where either is missing or limit <= 0."""
    ep, limit = np.asarray(ep, float), np.asarray(limit, float)
    ok = np.isfinite(ep) & np.isfinite(limit) & (limit > 0)
    ratio = np.divide(ep, limit, out=np.full(ep.shape, np.nan), where=ok)
    return np.where(ok, np.searchsorted(np.asarray(RATIO_EDGES), ratio, side="left"), -1)


def class_colours(classes: np.ndarray) -> np.ndarray:
    palette = np.array([*RDYLBU_6, NO_RATIO_COLOUR], dtype=object)
    return palette[np.where(classes < 0, len(RDYLBU_6), classes)]


def ratio_legend_items(classes: np.ndarray) -> list[tuple[str, str]]:
    counts = np.bincount(classes[classes >= 0], minlength=len(RDYLBU_6))
    items = [(c, f"{tr(lab)} ({n})") for c, lab, n in zip(RDYLBU_6, RATIO_LABELS, counts, strict=True)]
    if (classes < 0).any():
        items.append((NO_RATIO_COLOUR, tr("no EP or limit ({n})", n=int((classes < 0).sum()))))
    return items


@dataclass(frozen=True)
class _EpRows:
    """The buildings with an EP, highest first: ids, display names, EP, limit and EP/limit class."""

    ids: pd.Series
    names: np.ndarray
    ep: np.ndarray
    limit: np.ndarray
    classes: np.ndarray
    skipped: int  # buildings without EP

    @property
    def n(self) -> int:
        return len(self.ep)


@dataclass(frozen=True)
class _EpGrid:
    """Where the rows go: thin bars without names above ``MAX_LABELLED_ROWS`` buildings."""

    labelled: bool
    row_h: float
    width: float
    top: float
    left: float
    bottom: float
    x: Linear
    ticks: Any
    y_top: np.ndarray


def _ep_rows(buildings: Sequence[dict[str, Any]] | pd.DataFrame) -> _EpRows:
    f = frame_of(buildings, ["building_id", "ep_kwh_per_m2_year", "ep_limit_kwh_per_m2_year"], "buildings")
    ep_all = pd.to_numeric(f["ep_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    f = (
        f[np.isfinite(ep_all)]
        .assign(_ep=ep_all[np.isfinite(ep_all)])
        .sort_values("_ep", ascending=False, kind="stable")
    )
    if f.empty:
        raise ChartInputError("ep_kwh_per_m2_year: no building has an EP value", field="ep_kwh_per_m2_year")
    ep = f["_ep"].to_numpy(float)
    limit = pd.to_numeric(f["ep_limit_kwh_per_m2_year"], errors="coerce").to_numpy(float)
    names = f["name"] if "name" in f else f["building_id"]
    names = names.where(names.notna(), f["building_id"]).astype(str).to_numpy()
    return _EpRows(
        f["building_id"], names, ep, limit, ratio_class(ep, limit), int((~np.isfinite(ep_all)).sum())
    )


def _ep_grid(rows: _EpRows) -> _EpGrid:
    n = rows.n
    labelled = n <= MAX_LABELLED_ROWS
    row_h = 20.0 if labelled else max(900.0 / n, 0.5)
    width, top = 860.0, 100.0
    left = 262.0 if labelled else 130.0
    right = width - 70
    hi = float(np.nanmax(np.concatenate([rows.ep, rows.limit[np.isfinite(rows.limit)]])))
    lo, hi, ticks = nice_domain(0.0, hi)
    x = Linear((lo, hi), (left, right))
    return _EpGrid(labelled, row_h, width, top, left, top + n * row_h, x, ticks, top + np.arange(n) * row_h)


def _ep_bars(rows: _EpRows, g: _EpGrid) -> str:
    """One bar per building, its tooltip naming EP, limit and their ratio."""
    n, ep, limit, classes, left = rows.n, rows.ep, rows.limit, rows.classes, g.left
    pad = min(3.0, g.row_h * 0.15)
    tips = (
        esc_array(rows.names)
        + " ("
        + esc_array(rows.ids)
        + "): EP "
        + np.char.mod("%.1f", ep).astype(object)
        + " "
        + tr(EP_UNIT)
        + ", limit "
        + num_array(limit, 0)
        + np.where(
            classes >= 0,
            " (×" + np.char.mod("%.1f", ep / np.where(limit > 0, limit, 1)).astype(object) + ")",
            "",
        )
    )
    bars = (
        '<rect class="bar" data-id="'
        + esc_array(rows.ids)
        + '" data-value="'
        + np.char.mod("%.6g", ep).astype(object)
        + '" x="'
        + p(np.full(n, left)).astype(object)
        + '" y="'
        + p(g.y_top + pad).astype(object)
        + '" width="'
        + p(g.x(ep) - left).astype(object)
        + '" height="'
        + p(np.full(n, g.row_h - 2 * pad)).astype(object)
        + '" fill="'
        + class_colours(classes)
        + '" stroke="#555" stroke-width="'
        + ("0.5" if g.labelled else "0")
        + '"><title>'
        + tips
        + "</title></rect>"
    )
    return f'<g shape-rendering="{"auto" if g.labelled else "crispEdges"}">' + "".join(bars) + "</g>"


def _ep_labels(rows: _EpRows, g: _EpGrid) -> list[str]:
    """Names and values beside the bars, or the count of buildings when the bars are too thin."""
    n, left, y_top, row_h = rows.n, g.left, g.y_top, g.row_h
    if not g.labelled:
        return [
            f'<text class="s" x="{p(left - 6)}" y="{p(g.top + 14)}" text-anchor="end">{esc(tr("{n} buildings", n=num(n)))}</text>'
        ]
    short = esc_array([shorten(s, 31) for s in rows.names])
    names = "".join(
        '<text x="'
        + p(np.full(n, left - 6)).astype(object)
        + '" y="'
        + p(y_top + row_h / 2 + 5).astype(object)
        + '" text-anchor="end" class="s">'
        + short
        + "</text>"
    )
    values = "".join(
        '<text class="val" x="'
        + p(g.x(rows.ep) + 4).astype(object)
        + '" y="'
        + p(y_top + row_h / 2 + 4).astype(object)
        + '">'
        + np.char.mod("%.0f", rows.ep).astype(object)
        + "</text>"
    )
    return [names, values]


def _ep_limit_line(rows: _EpRows, g: _EpGrid) -> list[str]:
    """The step line of each building's EP limit (none when no building has a limit)."""
    has = np.isfinite(rows.limit)
    if not has.any():
        return []
    xl = g.x(np.where(has, rows.limit, np.nan))
    seg = np.flatnonzero(has)
    d = "".join(
        "M"
        + p(xl[seg]).astype(object)
        + " "
        + p(g.y_top[seg]).astype(object)
        + "V"
        + p(g.y_top[seg] + g.row_h).astype(object)
    )
    return [f'<path class="limit" d="{d}" stroke="#000" stroke-width="2.5" fill="none"/>']


def ep_chart_svg(buildings: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """EP per building, sorted from the highest, coloured by EP/limit class, with each building's limit.

    The limit is drawn as a dark step line through every bar (limits differ by building type, e.g.
    WT 2021: 45 for public buildings, 190 for healthcare). Buildings without EP are left out and counted
    in the description. More than ``MAX_LABELLED_ROWS`` buildings: thin bars without names.
    """
    rows = _ep_rows(buildings)
    g = _ep_grid(rows)
    n, ep, limit, classes = rows.n, rows.ep, rows.limit, rows.classes
    out = [
        '<text class="s" x="20" y="52">'
        + esc(
            tr(
                "Primary energy EP per building, highest first; colour: EP / limit. Black line: the building's EP limit."
            )
        )
        + "</text>",
        legend([*ratio_legend_items(classes), ("#000", tr("EP limit"), "tick")], 20, 78, width=820),
        x_axis(
            g.x,
            g.ticks,
            g.top - 4,
            g.bottom,
            tr("EP_H+W, non-renewable primary energy for heating and hot water [{unit}]", unit=tr(EP_UNIT)),
        ),
        _ep_bars(rows, g),
        *_ep_labels(rows, g),
        *_ep_limit_line(rows, g),
    ]
    met = int((classes == 0).sum())
    median = np.nanmedian(ep / np.where(limit > 0, limit, np.nan))
    desc = tr(
        "Horizontal bars: EP of {n} buildings from {hi} down to {lo} {unit}; {met} of {n} meet their EP limit; "
        "median EP / limit {median}.",
        n=n, hi=num(ep.max()), lo=num(ep.min()), unit=tr(EP_UNIT), met=met, median=num(median, 1),
    ) + (tr(" {n} building(s) without EP are not drawn.", n=rows.skipped) if rows.skipped else "")  # fmt: skip
    return document(
        g.width, g.bottom + 70, title or "EP against the limit, per building", desc, "".join(out), "ep"
    )


def co2_by_type_svg(totals_by_type: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """CO2 emissions by building type [t/year], largest first, with the number of buildings."""
    f = frame_of(totals_by_type, ["building_type", "co2_t_per_year"], "totals_by_type")
    labels = [type_label(t) for t in f["building_type"]]
    co2 = check_values(f["co2_t_per_year"], "co2_t_per_year", labels)
    order = np.argsort(-co2, kind="stable")
    counts = f["n_buildings"].to_numpy() if "n_buildings" in f else None
    labels = [labels[i] + (f" ({int(counts[i])})" if counts is not None else "") for i in order]
    total = co2.sum()
    share = co2[order] / total if total > 0 else np.zeros(len(order))
    desc = tr(
        "Bars: CO2 emissions of {k} building types, {total} t/year in total; largest {name} with {top} t/year "
        "({share}).",
        k=len(order), total=num(total), name=labels[0], top=num(co2[order[0]]), share=f"{share[0]:.0%}",
    )  # fmt: skip
    return hbar_chart(
        labels,
        [Series(tr("CO2 emissions"), co2[order], OKABE_ITO[0], tr("t/year"))],
        title or tr("CO₂ emissions by building type"),
        desc,
        tr("CO₂ emissions [t/year]"),
        "co2",
        note=lambda i: tr("{share} of total", share=f"{share[i]:.0%}"),
        subtitle=tr("Yearly CO₂ emissions of all buildings of each type; (n) = number of buildings."),
    )


def pv_by_type_svg(totals_by_type: Sequence[dict[str, Any]] | pd.DataFrame, title: str = "") -> str:
    """Rooftop PV yield (potential) vs the part the buildings use themselves, by type [MWh/year]."""
    f = frame_of(totals_by_type, ["building_type"], "totals_by_type")
    if "pv_yield_kwh_per_year" not in f or f["pv_yield_kwh_per_year"].isna().all():
        raise ChartInputError(
            "pv_yield_kwh_per_year: the assessment has no PV results (it ran with include_pv=false)",
            field="pv_yield_kwh_per_year",
        )
    labels = [type_label(t) for t in f["building_type"]]
    yield_mwh = check_values(f["pv_yield_kwh_per_year"], "pv_yield_kwh_per_year", labels) / 1000.0
    self_mwh = (
        check_values(f["pv_self_consumed_kwh_per_year"], "pv_self_consumed_kwh_per_year", labels) / 1000.0
    )
    order = np.argsort(-yield_mwh, kind="stable")
    ratio = np.divide(self_mwh, yield_mwh, out=np.zeros_like(self_mwh), where=yield_mwh > 0)[order]
    desc = tr(
        "Grouped bars per building type ({k}): rooftop PV yield {total} MWh/year in total, of which {own} "
        "MWh/year ({share}) is used in the buildings; the rest is exported under net-billing.",
        k=len(order), total=num(yield_mwh.sum()), own=num(self_mwh.sum()),
        share=f"{self_mwh.sum() / max(yield_mwh.sum(), 1e-12):.0%}",
    )  # fmt: skip
    return hbar_chart(
        [labels[i] for i in order],
        [
            Series(tr("PV yield (potential)"), yield_mwh[order], OKABE_ITO[1], tr("MWh/year")),
            Series(tr("self-consumed"), self_mwh[order], OKABE_ITO[0], tr("MWh/year")),
        ],
        title or tr("Rooftop PV potential vs self-consumption by building type"),
        desc,
        tr("Electricity [MWh/year]"),
        "pv",
        note=lambda i: tr("{share} used on site", share=f"{ratio[i]:.0%}"),
        subtitle=tr(
            "Yearly yield of rooftop PV on usable roofs, and the part used in the buildings at once."
        ),
    )
