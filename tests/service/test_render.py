"""Public readiness embeds: contract, badge, widget, snippet and methodology page (no browser)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pydantic import ValidationError

from service.readiness.i18n import LABELS, WIDGET_LANGS, UnsupportedLanguageError
from service.readiness.methodology import FrameworkDefinitionError, methodology_html
from service.readiness.public_schema import PublicSnapshot, example_snapshot
from service.readiness.render import (
    BADGE_LABEL_COLOUR,
    BAND_COLOURS,
    EmbedRequestError,
    badge_svg,
    embed_snippet,
    in_language,
    not_published_html,
    score_band,
    widget_html,
)

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://miasto.example.org"


class _Tags(HTMLParser):
    """Collect (tag, attrs) of every start tag and the visible text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _snapshot(**changes) -> dict:
    data = example_snapshot().model_dump(mode="json")
    data.update(changes)
    return data


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


# --- contract ---------------------------------------------------------------------------------------


def test_documented_example_validates_and_round_trips():
    doc = (ROOT / "service" / "readiness" / "PUBLIC_CONTRACT.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)\n```", doc, re.S).group(1))
    snap = PublicSnapshot.model_validate(example)
    assert snap == example_snapshot()
    assert json.loads(snap.model_dump_json()) == example  # the doc shows exactly what the API sends
    documented = set(re.findall(r"^\| `([a-z_]+)", doc, re.M))
    assert set(PublicSnapshot.model_fields) <= documented


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"teryt": "663011"}, "teryt"),
        ({"teryt": "06630A1"}, "teryt"),
        ({"overall": {"score": 60, "interval_low": 70, "interval_high": 65}}, "interval_low"),
        ({"overall": {"score": 101, "interval_low": 60, "interval_high": 70}}, "score"),
        ({"published_at": "2025-03-14T09:30:00"}, "published_at"),
        ({"supersedes": "rs-0663011-0003"}, "supersede itself"),
        ({"data_vintage": {"min_year": 2024, "max_year": 2021}}, "min_year"),
        ({"methodology_url": "javascript:alert(1)"}, "methodology_url"),
        ({"config_hash": "NOT-HEX"}, "config_hash"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_contract_rejects_bad_snapshot_naming_the_field(changes, field):
    with pytest.raises(ValidationError, match=field) as caught:
        PublicSnapshot.model_validate(_snapshot(**changes))
    assert isinstance(caught.value, ValueError)


def test_contract_checks_pillars_and_coverage():
    data = _snapshot()
    data["pillars"] = data["pillars"][:2] + [dict(data["pillars"][0])]
    with pytest.raises(ValidationError, match="exactly one each"):
        PublicSnapshot.model_validate(data)
    data = _snapshot(coverage={**_snapshot()["coverage"], "indicators_present": 18})
    with pytest.raises(
        ValidationError, match=r"indicators_present \(18\) differs from the sum over pillars \(19\)"
    ):
        PublicSnapshot.model_validate(data)
    data = _snapshot()
    data["pillars"] = list(reversed(data["pillars"]))
    assert [p.code for p in PublicSnapshot.model_validate(data).pillars] == [
        "housing",
        "schooling",
        "services",
    ]


# --- bands and colours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "low"),
        (39.99, "low"),
        (40, "moderate"),
        (59.9, "moderate"),
        (60, "good"),
        (80, "high"),
        (100, "high"),
    ],
)
def test_score_band_boundaries(score, band):
    assert score_band(score) == band


@pytest.mark.parametrize("colour", [*BAND_COLOURS.values(), BADGE_LABEL_COLOUR])
def test_white_text_on_badge_colours_meets_wcag_aa(colour):
    ratio = (1.0 + 0.05) / (_relative_luminance(colour) + 0.05)
    assert ratio >= 4.5, f"{colour}: contrast {ratio:.2f}:1 with white text"


def test_relative_luminance_matches_wcag_reference_values():
    # WCAG reference points: white 1, black 0, mid grey #777777 gives 4.48:1 on white.
    assert_allclose([_relative_luminance("#ffffff"), _relative_luminance("#000000")], [1.0, 0.0])
    assert_allclose(1.05 / (_relative_luminance("#777777") + 0.05), 4.48, atol=0.01)


# --- badge ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", WIDGET_LANGS)
def test_badge_is_accessible_self_contained_svg(lang):
    svg = badge_svg(example_snapshot(), lang)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    name = root.get("aria-label")
    assert root.find(f"{SVG}title").text == name
    assert "63" in name and "2024" in name and LABELS[lang]["band_good"] in name and "Lublin" in name
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == [LABELS[lang]["badge_label"], "63/100 · 2024"]
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill")]
    assert_allclose(sum(float(r.get("width")) for r in rects), float(root.get("width")))
    assert rects[1].get("fill") == BAND_COLOURS["good"]
    assert "href" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_badge_escapes_names_and_stays_valid_xml():
    hostile = "Gmina <b>\"&'</b>"
    root = ET.fromstring(badge_svg(_snapshot(municipality_name=hostile), "pl"))
    assert hostile in root.get("aria-label")
    assert not list(root.iter(f"{SVG}b"))


