"""Field specifications of a building inventory: names, types, bounds, enums, units, Polish aliases.

One :class:`FieldSpec` per column of the canonical inventory. Parsing maps every header of a city's
file (English API name or a Polish alias, see ``COLUMNS.md``) onto these names; validation checks every
cell against these specs. Bounds are plausibility limits of the intake, not physics: a value outside
them is an error, a value that is possible but odd is reported by the plausibility rules in
``validation.py`` as a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from energy.carriers import heating_systems
from energy.district_heat import network_types
from energy.typology import BUILDING_TYPES, MAX_HEAT_RECOVERY, VENTILATION_SYSTEMS

#: Kinds of field. ``year`` is an integer whose upper bound is the current year.
KINDS = ("str", "int", "float", "year", "enum")

# One place each: the typology's building types and the systems table of the engine.
HEATING_SYSTEMS = heating_systems()  # energy/data/systems.csv
ROOF_TYPES = ("flat", "pitched")
DISTRICT_HEAT_NETWORKS = tuple(network_types())  # energy/data/district_heat_networks.csv

#: Oldest construction year accepted (the oldest municipal buildings in use in Poland are medieval).
OLDEST_YEAR = 1200
#: Oldest metering year accepted: energy bills before 1990 are not comparable (pre-transition prices).
OLDEST_METERED_YEAR = 1990


def current_year() -> int:
    """Return the current calendar year (the upper bound of every ``year`` field)."""
    return date.today().year


@dataclass(frozen=True)
class FieldSpec:
    """One column of the canonical inventory.

    Parameters
    ----------
    name : str
        API name, snake_case with the unit in the name.
    kind : str
        One of ``str``, ``int``, ``float``, ``year`` (int with upper bound = current year), ``enum``.
    required : bool
        Every row must give a value.
    minimum, maximum : float or None
        Bounds of numeric fields, in the field's unit.
    min_exclusive, max_exclusive : bool
        Whether the bound itself is excluded (``heated_area_m2 > 0``).
    choices : tuple of str
        Allowed values of an ``enum`` field.
    unit : str
        Unit, as in the name (``m2``, ``W/(m2 K)``, ``kWh``); empty for text.
    aliases : tuple of str
        Polish (and other) header names accepted in files; matched after :func:`normalise_header`.
    max_length : int or None
        Longest accepted text.
    """

    name: str
    kind: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()
    unit: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    max_length: int | None = None
    description: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float", "year")

    @property
    def integer(self) -> bool:
        return self.kind in ("int", "year")

    def upper_bound(self) -> float | None:
        return float(current_year()) if self.kind == "year" else self.maximum


class _Bounds(TypedDict, total=False):
    """Keyword arguments of :class:`FieldSpec` shared by several columns (typed for ``**`` unpacking)."""

    minimum: float
    maximum: float
    unit: str


_U_BOUNDS: _Bounds = {"minimum": 0.05, "maximum": 6.0, "unit": "W/(m2 K)"}
_KWH: _Bounds = {"minimum": 0.0, "unit": "kWh"}

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("building_id", "str", True, max_length=100, aliases=("identyfikator", "id budynku", "id", "nr budynku"),
              description="the city's own identifier, unique in the inventory"),
    FieldSpec("name", "str", True, max_length=300, aliases=("nazwa", "nazwa budynku", "nazwa obiektu")),
    FieldSpec("address", "str", max_length=300, aliases=("adres", "adres budynku")),
    FieldSpec("lat", "float", minimum=-90, maximum=90, unit="deg", aliases=("szerokosc geograficzna", "szerokosc", "lat wgs84")),
    FieldSpec("lon", "float", minimum=-180, maximum=180, unit="deg", aliases=("dlugosc geograficzna", "dlugosc", "lon wgs84")),
    FieldSpec("building_type", "enum", True, choices=BUILDING_TYPES, aliases=("typ budynku", "rodzaj budynku", "typ", "rodzaj")),
    FieldSpec("construction_year", "year", True, minimum=OLDEST_YEAR, unit="year", aliases=("rok budowy",)),
    # at least 1 m2: below it there is no room to heat, and areas such as 5e-324 m2 underflow the balance
    FieldSpec("heated_area_m2", "float", True, minimum=1, maximum=1e6, max_exclusive=True, unit="m2",
              aliases=("powierzchnia ogrzewana", "pow ogrzewana", "powierzchnia ogrzewana m2")),
    FieldSpec("storeys", "int", True, minimum=1, maximum=100, unit="-", aliases=("liczba kondygnacji", "kondygnacje", "liczba pieter")),
    FieldSpec("heating_system", "enum", True, choices=HEATING_SYSTEMS, aliases=("system grzewczy", "zrodlo ciepla", "ogrzewanie")),
    FieldSpec("dhw_system", "enum", choices=HEATING_SYSTEMS, aliases=("system cwu", "zrodlo cwu", "cwu", "ciepla woda uzytkowa")),
    FieldSpec("ventilation_system", "enum", choices=VENTILATION_SYSTEMS,
              aliases=("wentylacja", "system wentylacji", "rodzaj wentylacji"),
              description="natural (stack), exhaust, balanced, balanced_hr (with heat recovery); default by type and era"),
    FieldSpec("heat_recovery_efficiency", "float", minimum=0, maximum=MAX_HEAT_RECOVERY, unit="-",
              aliases=("sprawnosc odzysku ciepla", "sprawnosc rekuperacji", "odzysk ciepla"),
              description="seasonal heat-recovery efficiency of a balanced unit, 0..0.95 (0.7 = 70 %)"),
    FieldSpec("u_wall_w_m2k", "float", **_U_BOUNDS, aliases=("u sciany", "u scian", "wspolczynnik u scian")),
    FieldSpec("u_roof_w_m2k", "float", **_U_BOUNDS, aliases=("u dachu", "u stropodachu", "wspolczynnik u dachu")),
    FieldSpec("u_window_w_m2k", "float", **_U_BOUNDS, aliases=("u okien", "wspolczynnik u okien")),
    FieldSpec("window_to_wall_ratio", "float", minimum=0, maximum=0.95, unit="-",
              aliases=("udzial okien", "wskaznik przeszklenia", "udzial przeszklen")),
    FieldSpec("wall_retrofit_year", "year", minimum=OLDEST_YEAR, unit="year", aliases=("rok docieplenia scian", "rok termomodernizacji scian")),
    FieldSpec("roof_retrofit_year", "year", minimum=OLDEST_YEAR, unit="year", aliases=("rok docieplenia dachu", "rok termomodernizacji dachu")),
    FieldSpec("window_retrofit_year", "year", minimum=OLDEST_YEAR, unit="year", aliases=("rok wymiany okien",)),
    FieldSpec("roof_area_m2", "float", minimum=0, maximum=1e6, min_exclusive=True, unit="m2", aliases=("powierzchnia dachu",)),
    FieldSpec("roof_type", "enum", choices=ROOF_TYPES, aliases=("typ dachu", "rodzaj dachu")),
    FieldSpec("roof_tilt_deg", "float", minimum=0, maximum=90, unit="deg", aliases=("nachylenie dachu", "kat nachylenia dachu")),
    FieldSpec("roof_azimuth_deg", "float", minimum=0, maximum=360, unit="deg",
              aliases=("azymut dachu", "orientacja dachu"), description="0 = north, 90 = east, 180 = south"),
    FieldSpec("roof_shading_factor", "float", minimum=0, maximum=1, unit="-", aliases=("zacienienie dachu", "wspolczynnik zacienienia")),
    FieldSpec("existing_pv_kwp", "float", minimum=0, maximum=1e5, unit="kWp", aliases=("istniejaca instalacja pv", "moc pv", "fotowoltaika")),
    FieldSpec("metered_year", "year", minimum=OLDEST_METERED_YEAR, unit="year", aliases=("rok pomiaru", "rok zuzycia")),
    FieldSpec("metered_heat_kwh", "float", **_KWH, aliases=("zuzycie ciepla", "zuzycie ciepla kwh")),
    FieldSpec("metered_electricity_kwh", "float", **_KWH, aliases=("zuzycie energii elektrycznej", "zuzycie pradu")),
    FieldSpec("metered_gas_kwh", "float", **_KWH, aliases=("zuzycie gazu",)),
    FieldSpec("metered_district_heat_kwh", "float", **_KWH, aliases=("zuzycie ciepla sieciowego",)),
    FieldSpec("district_heat_network", "enum", choices=DISTRICT_HEAT_NETWORKS, aliases=("typ sieci cieplowniczej", "zrodlo ciepla sieciowego"),
              description="type of the heat network's source, for its w_i (Dz.U. 2023 poz. 697)"),
    FieldSpec("district_heat_w_primary", "float", minimum=0, maximum=5, unit="-", aliases=("wi ciepla sieciowego", "wspolczynnik wi sieci"),
              description="network's declared non-renewable primary energy factor (takes precedence)"),
    FieldSpec("district_heat_co2_kg_per_kwh", "float", minimum=0, maximum=2, unit="kg/kWh", aliases=("emisyjnosc ciepla sieciowego",),
              description="network's declared CO2 factor"),
)  # fmt: skip

FIELD_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)
RETROFIT_YEARS = ("wall_retrofit_year", "roof_retrofit_year", "window_retrofit_year")
METERED_VALUES = (
    "metered_heat_kwh",
    "metered_electricity_kwh",
    "metered_gas_kwh",
    "metered_district_heat_kwh",
)

_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ²³", "acelnoszzACELNOSZZ23")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|[\[\]()]")
_SEPARATORS = re.compile(r"[\s_\-./:]+")


def normalise_header(header: object) -> str:
    """Fold a header for matching: lower case, no Polish diacritics, units in brackets dropped.

    ``"Powierzchnia ogrzewana [m²]"`` and ``"powierzchnia_ogrzewana"`` both become
    ``"powierzchnia ogrzewana"``; ``"heated_area_m2"`` becomes ``"heated area m2"``.
    """
    text = str(header).replace("\ufeff", "").translate(_FOLD).lower()
    text = _BRACKETS.sub(" ", text)
    return _SEPARATORS.sub(" ", text).strip()


HEADER_ALIASES: dict[str, str] = {}
for _spec in FIELDS:
    for _alias in (_spec.name, *_spec.aliases):
        HEADER_ALIASES[normalise_header(_alias)] = _spec.name

#: Polish values accepted in enum columns (matched after :func:`normalise_enum`).
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "building_type": {
        "szkola": "school", "szkola podstawowa": "school", "liceum": "school", "technikum": "school",
        "przedszkole": "kindergarten", "zlobek": "kindergarten",
        "biuro": "office", "urzad": "office", "budynek biurowy": "office", "administracja": "office",
        "ochrona zdrowia": "healthcare", "przychodnia": "healthcare", "szpital": "healthcare",
        "hala sportowa": "sports_hall", "sport": "sports_hall", "basen": "sports_hall",
        "kultura": "culture", "dom kultury": "culture", "biblioteka": "culture", "muzeum": "culture", "teatr": "culture",
        "mieszkalnictwo socjalne": "social_housing", "budynek socjalny": "social_housing",
        "mieszkania komunalne": "social_housing", "budynek komunalny": "social_housing",
        "inne": "other", "inny": "other",
    },
    "heating_system": {
        "kociol weglowy": "coal_boiler", "wegiel": "coal_boiler",
        "kociol gazowy": "gas_boiler", "gaz": "gas_boiler",
        "kociol olejowy": "oil_boiler", "olej": "oil_boiler",
        "kociol na biomase": "biomass_boiler", "biomasa": "biomass_boiler", "pellet": "biomass_boiler",
        "cieplo sieciowe": "district_heating", "siec cieplownicza": "district_heating", "msc": "district_heating",
        "pompa ciepla powietrzna": "heat_pump_air", "pompa ciepla powietrze woda": "heat_pump_air",
        "pompa ciepla gruntowa": "heat_pump_ground", "pompa ciepla solanka woda": "heat_pump_ground",
        "elektryczne": "electric", "ogrzewanie elektryczne": "electric", "prad": "electric",
    },
    "ventilation_system": {
        "grawitacyjna": "natural", "naturalna": "natural", "wentylacja grawitacyjna": "natural",
        "wywiewna": "exhaust", "mechaniczna wywiewna": "exhaust", "wentylacja wywiewna": "exhaust",
        "nawiewno wywiewna": "balanced", "mechaniczna nawiewno wywiewna": "balanced",
        "rekuperacja": "balanced_hr", "z rekuperacja": "balanced_hr", "z odzyskiem ciepla": "balanced_hr",
        "nawiewno wywiewna z odzyskiem ciepla": "balanced_hr", "rekuperator": "balanced_hr",
    },
    "roof_type": {"plaski": "flat", "stropodach": "flat", "skosny": "pitched", "spadzisty": "pitched"},
}  # fmt: skip
ENUM_ALIASES["dhw_system"] = ENUM_ALIASES["heating_system"]


def normalise_enum(value: str) -> str:
    """Fold an enum value for matching: lower case, no diacritics, separators collapsed to spaces."""
    return _SEPARATORS.sub(" ", value.translate(_FOLD).lower()).strip()


def enum_lookup(spec: FieldSpec) -> dict[str, str]:
    """Map every accepted spelling (folded) of an enum field onto its canonical value."""
    lookup = {normalise_enum(c): c for c in spec.choices}
    lookup.update(ENUM_ALIASES.get(spec.name, {}))
    return lookup
