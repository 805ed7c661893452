"""The one message catalogue: every message in pl, en and uk, same placeholders; locale formats."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service.i18n import LANGS, fmt_date, fmt_money, fmt_number, fmt_percent, negotiate, translator
from service.i18n.catalogue import LOCALES_DIR
from service.i18n.templating import make_environment, render


def _messages(lang: str) -> dict[tuple[str, str | None], object]:
    out: dict[tuple[str, str | None], object] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.po")):
        with path.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id:
                    key = msg.id[0] if isinstance(msg.id, (tuple, list)) else msg.id
                    out[(f"{path.name}:{key}", msg.context)] = msg.string
    return out


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_exists_translated_in_every_language() -> None:
    cats = {lang: _messages(lang) for lang in LANGS}
    keys = set().union(*(c.keys() for c in cats.values()))
    assert keys, "the catalogue is empty"
    problems = []
    for key in sorted(keys, key=str):
        for lang in LANGS:
            text = cats[lang].get(key)
            if text is None:
                problems.append(f"{lang}: missing {key}")
            elif (isinstance(text, str) and not text.strip()) or (
                isinstance(text, (tuple, list)) and not all(t.strip() for t in text)
            ):
                problems.append(f"{lang}: empty translation of {key}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders_of_their_msgid() -> None:
    problems = []
    for lang in LANGS:
        for (key, _ctx), text in _messages(lang).items():
            msgid = key.split(":", 1)[1]
            texts = text if isinstance(text, (tuple, list)) else [text]
            for t in texts:
                if _fields(t) - (_fields(msgid) | {"n"}):
                    problems.append(f"{lang}: {key!r} has placeholders {_fields(t)} not in its msgid")
    assert not problems, "\n".join(problems)


def test_domain_files_are_the_same_in_every_language() -> None:
    names = {lang: sorted(p.name for p in (LOCALES_DIR / lang).glob("*.po")) for lang in LANGS}
    assert names["pl"] == names["en"] == names["uk"]


def test_polish_plural_forms() -> None:
    t = translator("pl")
    got = [t.ngettext("{n} building", "{n} buildings", n) for n in (1, 2, 5, 12, 22, 25)]
    assert got == ["1 budynek", "2 budynki", "5 budynków", "12 budynków", "22 budynki", "25 budynków"]
    u = translator("uk")
    assert [u.ngettext("{n} building", "{n} buildings", n) for n in (1, 3, 11, 21)] == [
        "1 будівля",
        "3 будівлі",
        "11 будівель",
        "21 будівля",
    ]


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        ("uk", None, "uk"),
        ("EN-gb", None, "en"),
        ("de", None, "pl"),
        (None, "de-DE,uk;q=0.8", "uk"),
        (None, None, "pl"),
    ],
)
def test_negotiate_falls_back_to_polish(lang: str | None, header: str | None, expected: str) -> None:
    assert negotiate(lang, header) == expected


def test_locale_formats_are_babel_not_hand_made() -> None:
    nbsp = "\u00a0"
    assert fmt_number(3945.2, "pl").replace(nbsp, " ").replace("\u202f", " ") == "3 945,2"
    assert fmt_number(3945.2, "en") == "3,945.2"
    assert fmt_number(57749.99999999169, "pl", 0).replace(nbsp, " ").replace("\u202f", " ") == "57 750"
    assert fmt_money(12.5e6, "pl", compact=True).replace(nbsp, " ") == "12,5 mln zł"
    assert fmt_date(dt.date(2026, 12, 2), "pl") == "2 grudnia 2026"
    assert fmt_date(dt.date(2026, 12, 2), "uk").startswith("2 грудня 2026")
    assert fmt_percent(0.125, "pl", 1).replace(nbsp, "") == "12,5%"
    assert fmt_number(float("nan"), "pl") == "–"


def test_templates_translate_and_escape(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text(
        '{{ _("Language") }}|{{ ngettext("{n} building", "{n} buildings", 3) }}|'
        "{{ 1234.5 | number }}|{{ evil }}"
    )
    env = make_environment([tmp_path])
    out = render(env, "t.html", "pl", evil="<script>")
    assert re.fullmatch(r"Język\|3 budynki\|1\s234,5\|&lt;script&gt;", out), out
    assert render(env, "t.html", "xx", evil="").startswith("Język"), "unknown language falls back to Polish"


MSG = re.compile(r"""(?<![A-Za-z_.])(?:_|gettext|tr)\(\s*"((?:\\.|[^"\\])*)"\s*[,)]""")
PMSG = re.compile(r"""pgettext\(\s*"([a-z_]+)"\s*,\s*"((?:\\.|[^"\\])*)"\s*[,)]""")
SOURCES = [
    "service/reports",
    "service/charts",
    "service/assessments/document.py",
    "service/assessments/service.py",
    "service/portfolios/service.py",
]


def test_every_message_the_code_uses_is_in_the_catalogue() -> None:
    """A literal passed to ``_``/``gettext``/``pgettext`` in the reports and exports is translated."""
    from service.i18n.catalogue import catalogue

    root = Path(__file__).resolve().parents[2]
    files = [p for s in SOURCES for p in ([root / s] if s.endswith(".py") else (root / s).rglob("*"))
             if p.suffix in {".py", ".html"}]  # fmt: skip
    used: set[tuple[str | None, str]] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        used |= {(None, m) for m in MSG.findall(text)}
        used |= {(c, m) for c, m in PMSG.findall(text)}
    assert len(used) > 100
    for lang in LANGS:
        messages = catalogue(lang).messages  # keyed (msgid, context)
        missing = sorted(str(k) for k in used if (k[1], k[0]) not in messages)
        assert not missing, f"{lang}: {missing[:10]}"


@pytest.mark.parametrize(
    "lang, number, money", [("pl", "1,00E300", "-3,00E20\u00a0zł"), ("en", "1.00E300", "-3.00E20\u00a0PLN")]
)
def test_figures_beyond_a_quadrillion_are_scientific_not_an_error(lang, number, money):
    """A request may carry a 1e300 budget; Babel's decimal rounding fails on it (a 500 in the
    portfolio chart and the readiness report): such figures read in scientific notation."""
    assert fmt_number(1e300, lang) == number
    assert fmt_money(-3e20, lang) == money
    assert fmt_percent(1e300, lang).endswith("E302%")
    assert fmt_number(float("inf"), lang) == "–" and fmt_number(123456.0, lang, 0) in {
        "123\u00a0456",
        "123,456",
    }
