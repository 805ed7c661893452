"""Inventory intake: formats, Polish headers, every bad input of issue 2 that is parsing-level."""

from pathlib import Path

import pytest
from numpy.testing import assert_allclose, assert_array_equal

from energy.inventory.columns import COLUMNS, current_year
from energy.inventory.parsing import (
    XLSX,
    InventoryFormatError,
    InventoryTooLarge,
    InventoryValidationError,
    parse_inventory,
)
from tests.energy.test_geo import FOREIGN_TOWNS, POLISH_TOWNS

DATA = Path(__file__).parents[1] / "data" / "inventory"
HEADER = "building_id,name,building_type,construction_year,heated_area_m2,storeys,heating_system"
GOOD_ROW = "B1,Szkoła,school,1965,2400,3,gas_boiler"


def parse(name: str, content_type: str = "text/csv", **kw):
    return parse_inventory((DATA / name).read_bytes(), content_type=content_type, max_rows=1000, **kw)


def csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def issues(found, field=None):
    return {(i.row, i.field, i.value) for i in found if field is None or i.field == field}


# --- formats -----------------------------------------------------------------------------------


def test_semicolon_csv_with_bom_polish_headers_and_decimal_comma_is_valid():
    parsed = parse("polish_semicolon.csv", "text/csv; charset=utf-8")
    assert parsed.errors == []
    b = parsed.buildings
    assert list(b.columns) == list(COLUMNS)
    assert b["building_id"].tolist() == ["SP-23", "P-80"]
    assert b["address"].tolist() == ["ul. Radości 13, Lublin", "ul. Jana Pawła II 5; Lublin"]
    assert b["building_type"].tolist() == ["school", "kindergarten"]  # Polish enum values, any case
    assert b["heating_system"].tolist() == ["district_heating", "heat_pump_air"]
    assert b["roof_type"].tolist() == ["flat", "pitched"]
    assert_allclose(b["heated_area_m2"], [6120.5, 1650.0])  # "6 120,5": space thousands, decimal comma
    assert_allclose(b["lat"], [51.2262, 51.2184])
    assert_allclose(b["u_wall_w_m2k"], [0.25, 0.2])  # header "U ścian [W/(m2K)]"
    assert_allclose(b["metered_district_heat_kwh"].iloc[0], 612300.0)
    assert str(b["construction_year"].dtype) == "Int64" and str(b["heated_area_m2"].dtype) == "float64"
    assert_array_equal(parsed.source_rows, [2, 3])


def test_json_list_and_wrapped_shapes_give_the_same_buildings():
    wrapped = parse("buildings.json", "application/json")
    import json

    plain = json.dumps(json.loads((DATA / "buildings.json").read_text())["buildings"]).encode()
    listed = parse_inventory(plain, content_type="application/json", max_rows=10)
    assert wrapped.errors == listed.errors == []
    assert wrapped.buildings.equals(listed.buildings)
    assert_allclose(wrapped.buildings["heated_area_m2"], [3200.5, 2100.0])
    assert_array_equal(wrapped.source_rows, [1, 2])  # JSON rows: list index + 1


def test_xlsx_sheet_named_budynki_is_used_and_text_cells_may_use_decimal_comma():
    parsed = parse("budynki_sheet.xlsx", XLSX)
    assert parsed.errors == []
    assert parsed.buildings["building_id"].tolist() == ["K-1", "K-2"]
    assert_allclose(parsed.buildings["heated_area_m2"], [2150.0, 640.5])
    assert parsed.buildings["heating_system"].tolist() == ["district_heating"] * 2


def test_octet_stream_upload_is_recognised_by_file_name():
    parsed = parse("bad_values.csv", "application/octet-stream", filename="budynki.CSV")
    assert parsed.source_format == "csv"


# --- unreadable submissions -------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "image/png", "application/xml", ""])
def test_wrong_content_type_is_a_format_error(content_type):
    with pytest.raises(InventoryFormatError, match="content type") as err:
        parse_inventory(csv(GOOD_ROW), content_type=content_type, max_rows=10)
    assert isinstance(err.value, ValueError) and err.value.issues[0].value == content_type


def test_broken_quoting_names_the_row_where_the_quote_opens():
    with pytest.raises(InventoryFormatError) as err:
        parse("broken_quoting.csv")
    assert [(i.row, i.reason) for i in err.value.issues] == [
        (2, "broken quoting: a quoted cell is never closed")
    ]


def test_row_with_too_many_fields_is_a_format_error_with_its_row():
    with pytest.raises(InventoryFormatError) as err:
        parse_inventory(
            csv(GOOD_ROW, GOOD_ROW.replace("B1", "B2") + ",extra"), content_type="text/csv", max_rows=9
        )
    assert err.value.issues[0].row == 3


