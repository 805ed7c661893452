"""Inventory intake through the API, on SQLite and PostgreSQL: formats, errors, tenancy, versions."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from service.inventory.schemas import EXAMPLE_BUILDINGS

CSV_SEMICOLON = (
    "building_id;name;building_type;construction_year;heated_area_m2;storeys;heating_system\n"
    "SP-1;Szkoła Podstawowa nr 1;school;1968;4820,5;3;district_heating\n"
    "P-2;Przedszkole nr 2;kindergarten;1985;1180,0;2;gas_boiler\n"
)


def post_json(client, tenants, body, key=None, **kw):  # type: ignore[no-untyped-def]
    return client.post("/v1/inventories", json=body, headers=tenants.h(key or tenants.city_key), **kw)


def count(client, tenants) -> int:  # type: ignore[no-untyped-def]
    return client.get("/v1/inventories", headers=tenants.h(tenants.city_key)).json()["count"]


def test_json_inventory_is_stored_and_readable(client, tenants):
    r = post_json(client, tenants, {"name": "Budynki Lublina", "buildings": EXAMPLE_BUILDINGS})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"]["building_count"] == 2
    assert body["version"]["heated_area_m2"] == pytest.approx(4820.0 + 1180.0)
    inv_id = body["inventory"]["id"]
    got = client.get(f"/v1/inventories/{inv_id}/versions/1", headers=tenants.h(tenants.city_key)).json()
    assert [b["building_id"] for b in got["buildings"]] == ["SP-24", "P-7"]
    assert got["buildings"][0]["heating_system"] == "district_heating"
    assert r.headers["x-request-id"]


def test_semicolon_csv_with_decimal_comma_is_valid(client, tenants):
    r = client.post(
        "/v1/inventories?name=csv",
        content=CSV_SEMICOLON.encode("utf-8-sig"),
        headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"]["heated_area_m2"] == pytest.approx(6000.5)


def test_xlsx_upload_and_exports_round_trip(client, tenants):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "budynki"
    header = [
        "building_id",
        "name",
        "building_type",
        "construction_year",
        "heated_area_m2",
        "storeys",
        "heating_system",
    ]
    ws.append(header)
    ws.append(["A1", "Urząd Miasta", "office", 1975, 3200.0, 4, "district_heating"])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/v1/inventories",
        files={"file": ("budynki.xlsx", buf.getvalue())},
        headers=tenants.h(tenants.city_key),
    )
    assert r.status_code == 201, r.text
    inv = r.json()["inventory"]["id"]
    csv = client.get(f"/v1/inventories/{inv}/versions/1?format=csv", headers=tenants.h(tenants.city_key))
    assert csv.status_code == 200 and "Urząd Miasta" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"/v1/inventories/{inv}/versions/1?format=xlsx", headers=tenants.h(tenants.city_key))
    back = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in back[1]][:2] == ["building_id", "name"]


def test_every_error_reported_at_once_and_nothing_stored(client, tenants):
    bad = [
        {**EXAMPLE_BUILDINGS[0], "heated_area_m2": -5},
        {**EXAMPLE_BUILDINGS[1], "construction_year": 3000, "heating_system": "steam_engine"},
        {**EXAMPLE_BUILDINGS[1]},  # duplicate building_id P-7
    ]
    r = post_json(client, tenants, {"buildings": bad})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert {(1, "heated_area_m2"), (2, "construction_year"), (2, "heating_system")} <= fields
    assert any(e["field"] == "building_id" for e in r.json()["errors"])
    assert count(client, tenants) == 0


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [
        (b'{"buildings": [', "application/json", 422),
        (b"", "text/csv", 422),
        (b'a,b\n"x,1\n', "text/csv", 422),
        (b"<xml/>", "application/xml", 415),
        (b"building_id,name\nA,B\n", "text/csv", 422),
        (b'{"buildings": [{"building_id": "A", "heated_area_m2": NaN}]}', "application/json", 422),
        (b'{"buildings": [{"building_id": "A", "heated_area_m2": 1e309}]}', "application/json", 422),
    ],
)
def test_malformed_bodies_are_4xx_problems(client, tenants, content, ctype, status):
    r = client.post(
        "/v1/inventories", content=content, headers={**tenants.h(tenants.city_key), "Content-Type": ctype}
    )
    assert r.status_code == status, r.text
    assert r.json()["status"] == status
    assert count(client, tenants) == 0


def test_too_many_rows_is_413(client, tenants, app_and_tenants):
    app, _ = app_and_tenants
    app.state.settings.max_buildings = 10
    rows = "\n".join(f"B{i},Budynek {i},office,1990,100,1,gas_boiler" for i in range(11))
    csv = "building_id,name,building_type,construction_year,heated_area_m2,storeys,heating_system\n" + rows
    r = client.post(
        "/v1/inventories",
        content=csv.encode(),
        headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"},
    )
    assert r.status_code == 413
    app.state.settings.max_upload_mb = 0.001
    r = client.post(
        "/v1/inventories",
        content=b"x" * 5000,
        headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"},
    )
    assert r.status_code == 413
    assert count(client, tenants) == 0


def test_plausibility_findings_are_warnings_with_201(client, tenants):
    odd = {**EXAMPLE_BUILDINGS[1], "storeys": 12}
    r = post_json(client, tenants, {"buildings": [odd]})
    assert r.status_code == 201
    warnings = r.json()["version"]["warnings"]
    assert any(w["field"] == "storeys" for w in warnings)


def test_other_tenant_gets_404_and_revoked_key_401(client, tenants):
    inv = post_json(client, tenants, {"buildings": EXAMPLE_BUILDINGS}).json()["inventory"]["id"]
    r = client.get(f"/v1/inventories/{inv}", headers=tenants.h(tenants.other_city_key))
    assert r.status_code == 404
    missing = client.get(
        "/v1/inventories/00000000-0000-0000-0000-000000000000", headers=tenants.h(tenants.city_key)
    )
    assert missing.status_code == 404 and r.json()["title"] == missing.json()["title"]
    assert client.get("/v1/inventories/not-a-uuid", headers=tenants.h(tenants.city_key)).status_code == 422
    assert client.get("/v1/inventories", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/v1/inventories").status_code == 401


def test_advisor_sees_city_data_only_after_grant(client, tenants):
    inv = post_json(client, tenants, {"buildings": EXAMPLE_BUILDINGS}).json()["inventory"]["id"]
    adv = tenants.h(tenants.advisor_key)
    assert client.get(f"/v1/inventories/{inv}", headers=adv).status_code == 404
    g = client.post(
        "/v1/grants",
        json={"advisor_org_id": str(tenants.advisor_id), "access": "read"},
        headers=tenants.h(tenants.city_key),
    )
    assert g.status_code == 201, g.text
    assert client.get(f"/v1/inventories/{inv}", headers=adv).status_code == 200
    # read access cannot start jobs; plan access can
    assert client.post(f"/v1/inventories/{inv}/summary", headers=adv).status_code == 403
    client.post(
        "/v1/grants",
        json={"advisor_org_id": str(tenants.advisor_id), "access": "plan"},
        headers=tenants.h(tenants.city_key),
    )
    assert client.post(f"/v1/inventories/{inv}/summary", headers=adv).status_code == 202
    # an advisor never submits a city's inventory
    assert (
        client.post(
            f"/v1/inventories/{inv}/versions", json={"buildings": EXAMPLE_BUILDINGS}, headers=adv
        ).status_code
        == 403
    )
    assert (
        client.delete(f"/v1/grants/{tenants.advisor_id}", headers=tenants.h(tenants.city_key)).status_code
        == 204
    )
    assert client.get(f"/v1/inventories/{inv}", headers=adv).status_code == 404


def test_versions_and_diff(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = post_json(client, tenants, {"buildings": EXAMPLE_BUILDINGS}).json()["inventory"]["id"]
    changed = [
        {**EXAMPLE_BUILDINGS[0], "heating_system": "heat_pump_air"},
        {**EXAMPLE_BUILDINGS[1], "building_id": "P-8"},
    ]
    r = client.post(f"/v1/inventories/{inv}/versions", json={"buildings": changed}, headers=h)
    assert r.status_code == 201 and r.json()["version"] == 2
    versions = client.get(f"/v1/inventories/{inv}/versions", headers=h).json()
    assert [v["version"] for v in versions] == [1, 2]
    d = client.get(f"/v1/inventories/{inv}/diff?from=1&to=2", headers=h).json()
    assert d["added"] == ["P-8"] and d["removed"] == ["P-7"]
    assert d["changed"][0]["building_id"] == "SP-24"
    assert d["changed"][0]["fields"]["heating_system"] == ["district_heating", "heat_pump_air"]


def test_idempotency_key_replays_first_response(client, tenants):
    h = {**tenants.h(tenants.city_key), "Idempotency-Key": "lublin-2026-11-25-1"}
    body = {"name": "raz", "buildings": EXAMPLE_BUILDINGS}
    first = client.post("/v1/inventories", json=body, headers=h)
    second = client.post("/v1/inventories", json=body, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert count(client, tenants) == 1
    other = client.post("/v1/inventories", json={**body, "name": "dwa"}, headers=h)
    assert other.status_code == 409
    assert count(client, tenants) == 1


def test_problem_json_for_unknown_route_and_method(client, tenants):
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert json.loads(r.text)["type"].endswith("not-found")


def test_concurrent_retries_with_one_key_store_once_and_never_500(app_and_tenants):
    """Six identical POSTs at once with one Idempotency-Key: one inventory, no 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tests.service.browser_util import served

    app, tenants = app_and_tenants
    body = {"name": "race", "buildings": EXAMPLE_BUILDINGS}
    with served(app) as base:
        headers = {**tenants.h(tenants.city_key), "Idempotency-Key": "race-1"}
        with ThreadPoolExecutor(6) as pool:
            codes = list(
                pool.map(
                    lambda _: (
                        httpx.post(
                            f"{base}/v1/inventories", json=body, headers=headers, timeout=30
                        ).status_code
                    ),
                    range(6),
                )
            )
        assert all(c in (201, 409) for c in codes) and codes.count(201) >= 1, codes
        inv = httpx.get(f"{base}/v1/inventories", headers=tenants.h(tenants.city_key)).json()
        assert inv["count"] == 1
        inv_id = inv["items"][0]["id"]
        # concurrent new versions of one inventory get distinct numbers, none fails
        h = tenants.h(tenants.city_key)
        with ThreadPoolExecutor(5) as pool:
            codes = list(
                pool.map(
                    lambda _: (
                        httpx.post(
                            f"{base}/v1/inventories/{inv_id}/versions", json=body, headers=h, timeout=30
                        ).status_code
                    ),
                    range(5),
                )
            )
        assert all(c in (201, 409) for c in codes), codes
        versions = httpx.get(f"{base}/v1/inventories/{inv_id}/versions", headers=h).json()
        assert [v["version"] for v in versions] == list(range(1, 2 + codes.count(201)))


