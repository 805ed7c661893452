"""TERYT (TERC) gmina codes: validation and a small name lookup.

A gmina code of the national register TERYT (GUS, catalogue TERC) has 7 digits ``WWPPGGR``:

- ``WW``: voivodeship, even numbers 02-32 (16 voivodeships since 1999);
- ``PP``: powiat within the voivodeship, 01-99; 61 and above are cities with powiat rights;
- ``GG``: gmina within the powiat, 01-99;
- ``R``: type of unit: 1 urban gmina, 2 rural gmina, 3 urban-rural gmina, 4 the town of an
  urban-rural gmina, 5 the rural area of an urban-rural gmina. 8 (a district of Warsaw) and 9
  (a delegatura of Kraków, Łódź, Poznań or Wrocław) are units *inside* a city, not gminas: they are
  rejected here, with a message that names the city's own code.

A city with powiat rights is a single urban gmina, so its code ends in ``011`` (Warszawa 1465011).

References
----------
GUS, "Krajowy Rejestr Urzędowy Podziału Terytorialnego Kraju TERYT — TERC", rozporządzenie RM
z 15.12.1998 (Dz.U. 1998 nr 157 poz. 1031) as amended; voivodeship codes as in TERC 2025.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOIVODESHIPS = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}
GMINA_TYPES = {
    "1": "urban gmina (gmina miejska)",
    "2": "rural gmina (gmina wiejska)",
    "3": "urban-rural gmina (gmina miejsko-wiejska)",
    "4": "town in an urban-rural gmina (miasto w gminie miejsko-wiejskiej)",
    "5": "rural area of an urban-rural gmina (obszar wiejski w gminie miejsko-wiejskiej)",
}
NOT_GMINA_TYPES = {
    "8": "a district of Warsaw (dzielnica), not a gmina: use Warszawa's code 1465011",
    "9": "a delegatura (district office) of a city, not a gmina: use the city's code ending in 011",
}
CITY_POWIAT_MIN = 61
_NAMES_CSV = Path(__file__).parent / "data" / "teryt_gminas.csv"
_SEPARATORS = re.compile(r"[\s\-]")


class TerytError(ValueError):
    """A TERYT gmina code that is malformed or names no gmina; the message says why."""


@dataclass(frozen=True)
class TerytInfo:
    """The parts of a valid gmina code, with names where known."""

    code: str
    voivodeship_code: str
    voivodeship: str
    powiat_code: str
    gmina_type: str
    gmina_type_name: str
    city_with_powiat_rights: bool
    name: str | None


def validate_teryt(code: object) -> str:
    """Return the normalised 7-digit gmina code, or raise :class:`TerytError` naming the reason.

    Spaces and hyphens are dropped (``"14 65 01 1"`` -> ``"1465011"``); an int loses its leading
    zero, so pass codes as text (``"0663011"``, Lublin).
    """
    if not isinstance(code, str):
        raise TerytError(f"TERYT code must be text of 7 digits, got {type(code).__name__}")
    digits = _SEPARATORS.sub("", code)
    if not digits:
        raise TerytError("TERYT code is empty; a gmina code has 7 digits")
    if not digits.isascii() or not digits.isdigit():
        raise TerytError(f"TERYT code {code!r} must contain digits only")
    if len(digits) != 7:
        raise TerytError(f"TERYT gmina code {code!r} must have 7 digits, it has {len(digits)}")
    woj, powiat, gmina, kind = digits[:2], digits[2:4], digits[4:6], digits[6]
    if woj not in VOIVODESHIPS:
        raise TerytError(f"TERYT code {digits}: {woj} is not a voivodeship code (02, 04, ..., 32)")
    if powiat == "00":
        raise TerytError(f"TERYT code {digits}: powiat 00 does not exist")
    if gmina == "00":
        raise TerytError(f"TERYT code {digits}: gmina 00 does not exist")
    if kind in NOT_GMINA_TYPES:
        raise TerytError(f"TERYT code {digits}: type digit {kind} is {NOT_GMINA_TYPES[kind]}")
    if kind not in GMINA_TYPES:
        raise TerytError(f"TERYT code {digits}: type digit {kind} is not a gmina type (1-5)")
    if int(powiat) >= CITY_POWIAT_MIN and digits[4:] != "011":
        raise TerytError(
            f"TERYT code {digits}: powiat {powiat} is a city with powiat rights, whose gmina code ends in 011"
        )
    return digits


def is_valid_teryt(code: object) -> bool:
    """True if :func:`validate_teryt` accepts ``code``."""
    try:
        validate_teryt(code)
    except TerytError:
        return False
    return True


@cache
def _names() -> dict[str, str]:
    with _NAMES_CSV.open(encoding="utf-8") as f:
        return {row["teryt"]: row["name"] for row in csv.DictReader(f)}


def gmina_name(code: str) -> str | None:
    """Name of a gmina from the packaged list (20 cities, see ``data/teryt_gminas.csv``), else None."""
    return _names().get(validate_teryt(code))


def describe_teryt(code: str) -> TerytInfo:
    """Split a valid gmina code into its parts and names."""
    digits = validate_teryt(code)
    return TerytInfo(
        code=digits,
        voivodeship_code=digits[:2],
        voivodeship=VOIVODESHIPS[digits[:2]],
        powiat_code=digits[:4],
        gmina_type=digits[6],
        gmina_type_name=GMINA_TYPES[digits[6]],
        city_with_powiat_rights=int(digits[2:4]) >= CITY_POWIAT_MIN,
        name=_names().get(digits),
    )