def test_badge_rounds_half_up_to_whole_points():
    low = {"score": 62.5, "interval_low": 60, "interval_high": 65}
    assert "63/100" in badge_svg(_snapshot(overall=low), "en")
    assert "62/100" in badge_svg(_snapshot(overall={**low, "score": 62.49}), "en")


# --- widget -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", WIDGET_LANGS)
def test_widget_is_self_contained_and_localised(lang):
    page = widget_html(example_snapshot(), lang, BASE)
    parsed = _Tags(page)
    tags = [t for t, _ in parsed.tags]
    assert parsed.tags[0] == ("html", {"lang": lang})
    assert not {"script", "link", "img", "object", "embed", "iframe"} & set(tags)
    assert "@import" not in page and "url(" not in page and "@font-face" not in page
    assert all("src" not in attrs for _, attrs in parsed.tags)
    text = " ".join(parsed.text).replace("\u2060", "")  # word joiners keep "58–68" on one line
    for code in ("housing", "schooling", "services"):
        assert LABELS[lang][f"pillar_{code}"] in text
    assert LABELS[lang]["interval"].format(low=58, high=68) in text
    assert "2021–2024" in text and "2025.1" in text and "Lublin" in text
    links = [a for t, a in parsed.tags if t == "a"]
    assert [a["href"] for a in links] == [
        in_language(example_snapshot().methodology_url, lang),  # the link keeps the widget's language
        f"{BASE}/v1/public/readiness/0663011",
    ]
    assert all(a["target"] == "_blank" and "noopener" in a["rel"].split() for a in links)


def test_widget_bars_show_scores_and_intervals():
    page = widget_html(example_snapshot(), "en", BASE + "/")
    fills = [float(w) for w in re.findall(r'class="fill" style="width:([\d.]+)%"', page)]
    ranges = [
        tuple(map(float, m)) for m in re.findall(r'class="rng" style="left:([\d.]+)%;width:([\d.]+)%"', page)
    ]
    snap = example_snapshot()
    expected = [snap.overall, *snap.pillars]
    assert_allclose(fills, [s.score for s in expected], atol=0.05)
    assert_allclose(
        ranges, [(s.interval_low, s.interval_high - s.interval_low) for s in expected], atol=0.051
    )


def test_widget_escapes_every_interpolated_string():
    data = _snapshot(municipality_name="<script>alert(1)</script>")
    data["scenario"] = {**data["scenario"], "label": '"><img src=x onerror=alert(1)>'}
    data["methodology_url"] = 'https://e.org/m?a=1&b="x"><script>'
    parsed = _Tags(widget_html(data, "pl", BASE))
    assert not {"script", "img"} & {t for t, _ in parsed.tags}
    assert "<script>alert(1)</script>" in " ".join(parsed.text)
    href = [a for t, a in parsed.tags if t == "a"][0]["href"]
    assert href == in_language(data["methodology_url"], "pl") and '"' not in href and "<" not in href


def test_widget_formats_numbers_per_language():
    assert "liczba przybyłych: 3\u00a0200" in widget_html(example_snapshot(), "pl", BASE)
    assert "arrivals: 3,200" in widget_html(example_snapshot(), "en", BASE)


@pytest.mark.parametrize("lang", ["de", "PL", "", None])
def test_unsupported_language_is_a_value_error_naming_it(lang):
    with pytest.raises(UnsupportedLanguageError, match=r"lang: .* is not offered; use one of pl, en, uk"):
        widget_html(example_snapshot(), lang, BASE)
    with pytest.raises(ValueError, match="lang"):
        badge_svg(example_snapshot(), lang)


def test_not_published_page_is_localised():
    for lang in WIDGET_LANGS:
        parsed = _Tags(not_published_html(lang))
        assert parsed.tags[0] == ("html", {"lang": lang})
        assert LABELS[lang]["not_published_title"] in parsed.text


# --- embed snippet ----------------------------------------------------------------------------------


def test_embed_snippet_is_one_sandboxed_iframe():
    snippet = embed_snippet(BASE + "/", "0663011", "uk")
    assert "\n" not in snippet
    parsed = _Tags(snippet)
    assert [t for t, _ in parsed.tags] == ["iframe"]
    attrs = parsed.tags[0][1]
    assert attrs["src"] == f"{BASE}/v1/public/readiness/0663011/widget?lang=uk"
    assert "0663011" in attrs["title"] and "allow-scripts" not in attrs["sandbox"]
    assert snippet in (ROOT / "examples" / "portal" / "README.md").read_text(encoding="utf-8").replace(
        "http://localhost:8000", BASE
    ).replace("lang=pl", "lang=uk").replace(
        LABELS["pl"]["iframe_title"].format(teryt="0663011"),
        LABELS["uk"]["iframe_title"].format(teryt="0663011"),
    )