def test_idempotency_key_on_job_creation(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = client.post("/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=h).json()[
        "inventory"
    ]["id"]
    first = client.post(f"/v1/inventories/{inv}/summary", headers={**h, "Idempotency-Key": "sum-1"})
    again = client.post(f"/v1/inventories/{inv}/summary", headers={**h, "Idempotency-Key": "sum-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert client.get("/v1/jobs", headers=h).json()["count"] == 1


def test_malformed_json_on_model_body_names_no_row(client, tenants):
    r = client.post(
        "/v1/grants",
        content=b'{"advisor_org_id":',
        headers={**tenants.h(tenants.city_key), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["row"] is None and "malformed JSON" in err["reason"]


def test_inventory_shows_city_teryt(client, tenants):
    r = client.post(
        "/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=tenants.h(tenants.city_key)
    )
    assert r.json()["inventory"]["city_teryt"] == "0663011"


def test_a_file_without_a_telling_name_is_read_by_its_content(client, tenants):
    """A multipart file named 'budynki' (no extension, no part type) holding CSV text is read as
    CSV; holding an image, it is a 415 naming what is accepted."""
    h = tenants.h(tenants.city_key)
    csv_text = (
        "building_id;name;building_type;construction_year;heated_area_m2;storeys;heating_system;lat;lon\n"
    )
    csv_text += "SP-24;Szkoła Podstawowa nr 24;school;1968;4820,0;3;district_heating;51,2365;22,5381\n"
    r = client.post("/v1/inventories", files={"file": ("budynki", csv_text.encode())}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["version"]["building_count"] == 1
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
    r = client.post("/v1/inventories", files={"file": ("budynki", png)}, headers=h)
    assert r.status_code == 415, r.text
