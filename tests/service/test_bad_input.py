"""Bad input is a 4xx problem+json naming the field, never a 500 (issue 12 §5), on SQLite and PostgreSQL.

JSON nested 1,000 deep, lone surrogates and NUL characters in text, bodies over the limit (JSON
routes too, checked while reading), oversized headers, the ``Allow`` of a 405, and the echo of a
huge value cut to a few hundred characters.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from service.body import MAX_JSON_DEPTH, BodyGuard
from service.errors import MAX_ECHO_CHARS, ValidationProblem, problem_response
from service.inventory.schemas import EXAMPLE_BUILDINGS

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
CSV = "building_id,name,building_type,construction_year,heated_area_m2,storeys,heating_system\n"


def inventory_count(client, tenants) -> int:  # type: ignore[no-untyped-def]
    return client.get("/v1/inventories", headers=tenants.h(tenants.city_key)).json()["count"]


def raw_json(client, tenants, method, path, text):  # type: ignore[no-untyped-def]
    headers = {**tenants.h(tenants.city_key), "Content-Type": "application/json"}
    return client.request(method, path, content=text.encode("utf-8", "surrogatepass"), headers=headers)


def assert_problem(r, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


JSON_ROUTES = [
    ("POST", "/v1/inventories", '{"name": "x", "buildings": ' + DEEP_ARRAY + "}"),
    ("POST", "/v1/inventories", '{"name": ' + DEEP_OBJECT + ', "buildings": []}'),  # name_from_json
    ("PUT", "/v1/readiness/0663011/indicators", '{"values": ' + DEEP_ARRAY + "}"),
    ("POST", "/v1/indices", '{"config": ' + DEEP_OBJECT + "}"),
    ("POST", "/v1/energy/estimate", '{"buildings": ' + DEEP_ARRAY + "}"),
    ("POST", "/v1/grants", DEEP_OBJECT),
]


@pytest.mark.parametrize(
    ("method", "path", "text"),
    JSON_ROUTES,
    ids=["inventory", "inventory-name", "indicators", "index", "estimate", "grant"],
)
def test_json_nested_1000_deep_is_422_on_every_json_route(client, tenants, method, path, text):
    problem = assert_problem(raw_json(client, tenants, method, path, text), 422)
    assert problem["errors"][0]["location"] == "body"
    assert str(MAX_JSON_DEPTH) in problem["errors"][0]["reason"]
    assert inventory_count(client, tenants) == 0


def test_yaml_nested_1000_deep_or_an_alias_bomb_is_422(client, tenants):
    deep = "[" * 1000 + "]" * 1000
    laughs = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for config_yaml in (deep, laughs):
        body = {"config_yaml": config_yaml, "data_csv": "uCode\nA", "meta_csv": "iCode\nx"}
        problem = assert_problem(
            client.post("/v1/indices", json=body, headers=tenants.h(tenants.city_key)), 422
        )
        assert problem["errors"][0]["field"] == "config_yaml"


def test_shallow_json_with_many_objects_is_accepted(client, tenants):
    buildings = [{**EXAMPLE_BUILDINGS[0], "building_id": f"SP-{i}"} for i in range(200)]
    r = client.post("/v1/inventories", json={"buildings": buildings}, headers=tenants.h(tenants.city_key))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "bad", ["\ud800", "a\udfffb", "a\u0000b"], ids=["high-surrogate", "low-surrogate", "nul"]
)
def test_unstorable_text_in_a_json_field_is_422_naming_it(client, tenants, bad):
    cases = [
        ({"name": bad, "buildings": EXAMPLE_BUILDINGS}, None, "name"),
        (
            {"buildings": [EXAMPLE_BUILDINGS[0], {**EXAMPLE_BUILDINGS[1], "address": bad}]},
            2,
            "buildings.1.address",
        ),
    ]
    for body, row, field in cases:
        text = json.dumps(body)  # escapes: "\ud800", "\u0000"
        problem = assert_problem(raw_json(client, tenants, "POST", "/v1/inventories", text), 422)
        assert [(e["row"], e["field"]) for e in problem["errors"]] == [(row, field)]
        assert "NUL" in problem["errors"][0]["reason"] or "surrogate" in problem["errors"][0]["reason"]
    grant = json.dumps({"advisor_id": bad, "access": "read"})
    problem = assert_problem(raw_json(client, tenants, "POST", "/v1/grants", grant), 422)
    assert problem["errors"][0]["field"] == "advisor_id"
    assert inventory_count(client, tenants) == 0


def test_raw_surrogate_bytes_in_json_are_422(client, tenants):
    body = json.dumps({"name": "X", "buildings": EXAMPLE_BUILDINGS}).replace('"X"', '"\ud800"')
    r = raw_json(client, tenants, "POST", "/v1/inventories", body)  # CESU bytes ED A0 80
    assert assert_problem(r, 422)["errors"][0]["field"] == "name"


def test_nul_in_a_query_parameter_or_a_csv_cell_is_422_naming_it(client, tenants):
    headers = {**tenants.h(tenants.city_key), "Content-Type": "text/csv"}
    good = CSV + "SP-1,Szkoła,school,1968,4820,3,district_heating\n"
    problem = assert_problem(client.post("/v1/inventories?name=a%00b", content=good, headers=headers), 422)
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [("query", "name")]
    bad = (
        CSV
        + "SP-1,Szkoła,school,1968,4820,3,district_heating\nP-2,Przed\x00szkole,kindergarten,1985,1180,2,gas_boiler\n"
    )
    problem = assert_problem(client.post("/v1/inventories", content=bad.encode(), headers=headers), 422)
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [(3, "name")]
    files = {"file": ("budynki.csv", bad.encode(), "text/csv")}
    r = client.post("/v1/inventories", files=files, headers=tenants.h(tenants.city_key))
    assert [(e["row"], e["field"]) for e in assert_problem(r, 422)["errors"]] == [(3, "name")]
    r = client.get("/v1/inventories?cursor=%00", headers=tenants.h(tenants.city_key))
    assert assert_problem(r, 422)["errors"][0]["field"] == "cursor"
    assert inventory_count(client, tenants) == 0


def test_the_problem_builder_cuts_and_escapes_every_echo():
    huge, lone = "x" * 1_000_000, "ab\ud800cd"
    problem = ValidationProblem(huge, errors=[{"field": lone, "value": huge, "reason": lone}], note=huge)
    body = problem_response(problem).body  # rendering must not fail on the surrogate
    assert len(body) < 8 * MAX_ECHO_CHARS
    echoed = json.loads(body)
    assert echoed["errors"][0]["field"] == "ab\\ud800cd"
    assert echoed["errors"][0]["value"].startswith("x" * MAX_ECHO_CHARS)
    nested = ValidationProblem("d", errors=[{"field": "buildings", "value": [{"name": huge}] * 1000}])
    assert len(problem_response(nested).body) < 8 * MAX_ECHO_CHARS


def test_a_50_mb_json_name_and_a_million_buildings_are_413(client, tenants):
    big_name = b'{"name": "' + b"x" * 50_000_000 + b'", "buildings": []}'
    headers = {**tenants.h(tenants.city_key), "Content-Type": "application/json"}
    r = client.post("/v1/inventories", content=big_name, headers=headers)
    assert len(assert_problem(r, 413)["detail"]) <= MAX_ECHO_CHARS
    one = json.dumps({"building_type": "school", "construction_year": 1968, "heated_area_m2": 1000.0})
    million = ('{"buildings": [' + ",".join([one] * 1_000_000) + "]}").encode()
    r = client.post("/v1/energy/estimate", content=million, headers=headers)
    assert "MB" in assert_problem(r, 413)["detail"]  # the body limit, before any parsing
    assert inventory_count(client, tenants) == 0


def test_the_limit_is_checked_while_the_body_arrives():
    """A chunked body without Content-Length: the guard stops reading at the limit; the app never runs."""

    class State:
        settings = type("S", (), {"max_upload_bytes": 1_000_000, "max_upload_mb": 1.0})()

    app_ran, chunks_read, sent = [], [], []

    async def inner(scope, receive, send):  # type: ignore[no-untyped-def]
        app_ran.append(True)

    async def receive():  # type: ignore[no-untyped-def]
        chunks_read.append(1)
        return {"type": "http.request", "body": b"x" * 100_000, "more_body": len(chunks_read) < 1000}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/energy/estimate", "query_string": b"",
             "headers": [(b"content-type", b"application/json")], "app": type("A", (), {"state": State})()}  # fmt: skip
    asyncio.run(BodyGuard(inner)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert not app_ran
    assert len(chunks_read) == 11  # 1.1 MB read of the 100 MB offered


def test_oversized_headers_are_431_and_405_lists_every_method(client, tenants):
    r = client.get("/v1/inventories", headers={**tenants.h(tenants.city_key), "X-Padding": "a" * 20_000})
    assert_problem(r, 431)
    r = client.delete("/v1/inventories", headers=tenants.h(tenants.city_key))
    assert_problem(r, 405)
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    r = client.put("/v1/grants", headers=tenants.h(tenants.city_key))
    assert set(assert_problem(r, 405) and r.headers["allow"].split(", ")) == {"GET", "POST"}


# --- XLSX decompression bombs: refused from the zip directory and the declared dimension ---------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(members: dict[str, list[bytes]]) -> bytes:
    """A small openpyxl workbook with some members replaced (streamed in, never held whole)."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "budynki"
    book.active.append(["building_id", "name"])
    plain = io.BytesIO()
    book.save(plain)
    source, out = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            if info.filename not in members:
                data = source.read(info.filename)
                if info.filename == "[Content_Types].xml":  # declare the shared strings part
                    data = data.replace(
                        b"</Types>",
                        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
                    )
                z.writestr(info, data)
        for name, parts in members.items():
            with z.open(name, "w", force_zip64=True) as f:
                for part in parts:
                    f.write(part)
    return out.getvalue()


