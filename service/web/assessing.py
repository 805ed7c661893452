"""The assessment form of the workspace: sourced defaults shown, a person's overrides parsed.

The form shows every price and factor the engine would use (``energy/data/carriers.csv``, each with
its source and year) and sends only the values a person changed, so a run without changes is a run
on the packaged defaults, exactly like ``POST /v1/inventories/{id}/assessments`` with ``{}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from energy.carriers import CARRIERS, carrier_sources
from service.assessments.schemas import AssessmentRequest
from service.errors import ValidationProblem

# form field prefix -> (carriers.csv parameter, API body field)
FACTORS = {
    "price": ("price_pln_per_kwh", "prices_pln_per_kwh"),
    "co2": ("co2_kg_per_kwh", "co2_kg_per_kwh"),
    "wp": ("w_primary", "w_primary"),
}


@dataclass(frozen=True)
class DefaultValue:
    field: str
    carrier: str
    parameter: str
    value: float
    unit: str
    source: str
    year: int

    @property
    def digits(self) -> int:
        """Decimals that show the packaged value exactly, so an untouched field sends nothing."""
        return next((d for d in range(7) if round(self.value, d) == self.value), 6)


def default_values() -> list[DefaultValue]:
    """Every packaged factor and price, with its form field name, unit, source and year."""
    table = carrier_sources()
    by_param = {param: prefix for prefix, (param, _) in FACTORS.items()}
    out = []
    for row in table.itertuples(index=False):
        prefix = by_param.get(row.parameter)
        if prefix is None or row.carrier not in CARRIERS:
            continue
        out.append(
            DefaultValue(
                f"{prefix}_{row.carrier}",
                row.carrier,
                row.parameter,
                float(row.value),
                str(row.unit),
                str(row.source),
                int(row.source_year),
            )
        )
    return out


def _number(text: str, lang: str) -> float | str:
    """A number as the reader typed it in their locale (Babel); ``0,40`` is also read in English."""
    from babel.numbers import NumberFormatError, parse_decimal

    from service.i18n.formats import BABEL_LOCALE

    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    try:
        value = float(parse_decimal(cleaned, locale=BABEL_LOCALE.get(lang, "pl_PL"), strict=True))
    except NumberFormatError:
        try:
            value = float(cleaned.replace(",", "."))
        except ValueError:
            return text
    return value if math.isfinite(value) else text


def parse_form(form: dict[str, str], lang: str = "pl") -> AssessmentRequest:
    """The API body for the values that differ from the defaults; ValidationProblem names form fields."""
    body: dict[str, Any] = {"include_pv": form.get("include_pv") == "on"}
    if form.get("climate_id"):
        body["climate_id"] = form["climate_id"]
    defaults = {d.field: d.value for d in default_values()}
    for field, default in defaults.items():
        raw = (form.get(field) or "").strip()
        if not raw:
            continue
        value = _number(raw, lang)
        if isinstance(value, float) and math.isclose(value, default, rel_tol=1e-9, abs_tol=1e-12):
            continue
        prefix, carrier = field.split("_", 1)
        body.setdefault(FACTORS[prefix][1], {})[carrier] = value
    try:
        return AssessmentRequest.model_validate(body)
    except ValidationError as exc:
        raise ValidationProblem(
            f"{exc.error_count()} invalid field(s) in the form", errors=_form_errors(exc, form)
        ) from exc


def _form_errors(exc: ValidationError, form: dict[str, str]) -> list[dict[str, Any]]:
    back = {api: prefix for prefix, (_, api) in FACTORS.items()}
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        field = f"{back[loc[0]]}_{loc[1]}" if loc and loc[0] in back and len(loc) > 1 else ".".join(loc)
        errors.append({"row": None, "field": field, "value": form.get(field), "reason": err.get("msg")})
    return errors
