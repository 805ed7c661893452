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
               "district_heat_w_primary"}  # fmt: skip
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


def column_msgids(key: str) -> list[tuple[str | None, str]]:
    """The (context, msgid) pairs the header of ``key`` is made of (for the catalogue's completeness test)."""
    out: list[tuple[str | None, str]] = []
    if "__" in key:
        key, part = key.split("__", 1)
        if not part.isdigit() and not key.startswith("grant"):
            out.append(("measure", part.replace("_", " ")))
    month = MONTH.match(key)
    if month:
        key = month["base"] + "_kwh" if not month["base"].endswith("_kwh") else month["base"]
        out.append((None, MONTH_NAMES[int(month["m"]) - 1]))
    base, _, _ = split_unit(key)
    is_ratio = key in RATIO_NAMES or key.startswith(RATIO_PREFIXES)
    out.append((None, base_label(base if not is_ratio else key)))
    return out


def column_format(key: str, lang: str, plan_names: dict[str, str] | None = None) -> ColumnFormat:
    """Header and number format of ``key`` in ``lang``; ``plan_names`` maps compare suffixes
    (``__1``) to the plan's name."""
    t = translator(lang)
    suffix_label = ""
    group = ""
    if "__" in key:
        key, part = key.split("__", 1)
        if plan_names and part in plan_names:
            group = plan_names[part]
        else:
            suffix_label = t.pgettext("measure", part.replace("_", " "))
    month = MONTH.match(key)
    month_label = ""
    if month:
        key = month["base"] + "_kwh" if not month["base"].endswith("_kwh") else month["base"]
        month_label = t.gettext(MONTH_NAMES[int(month["m"]) - 1])
    base, unit, digits = split_unit(key)
    is_ratio = key in RATIO_NAMES or key.startswith(RATIO_PREFIXES)
    if is_ratio:
        digits = 2
    elif key in INTEGER_NAMES or key in YEAR_NAMES:
        digits = 0
    text = t.gettext(base_label(base if not is_ratio else key))
    if suffix_label:
        text = f"{text}: {suffix_label}"
    if month_label:
        text = f"{text}, {month_label}"
    if unit:
        text = f"{text} [{localise_unit(unit, lang)}]"
    if group:
        text = f"{group} — {text}"
    return ColumnFormat(text, digits, is_ratio, key in YEAR_NAMES)


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
