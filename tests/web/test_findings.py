"""The API's English reasons are shown in the reader's language; an unknown reason is kept as is."""

from __future__ import annotations

import pytest

from energy.inventory.parsing import parse_inventory
from service.i18n import translator
from service.web.findings import reason_text, translated_findings

CASES = [
    ("duplicate building_id: first used in row 2", "pl", "powtórzony building_id: pierwszy raz w wierszu 2"),
    ("must be >= 1200 and <= 2026", "pl", "musi być >= 1200 i <= 2026"),
    ("must be > 0 and < 1e+06 [m2]", "uk", "має бути > 0 і < 1e+06 [m2]"),
    ("longer than 200 characters", "uk", "довше ніж 200 символів"),
    ("must be a whole number", "en", "must be a whole number"),
    ("a reason no template knows", "pl", "a reason no template knows"),
]


@pytest.mark.parametrize(("reason", "lang", "expected"), CASES)
def test_reason_in_readers_language(reason: str, lang: str, expected: str) -> None:
    (finding,) = translated_findings([{"row": 3, "field": "x", "value": "v", "reason": reason}])
    assert reason_text(translator(lang).gettext, finding) == expected
    assert (finding.row, finding.field, finding.value) == (3, "x", "v")


@pytest.mark.parametrize(("lang", "expected"), [("pl", "punkt (52.35, 14.55) nie leży w Polsce"), ("uk", "точка (52.35, 14.55) не в Польщі")])  # fmt: skip
def test_intake_reason_for_a_point_abroad_is_translated(lang: str, expected: str) -> None:
    # the reason as intake words it today (Frankfurt (Oder), beyond the PRG border + tolerance)
    body = b"building_id,name,building_type,construction_year,heated_area_m2,storeys,heating_system,lat,lon\n"
    body += b"F1,Schule,school,1965,2400,3,gas_boiler,52.35,14.55\n"
    (error,) = parse_inventory(body, content_type="text/csv", max_rows=10).errors
    (finding,) = translated_findings([{"row": error.row, "field": error.field, "value": error.value, "reason": error.reason}])  # fmt: skip
    assert reason_text(translator(lang).gettext, finding) == expected
