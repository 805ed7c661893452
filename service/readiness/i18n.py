"""Labels of the public readiness pages in Polish, English and Ukrainian.

Every visible string of the badge, widget, "not published" page and methodology page lives here, keyed
by language, so a translator edits one file. Strings with ``{placeholders}`` are filled with
``str.format`` and the result is HTML-escaped by the renderer, never here.
"""

from __future__ import annotations

WIDGET_LANGS: tuple[str, ...] = ("pl", "en", "uk")
METHODOLOGY_LANGS: tuple[str, ...] = ("pl", "en", "uk")


class UnsupportedLanguageError(ValueError):
    """A page was asked for in a language it is not offered in."""

    def __init__(self, lang: object, offered: tuple[str, ...]) -> None:
        super().__init__(f"lang: {lang!r} is not offered; use one of {', '.join(offered)}")
        self.lang = lang
        self.offered = offered


LABELS: dict[str, dict[str, str]] = {
    "pl": {
        "title": "Gotowość na przyjęcie nowych mieszkańców",
        "badge_label": "gotowość",
        "overall": "Wynik ogólny",
        "out_of": "na 100",
        "band_low": "niska",
        "band_moderate": "umiarkowana",
        "band_good": "dobra",
        "band_high": "wysoka",
        "interval": "przedział niepewności {low}–{high}",
        "interval_note": "{pct}% wyników analizy niepewności mieści się w tym przedziale",
        "range_short": "przedział {low}–{high}",
        "pillars": "Filary",
        "pillar_housing": "Mieszkania",
        "pillar_schooling": "Edukacja",
        "pillar_services": "Usługi publiczne",
        "pillar_aria": "{name}: {score} na 100, przedział {low}–{high}",
        "indicators_short": "wskaźniki {present}/{total}",
        "coverage": "Wskaźniki z danymi: {present} z {total}",
        "imputed": "uzupełnione szacunkowo: {n}",
        "stale": "starsze dane: {n}",
        "scenario": "Scenariusz: {label} · liczba przybyłych: {n}",
        "vintage_range": "Dane z lat {a}–{b}",
        "vintage_single": "Dane z roku {a}",
        "methodology_version": "metodologia {v}",
        "published": "opublikowano {date}",
        "link_methodology": "Metodologia i źródła",
        "link_data": "Dane (JSON)",
        "new_tab": "(otwiera się w nowej karcie)",
        "badge_aria": "{label} {name}: {score} na 100 ({band}), dane {year}",
        "iframe_title": "Gotowość na przyjęcie nowych mieszkańców – gmina TERYT {teryt}",
        "not_published_title": "Brak opublikowanego wyniku",
        "not_published_body": "Dla tej gminy nie opublikowano jeszcze wyniku gotowości. "
        "Zajrzyj tu ponownie później.",
    },
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
    },
    "uk": {
        "title": "Готовність прийняти нових мешканців",
        "badge_label": "готовність",
        "overall": "Загальна оцінка",
        "out_of": "зі 100",
        "band_low": "низька",
        "band_moderate": "помірна",
        "band_good": "добра",
        "band_high": "висока",
        "interval": "діапазон невизначеності {low}–{high}",
        "interval_note": "{pct}% результатів аналізу невизначеності потрапляють у цей діапазон",
        "range_short": "діапазон {low}–{high}",
        "pillars": "Складові",
        "pillar_housing": "Житло",
        "pillar_schooling": "Освіта",
        "pillar_services": "Публічні послуги",
        "pillar_aria": "{name}: {score} зі 100, діапазон {low}–{high}",
        "indicators_short": "показники {present}/{total}",
        "coverage": "Показники з даними: {present} з {total}",
        "imputed": "оцінені: {n}",
        "stale": "застарілі дані: {n}",
        "scenario": "Сценарій: {label} · кількість прибулих: {n}",
        "vintage_range": "Дані за {a}–{b} роки",
        "vintage_single": "Дані за {a} рік",
        "methodology_version": "методологія {v}",
        "published": "опубліковано {date}",
        "link_methodology": "Методологія та джерела",
        "link_data": "Дані (JSON)",
        "new_tab": "(відкривається в новій вкладці)",
        "badge_aria": "{label} {name}: {score} зі 100 ({band}), дані {year}",
        "iframe_title": "Готовність прийняти нових мешканців – громада TERYT {teryt}",
        "not_published_title": "Результат ще не опубліковано",
        "not_published_body": "Для цієї громади ще не опубліковано оцінку готовності. Спробуйте пізніше.",
    },
}

METHODOLOGY_LABELS: dict[str, dict[str, str]] = {
    "pl": {
        "title": "Metodologia wskaźnika gotowości na przyjęcie nowych mieszkańców",
        "version": "Wersja metodologii: {v}",
        "intro": "Wskaźnik złożony zbudowany według podręcznika OECD/JRC: wskaźniki cząstkowe są "
        "uzupełniane, normalizowane, ważone i agregowane do filarów (mieszkania, edukacja, usługi "
        "publiczne), a filary do wyniku ogólnego w skali 0–100.",
        "indicators": "Wskaźniki",
        "method": "Metoda",
        "col_code": "Kod",
        "col_name": "Wskaźnik i uzasadnienie",
        "col_unit": "Jednostka",
        "col_direction": "Kierunek",
        "col_weight": "Waga",
        "col_share": "Udział w filarze",
        "col_source": "Źródło",
        "dir_up": "więcej = lepiej",
        "dir_down": "mniej = lepiej",
        "pillar_count": "{n} wskaźników, suma wag {w}",
        "references": "Literatura",
        "step_scenario": "Scenariusz przyjazdów",
        "step_imputation": "Uzupełnianie braków danych",
        "step_outliers": "Wartości odstające",
        "step_normalisation": "Normalizacja",
        "step_weighting": "Ważenie",
        "step_aggregation": "Agregacja",
        "step_uncertainty": "Analiza niepewności",
        "step_freshness": "Aktualność danych",
    },
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
    "uk": {
        "title": "Методологія індексу готовності прийняти нових мешканців",
        "version": "Версія методології: {v}",
        "intro": "Складений індикатор, побудований за посібником OECD/JRC: показники заповнюються, "
        "нормалізуються, зважуються й агрегуються у складові (житло, освіта, публічні послуги), а складові — "
        "у загальний результат за шкалою 0–100.",
        "indicators": "Показники",
        "method": "Метод",
        "col_code": "Код",
        "col_name": "Показник і обґрунтування",
        "col_unit": "Одиниця",
        "col_direction": "Напрям",
        "col_weight": "Вага",
        "col_share": "Частка у складовій",
        "col_source": "Джерело",
        "dir_up": "більше = краще",
        "dir_down": "менше = краще",
        "pillar_count": "{n} показників, сума ваг {w}",
        "references": "Література",
        "step_scenario": "Сценарій прибуття",
        "step_imputation": "Заповнення пропусків у даних",
        "step_outliers": "Викиди (нетипові значення)",
        "step_normalisation": "Нормалізація",
        "step_weighting": "Зважування",
        "step_aggregation": "Агрегування",
        "step_uncertainty": "Аналіз невизначеності",
        "step_freshness": "Актуальність даних",
    },
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