@pytest.mark.parametrize(
    ("base", "teryt", "match"),
    [
        (BASE, "663011", "teryt"),
        (BASE, 663011, "teryt"),
        ("javascript:alert(1)", "0663011", "base_url"),
        ("//e.org", "0663011", "base_url"),
    ],
)
def test_embed_snippet_rejects_bad_input(base, teryt, match):
    with pytest.raises(EmbedRequestError, match=match):
        embed_snippet(base, teryt, "pl")


# --- methodology ------------------------------------------------------------------------------------


def _framework() -> pd.DataFrame:
    rows = [
        ("a1", "housing", 1, 2.0), ("a2", "housing", -1, 1.0), ("a3", "housing", 1, 1.0),
        ("b1", "schooling", 1, 1.0), ("c1", "services", -1, 3.0), ("c2", "services", 1, 1.0),
        ("pop", None, 1, 0.0),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {"code": c, "pillar": p, "name_pl": f"Wskaźnik {c}", "name_en": f"Indicator {c}", "name_uk": f"Показник {c}",
             "unit": "per 1000 persons", "direction": d, "weight": w, "source": f"GUS BDL {c}", "rationale": f"why {c} & <more>"}
            for c, p, d, w in rows
        ]
    )  # fmt: skip


def test_methodology_page_lists_indicators_with_pillar_shares():
    page = methodology_html(
        _framework(), "pl", "2025.1", {"normalisation": {"pl": "Progi.\n\nSkala 0–100.", "en": "x"}}
    )
    parsed = _Tags(page)
    assert parsed.tags[0] == ("html", {"lang": "pl"})
    assert not {"script", "link", "img"} & {t for t, _ in parsed.tags}
    text = " ".join(parsed.text)
    # shares within the pillar, computed by hand: housing 2:1:1, services 3:1, schooling alone
    for share in ("50,0 %", "25,0 %", "75,0 %", "100,0 %"):
        assert share in text
    assert "why a1 & <more>" in text and "2025.1" in text and "Normalizacja" in text
    assert "Skala 0–100." in parsed.text and "Wskaźnik pop" in text  # auxiliary row listed apart
    assert sum(t == "tr" for t, _ in parsed.tags) == 6 + 3  # six scored rows + one header row per pillar
    assert text.count("↓") == 2


def test_methodology_page_renders_the_real_framework():
    csv = ROOT / "integration" / "data" / "readiness" / "indicators.csv"
    frame = pd.read_csv(csv)
    page = methodology_html(frame, "en", "2025.1", {})
    scored = frame[frame["pillar"].notna()]
    assert all(f"<code>{c}</code>" in page for c in scored["code"])


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda f: f.drop(columns=["weight"]), r"missing columns \['weight'\]"),
        (lambda f: f.assign(code=["a1"] * len(f)), "code: duplicated"),
        (lambda f: f.assign(direction=[1, 0, 1, 1, 1, 1, 1]), r"direction: .* \(rows: a2\)"),
        (lambda f: f.assign(weight=[1, 1, "heavy", 1, -2, 1, 0]), r"weight: .* \(rows: a3, c1\)"),
        (lambda f: f.assign(pillar=["housing"] * 6 + [None], weight=[1] * 7), r"pillar: .* \(rows: pop\)"),
        (lambda f: f.assign(name_en=[""] + ["x"] * 6), r"name_en: .* \(rows: a1\)"),
        (lambda f: f.iloc[0:0], "no indicator rows"),
    ],
)
def test_methodology_rejects_bad_framework_naming_rows(mutate, match):
    with pytest.raises(FrameworkDefinitionError, match=match):
        methodology_html(mutate(_framework()), "en", "2025.1", {})


def test_methodology_rejects_bad_lang_and_missing_translation():
    with pytest.raises(UnsupportedLanguageError):
        methodology_html(_framework(), "de", "2025.1", {})
    with pytest.raises(
        FrameworkDefinitionError, match=r"method_description\['weighting'\]: no text for lang 'en'"
    ):
        methodology_html(_framework(), "en", "2025.1", {"weighting": {"pl": "Równe wagi."}})


def test_scenario_line_is_in_the_widgets_language_never_in_another():
    """A label given per language is shown in that language; a label in one language only is never
    shown in a widget of another language (the README's English what-if label in a Polish widget)."""
    data = _snapshot()
    data["scenario"] = {**data["scenario"], "label": "What-if 20,000 arrivals", "arrivals_persons": 20000,
                        "labels": {"pl": "20 000 osób – wariant", "en": "What-if 20,000 arrivals"}}  # fmt: skip
    assert "20 000 osób – wariant" in widget_html(data, "pl", BASE)
    assert "What-if 20,000 arrivals" in widget_html(data, "en", BASE)
    uk = widget_html(data, "uk", BASE)
    assert "What-if" not in uk and "wariant" not in uk and "Сценарій прибуття" in uk
    data["scenario"].pop("labels")
    pl = widget_html(data, "pl", BASE)
    assert "What-if" not in pl and "Scenariusz przyjazdów · liczba przybyłych: 20" in pl