def test_xlsx_missing_required_column_is_a_format_error():
    with pytest.raises(InventoryFormatError, match="heated_area_m2") as err:
        parse("missing_column.xlsx", XLSX)
    assert issues(err.value.issues) == {(1, "heated_area_m2", None)}


@pytest.mark.parametrize(
    ("content", "content_type", "fragment"),
    [
        (b"", "text/csv", "empty"),
        (b"  \n", "application/json", "empty"),
        (HEADER.encode() + b"\n", "text/csv", "no buildings"),
        (b"[]", "application/json", "no buildings"),
        (b'[{"building_id": "A",', "application/json", "malformed JSON"),
        (b'{"budynki": []}', "application/json", "wrong JSON shape"),
        (b"[1, 2]", "application/json", "wrong JSON shape"),
        (b"PK\x03\x04 not really a zip", XLSX, "unreadable XLSX"),
        (b"\xff\xfe\x00\x00", "application/json", "malformed JSON"),
    ],
)
def test_unreadable_submissions(content, content_type, fragment):
    with pytest.raises(InventoryFormatError, match=fragment):
        parse_inventory(content, content_type=content_type, max_rows=10)


def test_nested_json_values_are_rejected_with_row_and_field():
    body = b'[{"building_id": "A", "name": {"pl": "x"}, "storeys": true}]'
    with pytest.raises(InventoryFormatError) as err:
        parse_inventory(body, content_type="application/json", max_rows=10)
    assert issues(err.value.issues) == {(1, "name", None), (1, "storeys", None)}


def test_same_field_twice_under_two_names_is_a_format_error():
    with pytest.raises(InventoryFormatError, match="given twice"):
        parse_inventory(
            csv(GOOD_ROW + ",1", header=HEADER + ",liczba kondygnacji"), content_type="text/csv", max_rows=9
        )


def test_60000_rows_are_too_large():
    body = "\n".join([HEADER, *[f"B{i},Szkoła,school,1965,2400,3,gas_boiler" for i in range(60_000)]])
    with pytest.raises(InventoryTooLarge, match="60000 buildings") as err:
        parse_inventory(body.encode(), content_type="text/csv", max_rows=50_000)
    assert isinstance(err.value, ValueError)
    with pytest.raises(InventoryTooLarge):
        parse_inventory(b"x" * 101, content_type="text/csv", max_rows=10, max_bytes=100)


# --- cell errors: every one at once -----------------------------------------------------------


def test_every_bad_value_is_reported_with_row_field_value_and_reason():
    parsed = parse("bad_values.csv")
    found = {(i.row, i.field, i.value): i.reason for i in parsed.errors}
    assert set(found) == {
        (3, "building_id", "A1"),
        (4, "construction_year", "3000"),
        (5, "heated_area_m2", "-150"),
        (6, "heated_area_m2", "NaN"),
        (6, "heating_system", "nuclear_boiler"),
        (7, "heated_area_m2", "1e309"),
        (7, "u_wall_w_m2k", "abc"),
        (7, "wall_retrofit_year", "1960"),
        (8, "storeys", "2.5"),
        (8, "lat", "54.71"),  # Kaliningrad: inside the bounding box, outside the border polygon
    }
    assert found[(3, "building_id", "A1")] == "duplicate building_id: first used in row 2"
    assert found[(4, "construction_year", "3000")] == f"must be >= 1200 and <= {current_year()}"
    assert "not a finite number" in found[(7, "heated_area_m2", "1e309")]
    assert "text in a numeric column" in found[(7, "u_wall_w_m2k", "abc")]
    assert "before construction_year" in found[(7, "wall_retrofit_year", "1960")]
    assert "expected one of" in found[(6, "heating_system", "nuclear_boiler")]
    with pytest.raises(InventoryValidationError, match="10 invalid"):
        parsed.raise_for_errors()


def test_nan_infinity_and_overflow_in_json_are_errors_as_written():
    parsed = parse("bad_numbers.json", "application/json")
    assert issues(parsed.errors) == {
        (1, "heated_area_m2", "NaN"),
        (2, "heated_area_m2", "1e309"),
        (3, "heated_area_m2", "-Infinity"),
    }


def test_missing_required_values_and_blank_lines_keep_spreadsheet_row_numbers():
    body = csv(GOOD_ROW, "", "B2,,school,1965,,3,gas_boiler", ",,,,,,")
    parsed = parse_inventory(body, content_type="text/csv", max_rows=10)
    assert issues(parsed.errors) == {(4, "name", None), (4, "heated_area_m2", None)}
    assert_array_equal(parsed.source_rows, [2, 4])


def test_comma_file_does_not_accept_decimal_comma_and_lat_needs_lon():
    body = csv('B1,Szkoła,school,1965,"2400,5",3,gas_boiler,52.1,', header=HEADER + ",lat,lon")
    parsed = parse_inventory(body, content_type="text/csv", max_rows=10)
    assert issues(parsed.errors) == {(2, "heated_area_m2", "2400,5"), (2, "lon", None)}