def _sheet(rows: int, dimension: bool) -> list[bytes]:
    head = f'<worksheet xmlns="{MAIN}">' + (f'<dimension ref="A1:B{rows}"/>' if dimension else "")
    body = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (i, i) for i in range(1, rows + 1))
    return [(head + "<sheetData>").encode(), body, b"</sheetData></worksheet>"]


@pytest.fixture(scope="module")
def shared_string_bomb() -> bytes:
    """About 1 MB on the wire, one shared string of 1 GB once inflated."""
    chunk = b"A" * (1 << 20)
    sst = [
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
        *[chunk] * 1024,
        b"</t></si></sst>",
    ]
    return _workbook({"xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": _sheet(2, True)})


def _upload(client, tenants, content: bytes):  # type: ignore[no-untyped-def]
    headers = {**tenants.h(tenants.city_key), "Content-Type": XLSX_TYPE}
    return client.post("/v1/inventories", content=content, headers=headers)


def test_a_1_gb_shared_string_is_413_from_the_zip_directory(client, tenants, shared_string_bomb):
    assert len(shared_string_bomb) < 2_000_000
    r = _upload(client, tenants, shared_string_bomb)
    problem = assert_problem(r, 413)
    assert "inflates" in problem["errors"][0]["reason"]
    assert len(r.content) < 4 * MAX_ECHO_CHARS
    assert inventory_count(client, tenants) == 0


