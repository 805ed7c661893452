"""Version diff and exports: round trips through CSV, XLSX and JSON are no change; edits are found."""

import json
from pathlib import Path

import pandas as pd
import pytest

from energy.inventory.parsing import CSV, JSON, XLSX, parse_inventory
from service.inventory.diff import diff_inventories
from service.inventory.export import to_csv_bytes, to_records, to_xlsx_bytes

DEMO = Path(__file__).parents[2] / "service" / "demo" / "demo_city.csv"


@pytest.fixture(scope="module")
def demo():
    parsed = parse_inventory(DEMO.read_bytes(), content_type=CSV, max_rows=50_000)
    assert parsed.errors == [] and len(parsed.buildings) == 40
    return parsed.buildings


@pytest.mark.parametrize(
    ("export", "content_type"),
    [
        (to_csv_bytes, CSV),
        (lambda df: to_csv_bytes(df, "excel-pl"), CSV),
        (to_xlsx_bytes, XLSX),
        (lambda df: json.dumps(to_records(df)).encode(), JSON),
    ],
    ids=["csv", "csv-polish-excel", "xlsx", "json"],
)
def test_every_export_parses_back_to_the_same_inventory(demo, export, content_type):
    again = parse_inventory(export(demo), content_type=content_type, max_rows=50_000)
    assert again.errors == []
    assert diff_inventories(demo, again.buildings) == {"added": [], "removed": [], "changed": []}


def test_records_are_json_ready(demo):
    records = to_records(demo)
    first = records[0]
    assert first["building_id"] == "LUB-ADM-001" and first["construction_year"] == 1828
    assert type(first["construction_year"]) is int and type(first["heated_area_m2"]) is float
    assert first["wall_retrofit_year"] is None and first["dhw_system"] == "district_heating"
    json.dumps(records, allow_nan=False)  # no NaN leaks out


def test_added_removed_and_changed_fields(demo):
    new = demo.copy()
    new = new[new["building_id"] != "LUB-SP-007"]  # demolished
    # SP-008 had no U-value in the demo file: an added value is a change from None
    new.loc[new["building_id"] == "LUB-SP-008", ["heating_system", "u_wall_w_m2k"]] = [
        "heat_pump_ground",
        0.2,
    ]
    new.loc[new["building_id"] == "LUB-PR-018", "wall_retrofit_year"] = 2024
    new.loc[new["building_id"] == "LUB-KU-033", "address"] = None
    extra = demo[demo["building_id"] == "LUB-ADM-001"].assign(building_id="LUB-ADM-099", name="Nowy urząd")
    new = pd.concat([new, extra], ignore_index=True)
    diff = diff_inventories(demo, new)
    assert diff["added"] == ["LUB-ADM-099"]
    assert diff["removed"] == ["LUB-SP-007"]
    assert diff["changed"] == [
        {"building_id": "LUB-SP-008", "fields": {"heating_system": ["district_heating", "heat_pump_ground"],
                                                 "u_wall_w_m2k": [None, 0.2]}},
        {"building_id": "LUB-PR-018", "fields": {"wall_retrofit_year": [None, 2024]}},
        {"building_id": "LUB-KU-033", "fields": {"address": ["ul. Grodzka 5a", None]}},
    ]  # fmt: skip


def test_diff_accepts_records_and_tolerates_float_noise():
    old = [{"building_id": "A", "heated_area_m2": 0.1 + 0.2}, {"building_id": "B", "storeys": 2}]
    new = [{"building_id": "B", "storeys": 3}, {"building_id": "A", "heated_area_m2": 0.3}]
    assert diff_inventories(old, new) == {
        "added": [],
        "removed": [],
        "changed": [{"building_id": "B", "fields": {"storeys": [2, 3]}}],
    }


def test_diff_needs_unique_ids():
    with pytest.raises(ValueError, match="unique"):
        diff_inventories([{"building_id": "A"}, {"building_id": "A"}], [])
    with pytest.raises(ValueError, match="building_id"):
        diff_inventories([{"id": "A"}], [])
