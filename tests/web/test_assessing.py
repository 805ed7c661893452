"""The assessment form: shown defaults round-trip (untouched form = the API's `{}`), overrides parse."""

from __future__ import annotations

import pytest

from service.errors import ValidationProblem
from service.i18n import fmt_number
from service.web.assessing import default_values, parse_form


@pytest.mark.parametrize("lang", ["pl", "en", "uk"])
def test_untouched_form_sends_no_override(lang: str) -> None:
    form = {d.field: fmt_number(d.value, lang, d.digits) for d in default_values()} | {"include_pv": "on"}
    body = parse_form(form, lang)
    assert body.prices_pln_per_kwh == {} and body.co2_kg_per_kwh == {} and body.w_primary == {}
    assert body.include_pv is True


def test_every_default_has_source_and_year() -> None:
    values = default_values()
    assert len(values) == 18  # 6 carriers x (w_i, CO2 factor, price), energy/data/carriers.csv
    assert all(d.source and 1990 <= d.year <= 2030 for d in values)


def test_polish_decimal_comma_override_and_field_named_errors() -> None:
    assert parse_form({"price_gas": "0,40"}).prices_pln_per_kwh == {"gas": 0.4}
    with pytest.raises(ValidationProblem) as bad:
        parse_form({"price_gas": "abc", "co2_coal": "-1"})
    assert sorted(e["field"] for e in bad.value.errors) == ["co2_coal", "price_gas"]


def test_numbers_are_read_in_the_readers_locale() -> None:
    assert parse_form({"price_gas": "1,5"}, "pl").prices_pln_per_kwh == {"gas": 1.5}
    assert parse_form({"price_gas": "1.5"}, "en").prices_pln_per_kwh == {"gas": 1.5}
    assert parse_form({"price_gas": "1,5"}, "uk").prices_pln_per_kwh == {"gas": 1.5}