def test_a_sheet_declaring_a_million_rows_is_413_before_any_row_is_read(client, tenants):
    bomb = _workbook({"xl/sharedStrings.xml": [f'<sst xmlns="{MAIN}"><si><t>x</t></si></sst>'.encode()],
                      "xl/worksheets/sheet1.xml": _sheet(1_048_576, True)})  # fmt: skip
    assert len(bomb) < 8_000_000
    problem = assert_problem(_upload(client, tenants, bomb), 413)
    assert "1,048,576 rows" in problem["errors"][0]["reason"]


def test_rows_past_the_cap_stop_the_stream_without_a_dimension(client, tenants, app_and_tenants):
    app, _ = app_and_tenants
    app.state.settings.max_buildings = 100
    sst = [f'<sst xmlns="{MAIN}"><si><t>x</t></si></sst>'.encode()]
    bomb = _workbook({"xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": _sheet(50_000, False)})
    problem = assert_problem(_upload(client, tenants, bomb), 413)
    assert "more than 100 buildings" in problem["errors"][0]["reason"]


def test_the_readiness_chart_of_a_run_with_an_unscored_pillar_draws_the_others():
    """Schemathesis found GET /v1/readiness/scores/{id}/report.pdf answering 500 (ChartInputError)
    for a run whose schooling pillar had no score."""
    from service.reports.readiness import pillar_chart_svg

    pillars = [{"code": "housing", "score": 61.0}, {"code": "schooling"}, {"code": "services", "score": 48.5}]
    svg = pillar_chart_svg({"score": 55.0}, pillars, "en", "Miasto Lublin")
    assert svg.count("<text") > 0 and "Housing" in svg and "Schooling" not in svg


