"""API findings (row, field, value, reason) shown in the reader's language.

The API keeps its English reasons in JSON. A page matches each reason against the templates below
(each one a msgid of the ``web`` domain with ``{placeholders}``) and shows the translation; a reason
no template matches is shown as the API wrote it, so no finding is ever dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# regex over the API's English reason -> msgid (the English template) with the same named groups.
REASON_TEMPLATES: list[tuple[str, str]] = [
    # readiness values (service/readiness/intake.py) and publishing (service/readiness/service.py)
    (r"missing", "required field is missing"),
    (r"not a number", "not a number"),
    (r"not finite", "not a finite number (NaN, infinity and overflowing values are rejected)"),
    (r"not an indicator of framework (?P<version>\S+)", "not an indicator of framework {version}"),
    (
        r"a headroom ratio is computed from the arrival scenario; report its inputs instead",
        "a headroom ratio is computed from the arrival scenario; report its inputs instead",
    ),
    (r"must be >= (?P<n>0) \(every readiness indicator is a count or rate\)", "must be at least {n}"),
    (r"missing \(every value needs its reference year\)", "missing: every value needs its reference year"),
    (r"not a whole year in \[(?P<low>\d+), (?P<high>\d+)\]", "not a whole year between {low} and {high}"),
    (
        r"differs from the framework's unit for this indicator.*",
        "differs from the framework's unit for this indicator",
    ),
    (r"the same indicator and year appear twice", "the same indicator and year appear twice"),
    (r"longer than (?P<n>\d+)", "longer than {n} characters"),
    (
        r"uncertainty_runs (?P<n>\d+) < (?P<m>\d+): no interval to publish",
        "{n} uncertainty runs: a published score needs at least {m}",
    ),
    (r"must be <= (?P<n>\d+)", "must be at most {n}"),
    # plans naming buildings their inventory version lacks (service/portfolios/service.py, a 409)
    (
        r"not a building of inventory version (?P<version>\d+)",
        "not a building of inventory version {version}",
    ),
    (r"required field is missing", "required field is missing"),
    (r"longer than (?P<n>\d+) characters", "longer than {n} characters"),
    (r"unknown value; expected one of: (?P<choices>.+)", "unknown value; expected one of: {choices}"),
    (r"not a number \(text in a numeric column\)", "not a number (text in a numeric column)"),
    (
        r"not a finite number \(NaN, infinity and overflowing values are rejected\)",
        "not a finite number (NaN, infinity and overflowing values are rejected)",
    ),
    (r"not a number in this file's format", "not a number in this file's format"),
    (r"must be a whole number", "must be a whole number"),
    (
        r"must be (?P<low>[<>]=? \S+) and (?P<high>[<>]=? [^ \[]+)(?P<unit>( \[.+\])?)",
        "must be {low} and {high}{unit}",
    ),
    (r"must be (?P<bounds>[<>]=? .+)", "must be {bounds}"),
    (
        r"duplicate building_id: first used in row (?P<row>\d+)",
        "duplicate building_id: first used in row {row}",
    ),
    (r"retrofit year is before construction_year", "retrofit year is before construction_year"),
    (
        r"heat recovery needs ventilation_system balanced_hr.*",
        "heat recovery needs ventilation_system balanced_hr (or leave ventilation_system empty)",
    ),
    (r"lat is given without lon", "lat is given without lon"),
    (r"lon is given without lat", "lon is given without lat"),
    (r"point \((?P<lat>[^,]+), (?P<lon>[^)]+)\) is not in Poland.*", "point ({lat}, {lon}) is not in Poland"),
    (
        r"metered consumption is given without metered_year",
        "metered consumption is given without metered_year",
    ),
    (r"broken quoting: a quoted cell is never closed", "broken quoting: a quoted cell is never closed"),
    (r"empty", "the file contains no buildings"),
    (r"unsupported", "this file type is not supported; upload CSV or XLSX"),
    (r"unknown advisor", "choose an advisor from the list"),
    (r"scopes", "choose at least one scope that your key holds"),
    (r"Field required", "required field is missing"),
    (r"Input should be a valid number.*", "not a number"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "must be at least {n}"),
    (r"Input should be less than or equal to (?P<n>\S+)", "must be at most {n}"),
    (r"Input should be a valid UUID.*", "not a valid identifier"),
]
_COMPILED = [(re.compile(rf"^{pattern}$", re.DOTALL), msgid) for pattern, msgid in REASON_TEMPLATES]


@dataclass(frozen=True)
class Finding:
    """One finding as a page shows it; ``reason`` is a (msgid, placeholders) pair or plain text."""

    row: int | None
    field: str | None
    value: Any
    msgid: str | None
    params: dict[str, str]
    raw_reason: str


def translated_findings(errors: list[dict[str, Any]]) -> list[Finding]:
    """The API's ``errors`` list as :class:`Finding` rows; templates call ``reason_text(f)``."""
    found = []
    for err in errors:
        reason = str(err.get("reason") or "")
        msgid, params = None, {}
        for pattern, template in _COMPILED:
            match = pattern.match(reason)
            if match:
                msgid, params = template, match.groupdict()
                break
        found.append(Finding(err.get("row"), err.get("field"), err.get("value"), msgid, params, reason))
    return found


def reason_text(gettext, finding: Finding) -> str:
    """The finding's reason in the page's language (``gettext`` is the template's ``_``)."""
    if finding.msgid is None:
        return finding.raw_reason
    return gettext(finding.msgid, **finding.params)
