"""Exports a Polish office opens cleanly: excel-pl CSV, readable XLSX, no formula injection anywhere."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from service.exports import Sheet, csv_bytes, xlsx_bytes
from tests.service.test_assessments_api import demo_csv, run_assessment

EVIL = "=cmd|' /C calc'!A0"
FRAME = pd.DataFrame(
    {
        "building_id": ["A1", "B2", "C3"],
        "name": [EVIL, "+48 81 466 00 00", "Szkoła Podstawowa nr 4 im. Józefa Czechowicza"],
        "building_type": ["school", "kindergarten", "office"],
        "construction_year": [1912, 1975, 2023],
        "heated_area_m2": [3850.0, 57749.99999999169, 1234.56],
        "co2_t_per_year": [313.0758741517791, 1.04, None],
        "model_to_meter_gas": [1.23456, None, 0.5],
    }
)


def test_excel_pl_csv_is_bom_semicolon_decimal_comma_with_polish_headers() -> None:
    raw = csv_bytes(FRAME, "excel-pl", "pl")
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel reads Polish letters"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Identyfikator budynku", "Nazwa", "Rodzaj budynku", "Rok budowy", "Powierzchnia ogrzewana [m²]",
        "Emisja CO₂ [t/rok]", "Stosunek model/licznik, gaz",
    ]  # fmt: skip
    assert all(len(r) == 7 for r in rows), "one column per field under the semicolon dialect"
    assert rows[1][4] == "3850,0" and rows[2][4] == "57750,0" and rows[1][5] == "313,1"
    assert rows[1][3] == "1912" and rows[3][5] == "" and rows[1][6] == "1,23"
    assert rows[1][2] == "szkoła" and rows[2][2] == "przedszkole", "codes translated for a person"
    assert rows[3][1] == "Szkoła Podstawowa nr 4 im. Józefa Czechowicza"


def test_plain_csv_keeps_machine_names_and_full_precision() -> None:
    frame = pd.read_csv(io.BytesIO(csv_bytes(FRAME)))
    assert list(frame.columns) == list(FRAME.columns)
    assert frame["heated_area_m2"][1] == 57749.99999999169
    assert frame["building_type"][0] == "school"


@pytest.mark.parametrize("dialect", ["plain", "excel-pl"])
def test_csv_neutralises_formula_cells(dialect: str) -> None:
    text = csv_bytes(FRAME, dialect).decode("utf-8-sig")
    sep = ";" if dialect == "excel-pl" else ","
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=sep) for c in row]
    assert f"'{EVIL}" in cells and "'+48 81 466 00 00" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    # a negative number is a number, not a formula: it is not prefixed
    neg = csv_bytes(pd.DataFrame({"npv_pln": [-1500.5]}), dialect).decode("utf-8-sig")
    assert "'" not in neg


@pytest.mark.parametrize(("lang", "header"), [("pl", "Emisja CO₂ [t/rok]"), ("en", "CO₂ emissions [t/yr]"),
                                              ("uk", "Викиди CO₂ [t/рік]")])  # fmt: skip
def test_xlsx_is_a_workbook_a_person_reads(lang: str, header: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Sheet("Budynki", FRAME)], lang)))
    ws = book["Budynki"]
    headers = [c.value for c in ws[1]]
    assert header in headers
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G4"
    name = ws.cell(row=2, column=2)
    assert name.value == EVIL and name.data_type == "s", "text stays text, never a formula"
    area = ws.cell(row=3, column=5)
    assert area.value == 57750.0 and area.number_format == "#,##0.0", "rounded, grouped, no float noise"
    assert ws.cell(row=2, column=4).number_format == "0", "years are not grouped as 1 912"
    assert ws.column_dimensions["C"].width >= 10
    assert ws.cell(row=1, column=1).font.bold


def test_assessment_exports_through_the_api_are_injection_safe(client, tenants) -> None:  # type: ignore[no-untyped-def]
    text = demo_csv(2).decode()
    lines = text.splitlines()
    head = lines[0].split(",")
    first = lines[1].split(",")
    first[head.index("name")] = '"=HYPERLINK(""http://evil"",""x"")"'
    body = "\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n"
    r = client.post("/v1/inventories?name=evil", content=body.encode(),
                    headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 201, r.text
    inv = r.json()["inventory"]["id"]
    job = run_assessment(client, tenants, inv)
    h = tenants.h(tenants.city_key)
    for dialect in ("plain", "excel-pl"):
        got = client.get(job["result_url"] + f"?format=csv&dialect={dialect}", headers=h)
        assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
        assert "'=HYPERLINK" in got.content.decode("utf-8-sig")
    xlsx = client.get(job["result_url"] + "?format=xlsx", headers=h)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Budynki"]
    names = [c for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert names and all(c.data_type == "s" for c in names)
    inv_csv = client.get(f"/v1/inventories/{inv}/versions/1?format=csv&dialect=excel-pl", headers=h)
    assert inv_csv.content.startswith(b"\xef\xbb\xbf") and b";" in inv_csv.content.splitlines()[0]
    assert "'=HYPERLINK" in inv_csv.content.decode("utf-8-sig")


def test_every_export_header_is_translated(client, tenants) -> None:  # type: ignore[no-untyped-def]
    """The columns of a real assessment and a real plan (whatever the engine adds) all have pl/en/uk
    headers in the catalogue: a new engine column without a translation fails here."""
    from service.exports.labels import column_msgids
    from service.i18n import LANGS
    from service.i18n.catalogue import catalogue
    from tests.service.test_assessments_api import create_inventory
    from tests.service.test_portfolios_api import run

    inv = create_inventory(client, tenants, 4)
    job = run_assessment(client, tenants, inv)
    h = tenants.h(tenants.city_key)
    keys = set(
        pd.read_csv(io.BytesIO(client.get(job["result_url"] + "?format=csv", headers=h).content)).columns
    )
    plan = run(client, tenants, {"name": "P", "inventory_id": inv, "budget_pln": 2e6,
                                 "programmes": [{"programme_id": "thermo_bonus_2024", "share_of_eligible_cost": 0.26, "thermo_bonus_rules": True}]})  # fmt: skip
    keys |= set(pd.read_csv(io.BytesIO(client.get(plan["url"] + "?format=csv", headers=h).content)).columns)
    wanted = {m for k in keys for m in column_msgids(k)}
    for lang in LANGS:
        missing = sorted(f"{c}:{m}" for c, m in wanted if (m, c) not in catalogue(lang).messages)
        assert not missing, f"{lang}: {missing}"