def test_validation_is_complete_on_a_large_file():
    rows = [f"B{i},S,school,{3000 if i % 1000 == 0 else 1965},2400,3,gas_boiler" for i in range(20_000)]
    parsed = parse_inventory(csv(*rows), content_type="text/csv", max_rows=50_000)
    assert [i.row for i in parsed.errors] == [i + 2 for i in range(0, 20_000, 1000)]


# --- warnings -----------------------------------------------------------------------------------


def test_plausibility_findings_are_warnings_not_errors():
    header = HEADER + ",roof_area_m2,roof_type,roof_tilt_deg"
    body = csv(
        "K1,Przedszkole,kindergarten,1975,2400,12,gas_boiler,,,",  # 12-storey kindergarten
        "K2,Kiosk,other,1990,10,2,electric,,,",  # 5 m2 per storey
        "K3,Kamienica,culture,1750,900,3,gas_boiler,,,",  # built before 1800
        "K4,Hala,sports_hall,2005,1000,1,gas_boiler,1600,flat,30",  # roof 1.6 x footprint, steep flat roof
        header=header,
    )
    parsed = parse_inventory(body, content_type="text/csv", max_rows=10)
    assert parsed.errors == []
    by_cell = {(w.row, w.field) for w in parsed.warnings}
    assert {(2, "storeys"), (3, "heated_area_m2"), (4, "construction_year"), (5, "roof_area_m2")} <= by_cell
    assert (5, "roof_tilt_deg") in by_cell
    no_coordinates = [w for w in parsed.warnings if w.row is None and w.field == "lat"]
    assert len(no_coordinates) == 1 and "4 building(s)" in no_coordinates[0].reason


def test_unknown_columns_are_ignored_with_a_warning():
    parsed = parse_inventory(
        csv(GOOD_ROW + ",x", header=HEADER + ",uwagi"), content_type="text/csv", max_rows=9
    )
    assert [(w.row, w.field, w.reason) for w in parsed.warnings if w.row == 1] == [
        (1, "uwagi", "unknown column, ignored")
    ]


# --- Poland --------------------------------------------------------------------------------------


def test_intake_accepts_polish_border_towns_and_rejects_the_towns_across():
    # the same boundary as the engine (energy.geo): a school accepted here is assessed there
    towns = {**POLISH_TOWNS, **FOREIGN_TOWNS}
    rows = [f"T{i},Szkoła {name},school,1965,2400,3,gas_boiler,{la},{lo}" for i, (name, (la, lo, _)) in enumerate(towns.items())]  # fmt: skip
    parsed = parse_inventory(csv(*rows, header=HEADER + ",lat,lon"), content_type="text/csv", max_rows=100)
    first_foreign = len(POLISH_TOWNS) + 2  # spreadsheet row of the first foreign town
    assert issues(parsed.errors) == {
        (row, "lat", str(FOREIGN_TOWNS[name][0]))
        for row, name in enumerate(FOREIGN_TOWNS, start=first_foreign)
    }
    assert all("is not in Poland" in i.reason and "PRG" in i.reason for i in parsed.errors)


def test_ventilation_in_polish_and_a_recovery_efficiency_without_a_recovery_unit():
    header = HEADER + ",rodzaj wentylacji,sprawność odzysku ciepła"
    body = csv(
        "B1,Szkoła,school,1965,2400,3,gas_boiler,Nawiewno-wywiewna z odzyskiem ciepła,0.75",
        "B2,Przedszkole,kindergarten,1975,900,2,gas_boiler,grawitacyjna,0.6",
        "B3,Urząd,office,1990,1500,3,gas_boiler,wentylacja kominowa,",
        "B4,Hala,sports_hall,2010,1500,1,gas_boiler,,0.97",
        header=header,
    )
    parsed = parse_inventory(body, content_type="text/csv", max_rows=10)
    found = {(i.row, i.field, i.value): i.reason for i in parsed.errors}
    assert set(found) == {
        (3, "heat_recovery_efficiency", "0.6"),
        (4, "ventilation_system", "wentylacja kominowa"),
        (5, "heat_recovery_efficiency", "0.97"),
    }
    assert "needs ventilation_system balanced_hr" in found[(3, "heat_recovery_efficiency", "0.6")]
    assert "expected one of" in found[(4, "ventilation_system", "wentylacja kominowa")]
    assert found[(5, "heat_recovery_efficiency", "0.97")] == "must be >= 0 and <= 0.95"
    good = parse_inventory(
        csv(*body.decode().splitlines()[1:2], header=header), content_type="text/csv", max_rows=10
    )
    assert good.errors == []
    assert good.buildings.loc[0, "ventilation_system"] == "balanced_hr"
    assert good.buildings.loc[0, "heat_recovery_efficiency"] == 0.75