def test_the_schema_says_what_the_guard_refuses(client, tenants):
    """Schemathesis found schema-valid requests refused (NUL text, reused Idempotency-Keys as an
    undocumented 409); the schema now states both, and a literal path's 405 lists its own methods."""
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        if "post" in operations:
            assert "409" in operations["post"]["responses"], path
    lang = next(
        p for p in schema["paths"]["/v1/public/methodology"]["get"]["parameters"] if p["name"] == "lang"
    )
    assert lang["schema"]["pattern"] == "^[^\\u0000]*$"
    r = client.options("/v1/portfolios/frontier", headers=tenants.h(tenants.city_key))
    assert assert_problem(r, 405) and r.headers["allow"] == "POST"  # not GET of /v1/portfolios/{id}


def test_a_body_its_content_type_cannot_decode_is_422(client, tenants):
    """FastAPI answers a JSON body that is not UTF-8 with a bare 400 no route documents."""
    headers = {**tenants.h(tenants.city_key), "Content-Type": "application/json"}
    r = client.post("/v1/grants", content=b'{"advisor_id": "\xff"}', headers=headers)
    assert assert_problem(r, 422)["errors"][0]["location"] == "body"


def test_the_report_of_a_run_without_a_scenario_is_a_pdf(client, tenants):
    """Schemathesis found GET /v1/readiness/scores/{id}/report.pdf answering 500 (jinja2 UndefinedError
    on ``scenario.label``) for a run posted without a scenario."""
    h = tenants.h(tenants.city_key)
    run = client.post("/v1/readiness/scores", json={"teryts": ["0663011"]}, headers=h)
    assert run.status_code == 201, run.text
    pdf = client.get(f"/v1/readiness/scores/{run.json()['run_id']}/report.pdf?teryt=0663011", headers=h)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")


def test_a_csv_with_two_headers_spelt_alike_and_no_rows_is_422(client, tenants):
    """Schemathesis found POST /v1/inventories answering 500 (a broadcast error in the blank-row
    mask, where ``raw[name]`` of a doubled header is a frame)."""
    headers = {**tenants.h(tenants.city_key), "Content-Type": "text/csv"}
    for body in ("name,name\n", "name,name\n,\n"):
        assert_problem(client.post("/v1/inventories", content=body, headers=headers), 422)


def test_a_workspace_form_with_a_nul_is_a_page_in_the_readers_language(client):
    r = client.post("/app/sign-in", data={"api_key": "mst_\x00"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="en"' in r.text
