"""Labels of the public readiness pages in Polish, English and Ukrainian.

Every visible string of the badge, widget, "not published" page and methodology page is keyed here in
English (the msgid); the Polish and Ukrainian texts live in the one catalogue
(``service/i18n/locales/<lang>/public.po``), so a translator edits the same files as for the
workspace. Strings with ``{placeholders}`` are filled with ``str.format`` and the result is
HTML-escaped by the renderer, never here.
"""

from __future__ import annotations

from service.i18n import translator

WIDGET_LANGS: tuple[str, ...] = ("pl", "en", "uk")
METHODOLOGY_LANGS: tuple[str, ...] = ("pl", "en", "uk")


class UnsupportedLanguageError(ValueError):
    """A page was asked for in a language it is not offered in."""

    def __init__(self, lang: object, offered: tuple[str, ...]) -> None:
        super().__init__(f"lang: {lang!r} is not offered; use one of {', '.join(offered)}")
        self.lang = lang
        self.offered = offered


_ENGLISH_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Readiness to welcome new residents",
        "badge_label": "readiness",
        "overall": "Overall score",
        "out_of": "out of 100",
        "band_low": "low",
        "band_moderate": "moderate",
        "band_good": "good",
        "band_high": "high",
        "interval": "uncertainty range {low}–{high}",
        "interval_note": "{pct}% of the uncertainty runs fall in this range",
        "range_short": "range {low}–{high}",
        "pillars": "Pillars",
        "pillar_housing": "Housing",
        "pillar_schooling": "Schooling",
        "pillar_services": "Public services",
        "pillar_aria": "{name}: {score} out of 100, range {low}–{high}",
        "indicators_short": "indicators {present}/{total}",
        "coverage": "Indicators with data: {present} of {total}",
        "imputed": "imputed: {n}",
        "stale": "older data: {n}",
        "scenario": "Scenario: {label} · arrivals: {n}",
        "scenario_unnamed": "Arrival scenario · arrivals: {n}",
        "vintage_range": "Data years {a}–{b}",
        "vintage_single": "Data year {a}",
        "methodology_version": "methodology {v}",
        "published": "published {date}",
        "link_methodology": "Methodology and sources",
        "link_data": "Data (JSON)",
        "new_tab": "(opens in a new tab)",
        "badge_aria": "{label} {name}: {score} out of 100 ({band}), data {year}",
        "iframe_title": "Readiness to welcome new residents – municipality TERYT {teryt}",
        "not_published_title": "No published score",
        "not_published_body": "No readiness score has been published for this municipality yet. "
        "Please check again later.",
        "withdrawn_title": "Score withdrawn",
        "withdrawn_body": "The readiness score of this municipality was withdrawn on {date}. "
        "A corrected score may be published later.",
    },
}

_ENGLISH_METHODOLOGY: dict[str, dict[str, str]] = {
    "en": {
        "title": "Methodology of the readiness index for welcoming new residents",
        "version": "Methodology version: {v}",
        "intro": "A composite indicator built the OECD/JRC way: indicators are imputed, normalised, "
        "weighted and aggregated into pillars (housing, schooling, public services), and the pillars "
        "into an overall score on a 0–100 scale.",
        "indicators": "Indicators",
        "method": "Method",
        "col_code": "Code",
        "col_name": "Indicator and rationale",
        "col_unit": "Unit",
        "col_direction": "Direction",
        "col_weight": "Weight",
        "col_share": "Share of pillar",
        "col_source": "Source",
        "dir_up": "higher is better",
        "dir_down": "lower is better",
        "pillar_count": "{n} indicators, weights summing to {w}",
        "references": "References",
        "step_scenario": "Arrival scenario",
        "step_imputation": "Imputation of missing data",
        "step_outliers": "Outlier treatment",
        "step_normalisation": "Normalisation",
        "step_weighting": "Weighting",
        "step_aggregation": "Aggregation",
        "step_uncertainty": "Uncertainty analysis",
        "step_freshness": "Data freshness",
    },
}


def _translated(english: dict[str, str], context: str, lang: str) -> dict[str, str]:
    t = translator(lang)
    return {key: t.pgettext(f"{context}:{key}", text) for key, text in english.items()}


# Every language's labels from the one catalogue (``service/i18n/locales/<lang>/public.po``, msgctxt
# ``widget:<key>`` / ``methodology:<key>``); the English texts above are the msgids.
LABELS: dict[str, dict[str, str]] = {
    lang: _translated(_ENGLISH_LABELS["en"], "widget", lang) for lang in WIDGET_LANGS
}
METHODOLOGY_LABELS: dict[str, dict[str, str]] = {
    lang: _translated(_ENGLISH_METHODOLOGY["en"], "methodology", lang) for lang in METHODOLOGY_LANGS
}


def check_lang(lang: object, offered: tuple[str, ...] = WIDGET_LANGS) -> str:
    """Return ``lang`` if it is offered, else raise :class:`UnsupportedLanguageError`."""
    if not isinstance(lang, str) or lang not in offered:
        raise UnsupportedLanguageError(lang, offered)
    return lang


def labels(lang: str) -> dict[str, str]:
    """Widget/badge labels for ``lang`` (one of :data:`WIDGET_LANGS`)."""
    return LABELS[check_lang(lang, WIDGET_LANGS)]


def methodology_labels(lang: str) -> dict[str, str]:
    """Methodology page labels for ``lang`` (one of :data:`METHODOLOGY_LANGS`)."""
    return METHODOLOGY_LABELS[check_lang(lang, METHODOLOGY_LANGS)]
