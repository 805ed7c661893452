"""Render a published readiness snapshot for portals: SVG badge, HTML widget, embed snippet.

Every function is pure (snapshot in, text out) so the API can cache the result by snapshot id and
language. Every interpolated string is escaped with :func:`html.escape`; the pages load nothing from
outside (no scripts, fonts, images or CDNs) and say so in their Content-Security-Policy.

Score bands (presentation only, an engineering default of this project, not a published standard):
``low`` below 40, ``moderate`` 40 to below 60, ``good`` 60 to below 80, ``high`` from 80 [0-100 scale].
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any

from service.i18n import fmt_date
from service.readiness.i18n import labels
from service.readiness.public_schema import PublicSnapshot
from service.readiness.templates.styles import WIDGET_CSS

SCORE_BANDS: tuple[tuple[float, str], ...] = ((40.0, "low"), (60.0, "moderate"), (80.0, "good"))
BAND_COLOURS: dict[str, str] = {"low": "#b42318", "moderate": "#9a4d05", "good": "#2b6f31", "high": "#05603a"}
BADGE_LABEL_COLOUR = "#4a5565"
BADGE_FONT = "Verdana, 'DejaVu Sans', Geneva, sans-serif"  # the widths in _text_width_px assume Verdana
WIDGET_HEIGHT_PX = 540  # the widget at 300 px wide (screenshot-checked), so no scrollbar
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


class EmbedRequestError(ValueError):
    """An embed snippet or widget was asked for with a bad base URL or TERYT code."""


def score_band(score: float) -> str:
    """Band name (``low``, ``moderate``, ``good``, ``high``) of a 0-100 score."""
    for upper, band in SCORE_BANDS:
        if score < upper:
            return band
    return "high"


def _as_snapshot(snapshot: PublicSnapshot | Mapping[str, Any]) -> PublicSnapshot:
    if isinstance(snapshot, PublicSnapshot):
        return snapshot
    return PublicSnapshot.model_validate(snapshot)


def _score_text(score: float) -> str:
    """Whole points, half rounded up: one decimal would claim more precision than the interval allows."""
    return str(math.floor(score + 0.5))


def _range_ends(low: float, high: float) -> tuple[str, str]:
    """Interval ends in whole points, glued to the dash between them by word joiners (U+2060)
    so "58–68" never breaks across lines."""
    return f"{_score_text(low)}\u2060", f"\u2060{_score_text(high)}"


def _thousands(n: int, lang: str) -> str:
    grouped = f"{n:,}"
    return grouped if lang == "en" else grouped.replace(",", "\u00a0")


def _base(base_url: str) -> str:
    if not isinstance(base_url, str) or not re.fullmatch(r"https?://[^\s\"'<>]+", base_url):
        raise EmbedRequestError(f"base_url: {base_url!r} is not an absolute http(s) URL")
    return base_url.rstrip("/")


def _check_teryt(teryt: object) -> str:
    if not isinstance(teryt, str) or not re.fullmatch(r"\d{7}", teryt):
        raise EmbedRequestError(f"teryt: {teryt!r} is not a 7-digit TERYT code")
    return teryt


def _vintage(snap: PublicSnapshot, lab: dict[str, str]) -> str:
    v = snap.data_vintage
    if v.min_year == v.max_year:
        return lab["vintage_single"].format(a=v.min_year)
    return lab["vintage_range"].format(a=v.min_year, b=v.max_year)


def _text_width_px(text: str) -> float:
    """Rough advance width of ``text`` in 11 px Verdana/DejaVu Sans [px]; ``textLength`` fixes the rest."""
    narrow = set("iljtfr.,:;!|' ·1()")
    wide = set("mwMWШЩЖЮФ")
    return sum(3.6 if c in narrow else 9.5 if c in wide else 6.9 for c in text)


def badge_svg(snapshot: PublicSnapshot | Mapping[str, Any], lang: str) -> str:
    """A small accessible SVG badge: label, score out of 100 and data year, coloured by score band.

    Parameters
    ----------
    snapshot : PublicSnapshot or mapping
        The published snapshot (a mapping is validated against the public contract).
    lang : {'pl', 'en', 'uk'}
        Language of the label and the accessible name.

    Returns
    -------
    str
        A standalone SVG document (``role="img"``, ``<title>`` and ``aria-label``) with no external
        references; 20 px high, width fitted to the text [px].
    """
    lab = labels(lang)
    snap = _as_snapshot(snapshot)
    score = _score_text(snap.overall.score)
    band = score_band(snap.overall.score)
    year = snap.data_vintage.max_year
    left, right = lab["badge_label"], f"{score}/100 · {year}"
    left_w, right_w = _text_width_px(left), _text_width_px(right)
    left_box, right_box = round(left_w + 12), round(right_w + 12)
    width = left_box + right_box
    name = lab["badge_aria"].format(
        label=lab["badge_label"].capitalize(),
        name=snap.municipality_name,
        score=score,
        band=lab[f"band_{band}"],
        year=year,
    )
    e = escape
    clip_id = f"badge-{snap.teryt}"  # unique per municipality if several badges sit in one page
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" viewBox="0 0 {width} 20" '
        f'role="img" aria-label="{e(name)}" lang="{e(lang)}">'
        f"<title>{e(name)}</title>"
        f'<clipPath id="{clip_id}"><rect width="{width}" height="20" rx="3"/></clipPath>'
        f'<g clip-path="url(#{clip_id})">'
        f'<rect width="{left_box}" height="20" fill="{BADGE_LABEL_COLOUR}"/>'
        f'<rect x="{left_box}" width="{right_box}" height="20" fill="{BAND_COLOURS[band]}"/></g>'
        f'<g fill="#fff" font-family="{e(BADGE_FONT)}" font-size="11" aria-hidden="true">'
        f'<text x="6" y="14" textLength="{left_w:.1f}" lengthAdjust="spacingAndGlyphs">{e(left)}</text>'
        f'<text x="{left_box + 6}" y="14" font-weight="bold" textLength="{right_w:.1f}" '
        f'lengthAdjust="spacingAndGlyphs">{e(right)}</text></g></svg>'
    )


def _bar(score: float, low: float, high: float, band: str) -> str:
    """A pure-CSS bar: the fill is the score, the outlined box the uncertainty interval."""
    return (
        f'<div class="bar {band}" aria-hidden="true">'
        f'<span class="fill" style="width:{score:.1f}%"></span>'
        f'<span class="rng" style="left:{low:.1f}%;width:{high - low:.1f}%"></span></div>'
    )


def _page(lang: str, title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="referrer" content="strict-origin-when-cross-origin">'
        f"<title>{escape(title)}</title><style>{WIDGET_CSS}</style></head><body>{body}</body></html>"
    )


def _link(href: str, text: str, new_tab: str) -> str:
    return (
        f'<a href="{escape(href)}" target="_blank" rel="noopener">{escape(text)}'
        f'<span class="vh"> {escape(new_tab)}</span></a>'
    )


def widget_html(snapshot: PublicSnapshot | Mapping[str, Any], lang: str, base_url: str) -> str:
    """Self-contained HTML page of the readiness widget, for an iframe.

    Parameters
    ----------
    snapshot : PublicSnapshot or mapping
        The published snapshot (a mapping is validated against the public contract).
    lang : {'pl', 'en', 'uk'}
        Page language (also ``<html lang>``).
    base_url : str
        Public origin of the API, e.g. ``https://miasto.example.org``; the "data" link points back to
        ``{base_url}/v1/public/readiness/{teryt}``.

    Returns
    -------
    str
        An HTML5 document with inline CSS only, readable from 300 px wide.
    """
    lab = labels(lang)
    snap = _as_snapshot(snapshot)
    base = _base(base_url)
    e = escape
    ov = snap.overall
    band = score_band(ov.score)
    pct = round(snap.interval_probability * 100)
    pillars = []
    for p in snap.pillars:
        name = lab[f"pillar_{p.code}"]
        low, high = _range_ends(p.interval_low, p.interval_high)
        pillars.append(
            f'<li><div class="row"><span class="name">{e(name)}</span>'
            f'<span class="val">{_score_text(p.score)}<span class="vh"> {e(lab["out_of"])}, '
            f"{e(lab['interval'].format(low=low, high=high))}</span></span></div>"
            f"{_bar(p.score, p.interval_low, p.interval_high, score_band(p.score))}"
            f'<div class="meta">{e(lab["indicators_short"].format(present=p.indicators_present, total=p.indicators_total))}'
            f" · {e(lab['range_short'].format(low=low, high=high))}</div></li>"
        )
    cov = snap.coverage
    coverage = lab["coverage"].format(present=cov.indicators_present, total=cov.indicators_total)
    notes = [lab["imputed"].format(n=len(cov.imputed))] if cov.imputed else []
    notes += [lab["stale"].format(n=len(cov.stale))] if cov.stale else []
    if notes:
        coverage += f" ({'; '.join(notes)})"
    scenario = scenario_line(snap, lang)
    provenance = " · ".join(
        [
            _vintage(snap, lab),
            lab["methodology_version"].format(v=snap.methodology_version),
            lab["published"].format(date=fmt_date(snap.published_at, lang)),
        ]
    )
    low, high = _range_ends(ov.interval_low, ov.interval_high)
    body = (
        f'<main class="w {band}"><header><p class="eyebrow">{e(lab["title"])}</p>'
        f"<h1>{e(snap.municipality_name)}</h1></header>"
        f'<section class="score"><h2 class="vh">{e(lab["overall"])}</h2>'
        f'<p class="dial"><span class="num">{_score_text(ov.score)}</span>'
        f'<span class="of">{e(lab["out_of"])}</span></p>'
        f'<div class="summary"><p class="band">{e(lab["badge_label"].capitalize())}: '
        f"{e(lab[f'band_{band}'])}</p>"
        f'<p class="int" title="{e(lab["interval_note"].format(pct=pct))}">'
        f"{e(lab['interval'].format(low=low, high=high))}</p></div></section>"
        f"{_bar(ov.score, ov.interval_low, ov.interval_high, band)}"
        f'<h2>{e(lab["pillars"])}</h2><ul class="pillars">{"".join(pillars)}</ul>'
        f"<footer><p>{e(scenario)}</p><p>{e(coverage)}</p><p>{e(provenance)}</p>"
        f"<p>{_link(in_language(snap.methodology_url, lang), lab['link_methodology'], lab['new_tab'])} · "
        f"{_link(f'{base}/v1/public/readiness/{snap.teryt}', lab['link_data'], lab['new_tab'])}</p>"
        f"</footer></main>"
    )
    return _page(lang, f"{lab['title']} – {snap.municipality_name}", body)


def scenario_line(snap: PublicSnapshot, lang: str) -> str:
    """The scenario line in the widget's language: with the publisher's name for ``lang`` where given,
    else without a name (a Polish widget never shows a label written in another language)."""
    lab = labels(lang)
    n = _thousands(snap.scenario.arrivals_persons, lang)
    named = (snap.scenario.labels or {}).get(lang)
    return lab["scenario"].format(label=named, n=n) if named else lab["scenario_unnamed"].format(n=n)


def in_language(url: str, lang: str) -> str:
    """``url`` with its ``lang`` query parameter set to ``lang`` (the widget's methodology link keeps the
    widget's language, whatever language the snapshot was published with)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def not_published_html(lang: str) -> str:
    """Friendly body for a 404 of the widget (unknown or not yet published TERYT)."""
    lab = labels(lang)
    body = (
        f'<main class="w"><p class="eyebrow">{escape(lab["title"])}</p>'
        f"<h1>{escape(lab['not_published_title'])}</h1>"
        f'<p class="int" style="margin-top:6px">{escape(lab["not_published_body"])}</p></main>'
    )
    return _page(lang, lab["not_published_title"], body)


def withdrawn_html(lang: str, withdrawn_at: datetime) -> str:
    """Friendly body for a 410 of the widget: the latest publication was withdrawn on a date."""
    lab = labels(lang)
    text = lab["withdrawn_body"].format(date=fmt_date(withdrawn_at, lang))
    body = (
        f'<main class="w"><p class="eyebrow">{escape(lab["title"])}</p>'
        f"<h1>{escape(lab['withdrawn_title'])}</h1>"
        f'<p class="int" style="margin-top:6px">{escape(text)}</p></main>'
    )
    return _page(lang, lab["withdrawn_title"], body)


def embed_snippet(base_url: str, teryt: str, lang: str) -> str:
    """One line of HTML a portal pastes to embed the widget of municipality ``teryt``.

    The iframe is sandboxed without scripts (the widget needs none) but may open its links in a new,
    unsandboxed tab; it has an accessible ``title``, lazy loading and a height that fits the widget at
    300 px wide [px].
    """
    lab = labels(lang)
    src = f"{_base(base_url)}/v1/public/readiness/{_check_teryt(teryt)}/widget?lang={lang}"
    return (
        f'<iframe src="{escape(src)}" title="{escape(lab["iframe_title"].format(teryt=teryt))}" '
        f'width="100%" height="{WIDGET_HEIGHT_PX}" style="border:0;max-width:520px" loading="lazy" '
        f'sandbox="allow-popups allow-popups-to-escape-sandbox" '
        f'referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )
