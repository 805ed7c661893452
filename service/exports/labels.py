"""Headers a person reads: a column key (``heated_area_m2``) -> a translated label with its unit
(``Powierzchnia ogrzewana [m²]``) and the number format of its cells.

The key grammar is the API's: the unit is the suffix of the name. The base name is a msgid of the
``exports`` domain of the catalogue; measure and programme suffixes (``capex_pln__led``,
``grant_pln__feniks``) and monthly columns (``..._month_01``) are composed from translated parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.i18n import translator

# (suffix, unit shown, decimals) — longest suffixes first; the unit symbols are international.
UNIT_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("_kwh_per_m2_year", "kWh/(m²·a)", 1),
    ("_kwh_per_kwp", "kWh/kWp", 0),
    ("_kwh_per_year", "kWh/a", 0),
    ("_mwh_per_year", "MWh/a", 1),
    ("_pln_per_year", "zł/a", 0),
    ("_t_per_year", "t/a", 1),
    ("_kg_per_kwh", "kg/kWh", 3),
    ("_w_m2k", "W/(m²·K)", 2),
    ("_pln_per_kwh", "zł/kWh", 3),
    ("_kwh_normalised", "kWh", 0),
    ("_m2", "m²", 1),
    ("_kwp", "kWp", 1),
    ("_kw", "kW", 1),
    ("_deg", "°", 0),
    ("_years", "a", 1),
    ("_pln", "zł", 0),
    ("_kwh", "kWh", 0),
    ("_t", "t", 1),
)
RATIO_PREFIXES = ("model_to_meter_", "calibration_factor_")
RATIO_NAMES = {"pv_self_consumption_ratio", "share_of_eligible_cost", "discount_rate", "price_escalation",
               "district_heat_w_primary", "heat_recovery_efficiency"}  # fmt: skip
INTEGER_NAMES = {"n_projects", "n_buildings", "buildings", "active_projects", "storeys", "seq", "rank"}
YEAR_NAMES = {"construction_year", "year", "start_year", "metered_year", "renovation_year"}
MONTH = re.compile(r"^(?P<base>.+)_month_(?P<m>\d{2})$")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip


@dataclass(frozen=True)
class ColumnFormat:
    """How a column reads: its header and, for numbers, the decimals shown (None: text)."""

    header: str
    digits: int | None
    is_ratio: bool = False
    is_year: bool = False


def split_unit(key: str) -> tuple[str, str, int | None]:
    """``heated_area_m2`` -> (``heated_area``, ``m²``, 1); a key without a unit suffix keeps itself."""
    for suffix, unit, digits in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], unit, digits
    return key, "", None


def base_label(base: str) -> str:
    """The English msgid of a base name: ``heating_need`` -> ``Heating need``."""
    return base.replace("_", " ").strip().capitalize()


@dataclass(frozen=True)
class KeyParts:
    """A column key taken apart once: the field, its unit and decimals, and what the suffixes name."""

    key: str  # the field without its suffixes (``capex_pln__led`` -> ``capex_pln``)
    base: str  # the field without its unit (``capex``)
    unit: str
    digits: int | None
    is_ratio: bool
    suffix: str | None  # a measure, programme or compare position after ``__``
    month: int | None  # 1..12 for ``..._month_01``


def parse_key(key: str) -> KeyParts:
    """Split ``key`` by the API's naming grammar (see the module docstring)."""
    suffix = None
    if "__" in key:
        key, suffix = key.split("__", 1)
    month = MONTH.match(key)
    month_no = None
    if month:
        key = month["base"] + "_kwh" if not month["base"].endswith("_kwh") else month["base"]
        month_no = int(month["m"])
    base, unit, digits = split_unit(key)
    is_ratio = key in RATIO_NAMES or key.startswith(RATIO_PREFIXES)
    if is_ratio:
        digits = 2
    elif key in INTEGER_NAMES or key in YEAR_NAMES:
        digits = 0
    return KeyParts(key, base if not is_ratio else key, unit, digits, is_ratio, suffix, month_no)


def column_msgids(key: str) -> list[tuple[str | None, str]]:
    """The (context, msgid) pairs the header of ``key`` is made of (for the catalogue's completeness
    test); programme ids after ``grant_…__`` and compare positions are names, not messages."""
    parts = parse_key(key)
    out: list[tuple[str | None, str]] = []
    if parts.suffix and not parts.suffix.isdigit() and not parts.key.startswith("grant"):
        out.append(("measure", parts.suffix.replace("_", " ")))
    if parts.month:
        out.append((None, MONTH_NAMES[parts.month - 1]))
    out.append((None, base_label(parts.base)))
    return out


def column_format(key: str, lang: str, plan_names: dict[str, str] | None = None) -> ColumnFormat:
    """Header and number format of ``key`` in ``lang``; ``plan_names`` maps compare suffixes
    (``__1``) to the plan's name."""
    t = translator(lang)
    parts = parse_key(key)
    text = t.gettext(base_label(parts.base))
    group = ""
    if parts.suffix and plan_names and parts.suffix in plan_names:
        group = plan_names[parts.suffix]
    elif parts.suffix:
        text = f"{text}: {t.pgettext('measure', parts.suffix.replace('_', ' '))}"
    if parts.month:
        text = f"{text}, {t.gettext(MONTH_NAMES[parts.month - 1])}"
    if parts.unit:
        text = f"{text} [{localise_unit(parts.unit, lang)}]"
    if group:
        text = f"{group} — {text}"
    return ColumnFormat(text, parts.digits, parts.is_ratio, parts.key in YEAR_NAMES)


def localise_unit(unit: str, lang: str) -> str:
    """The year symbol of a unit in the reader's language: ``kWh/a`` -> ``kWh/rok`` (pl)."""
    t = translator(lang)
    if unit == "a":
        return t.pgettext("unit", "years")
    year = t.pgettext("unit", "a")
    return unit.replace("/a", f"/{year}").replace("·a)", f"·{year})")


def excel_number_format(digits: int | None, is_year: bool = False) -> str:
    """An Excel format with thousands grouping (none for years); the spreadsheet shows it in its
    own locale's separators."""
    if digits is None:
        return "@"
    if is_year:
        return "0"
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")
