"""Build the packaged reference dataset from the compiled city observations.

Run once by a maintainer (not at run time, not in tests)::

    python integration/data/readiness/build_reference.py ../shared/data/readiness_pl

It reads ``cities_long.csv`` and ``cities.csv`` from the given folder and writes
``reference_values.csv`` (long: teryt, indicator, value, unit, year, reference_date, source,
confidence, note) and ``cities.csv`` (teryt, city, ump_member, bdl ids) next to this file.
Only framework indicator codes are written; every value keeps the source it came from, and
derived values (unit conversions, ratios) name their inputs in ``note``. Nothing is filled in.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent

# source indicator -> (framework code, multiplier, unit)
DIRECT = {
    "population_latest": ("population", 1.0, "persons"),
    "dwellings_per_1000": ("dwellings_per_1000", 1.0, "dwellings per 1000 persons"),
    "floor_area_per_person_m2": ("floor_area_per_person_m2", 1.0, "m2 per person"),
    "dwellings_completed_per_1000": ("dwellings_completed_per_1000", 1.0, "dwellings per 1000 persons"),
    "social_assistance_beneficiaries_pct_pop": (
        "social_assistance_beneficiaries_per_10k",
        100.0,
        "persons per 10000 persons",
    ),
    "pesel_ukr_active_refugees": ("pesel_ukr_active_refugees", 1.0, "persons"),
    "ump2022_added_residents": ("ump2022_added_residents", 1.0, "persons"),
}


def read_long(folder: Path) -> pd.DataFrame:
    """Read cities_long.csv; one row has an unquoted comma in its note, re-joined here."""
    with open(folder / "cities_long.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [r[: width - 1] + [",".join(r[width - 1 :])] for r in body]
    frame = pd.DataFrame(body, columns=header)
    frame["reference_date"] = frame["year"]
    frame["year"] = pd.to_numeric(frame["year"].str.slice(0, 4), errors="coerce").astype("Int64")
    return frame


def direct_values(raw: pd.DataFrame) -> pd.DataFrame:
    picked = raw[raw["indicator"].isin(DIRECT)].copy()
    mapping = picked["indicator"].map(DIRECT)
    picked["value"] = pd.to_numeric(picked["value"]) * mapping.str[1]
    picked["unit"] = mapping.str[2]
    converted = mapping.str[1] != 1.0
    picked.loc[converted, "note"] = "converted from % of population x 100; " + picked.loc[
        converted, "note"
    ].astype(str)
    picked["indicator"] = mapping.str[0]
    # one value per (city, indicator, year): prefer high confidence, then BDL extracts
    rank = picked["confidence"].map({"high": 0, "medium": 1, "low": 2}).fillna(3)
    picked = picked.assign(_r=rank - picked["source"].str.contains("BDL").astype(int) * 0.5)
    picked = picked.sort_values("_r").drop_duplicates(["teryt", "indicator", "year"]).drop(columns="_r")
    return picked


def unemployed_per_1000(raw: pd.DataFrame) -> pd.DataFrame:
    unemployed = raw[raw["indicator"] == "registered_unemployed"].set_index("teryt")
    population = raw[raw["indicator"] == "population_latest"].set_index("teryt")
    joined = unemployed.join(population[["value", "year", "source"]], rsuffix="_pop", how="inner")
    out = joined.reset_index()[["city", "teryt", "year", "reference_date", "source", "confidence"]].copy()
    out["indicator"] = "registered_unemployed_per_1000"
    out["value"] = (
        pd.to_numeric(joined["value"]).to_numpy() / pd.to_numeric(joined["value_pop"]).to_numpy() * 1000.0
    ).round(2)
    out["unit"] = "persons per 1000 persons"
    out["note"] = (
        "derived: registered unemployed (BDL 33507, "
        + joined["year"].astype(str).to_numpy()
        + ") / population (BDL 72305 or GUS, "
        + joined["year_pop"].astype(str).to_numpy()
        + ") x 1000"
    )
    return out


def integration_centre(raw: pd.DataFrame) -> pd.DataFrame:
    """0-2 ordinal: 2 = CIC operating, 1 = municipal migrant point; 'planned' is not encoded."""
    cic = raw[(raw["indicator"] == "cic_status") & raw["value"].str.startswith("operating")]
    point = raw[raw["indicator"] == "municipal_migrant_point"]
    point = point[~point["teryt"].isin(cic["teryt"])]
    out = pd.concat([cic.assign(value=2.0), point.assign(value=1.0)], ignore_index=True)
    out["note"] = "coded from: " + raw.loc[cic.index.append(point.index), "value"].to_numpy()
    out["indicator"] = "integration_centre"
    out["unit"] = "ordinal 0-2"
    return out


def main(folder: Path) -> None:
    raw = read_long(folder)
    columns = [
        "teryt",
        "indicator",
        "value",
        "unit",
        "year",
        "reference_date",
        "source",
        "confidence",
        "note",
    ]
    parts = [direct_values(raw), unemployed_per_1000(raw), integration_centre(raw)]
    values = pd.concat([p[columns] for p in parts], ignore_index=True)
    values = values.sort_values(["teryt", "indicator", "year"]).reset_index(drop=True)
    values.to_csv(HERE / "reference_values.csv", index=False)

    cities = pd.read_csv(folder / "cities.csv", dtype=str)[
        ["city", "teryt", "ump_member", "bdl_unit_id_powiat"]
    ]
    # level-6 id of the urban gmina of a city with powiat rights: powiat id with gmina 01, kind 1
    cities["bdl_unit_id_gmina"] = cities["bdl_unit_id_powiat"].str.slice(0, 9) + "011"
    cities.to_csv(HERE / "cities.csv", index=False)
    print(f"wrote {len(values)} values for {values['teryt'].nunique()} cities")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/readiness_pl"))
