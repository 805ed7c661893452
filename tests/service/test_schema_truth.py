"""The OpenAPI says what the code accepts, and the code refuses what the OpenAPI refuses.

Each rule here was a Schemathesis ``--checks all`` failure (``benchmarks/bench_schemathesis.py``):
a schema-valid request answered 422, a 422 for a path the schema does not have, or a deleted job
still served. Every test checks both sides with plain requests: the schema (validated with
``jsonschema`` against the served OpenAPI) and the API's answer.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from service.inventory.schemas import EXAMPLE_BUILDINGS
from service.readiness.schemas import EXAMPLE_VALUES
from tests.service.test_bad_input import assert_problem

LUBLIN = "0663011"


def _validator(client, pick) -> jsonschema.Draft202012Validator:  # type: ignore[no-untyped-def]
    """A validator of one schema of the served OpenAPI, its ``$ref``s resolved in the document."""
    document = client.get("/openapi.json").json()
    schema = copy.deepcopy(pick(document))
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def _body_schema(path: str, method: str = "post") -> Any:
    return lambda doc: doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _valid(validator: jsonschema.Draft202012Validator, instance: Any) -> bool:
    return validator.is_valid(instance)


def _inventory(client, tenants) -> str:  # type: ignore[no-untyped-def]
    r = client.post(
        "/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=tenants.h(tenants.city_key)
    )
    assert r.status_code == 201, r.text
    return r.json()["inventory"]["id"]


def test_a_literal_path_asked_with_another_method_is_its_405(client, tenants) -> None:
    """GET /v1/portfolios/frontier was a 422 for a portfolio id "frontier" (the GET template)."""
    r = client.get("/v1/portfolios/frontier", headers=tenants.h(tenants.city_key))
    assert assert_problem(r, 405) and r.headers["allow"] == "POST"


def test_compare_ids_are_an_array_of_distinct_uuids(client, tenants) -> None:
    h = tenants.h(tenants.city_key)
    params = client.get("/openapi.json").json()["paths"]["/v1/portfolios/compare"]["get"]["parameters"]
    ids = next(p for p in params if p["name"] == "ids")
    assert ids["explode"] is False and ids["schema"]["uniqueItems"] is True
    items = jsonschema.Draft202012Validator(ids["schema"])
    one = "00000000-0000-4000-8000-000000000000"
    assert not items.is_valid([one, one]) and items.is_valid([one, one.replace("0000-4", "0000-5")])
    for path in ("/v1/portfolios/compare", "/v1/portfolios/compare/chart.svg"):
        r = client.get(path, params={"ids": f"{one},{one}"}, headers=h)  # the schema refuses it too
        assert assert_problem(r, 422)["errors"][0]["field"] == "ids"
        assert "distinct" in r.text
        # valid ids of portfolios that do not exist: the schema accepts them, the API says 404
        other = one.replace("0000-4", "0000-5")
        assert client.get(path, params={"ids": f"{one},{other}"}, headers=h).status_code == 404


def test_the_portfolio_schema_states_its_rules_between_fields(client, tenants) -> None:
    validator = _validator(client, _body_schema("/v1/portfolios"))
    frontier = _validator(client, _body_schema("/v1/portfolios/frontier"))
    inv = _inventory(client, tenants)
    h = tenants.h(tenants.city_key)
    refused = [
        {"inventory_id": inv},  # max_co2 (the default) needs a budget
        {"inventory_id": inv, "objective": "max_npv", "budget_pln": None},
        {"inventory_id": inv, "objective": "min_cost", "budget_pln": 1e6},  # min_cost needs a target
        {"budget_pln": 1e6},  # nothing to build on
        {"inventory_id": inv, "budget_pln": 1e6, "include_generated": False},  # nothing to choose
        {"inventory_id": inv, "budget_pln": 1e6, "price_overrides": {"teleporter": {"unit_cost_pln": 1}}},
        {"inventory_id": inv, "budget_pln": 1e6, "price_overrides": {"pv": {"year": 2020}}},
        {"inventory_id": inv, "budget_pln": 1e6, "programmes": [{"programme_id": "x", "share_of_eligible_cost": 2}]},
        {"inventory_id": inv, "budget_pln": 1e6,
         "audited_variants": [{"building_id": "SP-24", "package_id": "a", "capex_pln": 1, "lifetime_years": 20}]},
    ]  # fmt: skip
    for body in refused:
        assert not _valid(validator, body), body
        assert client.post("/v1/portfolios", json=body, headers=h).status_code == 422, body
    accepted = [
        {"inventory_id": inv, "budget_pln": 1e6},
        {"inventory_id": inv, "yearly_budgets_pln": [5e5, 5e5], "price_overrides": {"pv": {"unit_cost_pln": 3600}}},
        {"inventory_id": inv, "objective": "min_cost", "target_co2_reduction_t_per_year": 1.0},
    ]  # fmt: skip
    for body in accepted:
        assert _valid(validator, body), body
        assert client.post("/v1/portfolios", json=body, headers=h).status_code == 202, body
    assert _valid(frontier, {"inventory_id": inv}), "a frontier makes its own budgets"


def test_buildings_the_inventory_lacks_are_a_409_naming_the_field(client, tenants) -> None:
    """A well-formed plan naming buildings its inventory version does not have fits no stored data:
    409 (no schema can know a city's buildings), not a 422 for a schema-valid body."""
    inv = _inventory(client, tenants)
    body = {"inventory_id": inv, "budget_pln": 1e6, "forced_in_buildings": ["LUB-SP-011"]}
    assert _valid(_validator(client, _body_schema("/v1/portfolios")), body)
    r = client.post("/v1/portfolios", json=body, headers=tenants.h(tenants.city_key))
    problem = assert_problem(r, 409)
    assert problem["errors"][0] == {
        "field": "forced_in_buildings", "value": "LUB-SP-011", "reason": "not a building of inventory version 1",
    }  # fmt: skip
    assert client.get("/v1/jobs", headers=tenants.h(tenants.city_key)).json()["count"] == 0


def test_an_index_gives_each_table_and_its_configuration_exactly_once(client, tenants) -> None:
    validator = _validator(client, _body_schema("/v1/indices"))
    h = tenants.h(tenants.city_key)
    example = client.get("/openapi.json").json()["components"]["schemas"]["IndexRequest"]["examples"][0]
    assert _valid(validator, example)
    for body in ({}, {**example, "data": [{"uCode": "0663011"}]}, {**example, "meta_csv": None},
                 {**example, "config": None}, {**example, "config": {"normalize": {}}}):  # fmt: skip
        assert not _valid(validator, body), body
        assert assert_problem(client.post("/v1/indices", json=body, headers=h), 422)


def test_a_building_row_states_the_intake_rules(client, tenants) -> None:
    validator = _validator(client, _body_schema("/v1/inventories"))
    h = tenants.h(tenants.city_key)
    school = dict(EXAMPLE_BUILDINGS[0])  # type: ignore[arg-type]
    assert _valid(validator, {"buildings": EXAMPLE_BUILDINGS})
    refused = [
        [{}],  # the required columns
        [{**school, "lon": None}],  # lat without lon
        [{**school, "heated_area_m2": 0}],
        [{**school, "heated_area_m2": 5e-324}],  # under 1 m2 (it underflowed the balance to NaN: a 500)
        [{**school, "building_type": "castle"}],
        [{**school, "heat_recovery_efficiency": 0.7, "ventilation_system": "natural"}],
        [{**{k: v for k, v in school.items() if k != "metered_year"}}],  # metered kWh without the year
        [{**school, "notes": {"nested": "object"}}],  # another key: a number or text, as in a sheet
    ]
    for buildings in refused:
        assert not _valid(validator, {"buildings": buildings}), buildings
        assert assert_problem(client.post("/v1/inventories", json={"buildings": buildings}, headers=h), 422)
    assert client.get("/v1/inventories", headers=h).json()["count"] == 0  # nothing stored
    estimate = _validator(client, _body_schema("/v1/energy/estimate"))
    assert not _valid(estimate, {"buildings": [{}]}) and _valid(estimate, {"buildings": EXAMPLE_BUILDINGS})


def test_an_indicator_value_states_the_intake_rules(client, tenants) -> None:
    validator = _validator(client, _body_schema("/v1/readiness/{teryt}/indicators", "put"))
    h = tenants.h(tenants.city_key)
    assert _valid(validator, {"values": EXAMPLE_VALUES})
    good = dict(EXAMPLE_VALUES[0])  # type: ignore[arg-type]
    for values in ([{}], [{**good, "unit": "kg"}], [{**good, "year": 1989}], [{**good, "colour": "red"}],
                   [{**good, "indicator": "no_such_indicator"}]):  # fmt: skip
        assert not _valid(validator, {"values": values}), values
        r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json={"values": values}, headers=h)
        assert assert_problem(r, 422)


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/grants", {"access": "plan", "advisor_org_id": "00000000-0000-4000-8000-000000000000",
                        "note": {"k\u0000": 1}}),
        ("/v1/indices", {"data": [{"uCode": "1", "x": {"a\u0000b": 1}}], "meta_csv": "a", "config": {}}),
    ],
)  # fmt: skip
def test_a_nul_in_a_nested_key_is_refused_by_schema_and_code(client, tenants, path, body) -> None:
    """A NUL in a key below a free-form value: service.body refuses it (PostgreSQL cannot store it);
    the schema refused only top-level keys, so Schemathesis sent it as valid."""
    validator = _validator(client, _body_schema(path))
    assert not _valid(validator, body)
    r = client.post(path, json=body, headers=tenants.h(tenants.city_key))
    assert assert_problem(r, 422)
    clean = copy.deepcopy(body)
    if path == "/v1/grants":
        clean.pop("note")  # another key at all is refused (extra="forbid"), as the schema says
        assert not _valid(validator, {**clean, "note": 1})
        assert assert_problem(
            client.post(path, json={**clean, "note": 1}, headers=tenants.h(tenants.city_key)), 422
        )


def test_an_array_in_an_indicator_field_is_a_422_not_a_500(client, tenants) -> None:
    """Schemathesis, once the schema named the fields, sent ``"unit": [..]``: the unit check compared
    an array and answered 500. A field holds a number, text or null; anything else is named."""
    good = dict(EXAMPLE_VALUES[0])  # type: ignore[arg-type]
    for bad in ([1, 2], {"a": 1}):
        body = {"values": [{**good, "unit": bad}]}
        r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json=body, headers=tenants.h(tenants.city_key))
        assert assert_problem(r, 422)["errors"][0]["field"] == "unit"


def test_audited_variants_by_carrier_need_not_name_the_same_carriers(client, tenants) -> None:
    """Schema-valid: every variant gives kWh by carrier. A carrier one variant names and another does
    not was NaN for the other (422 "savings_pln_per_year: value is missing"); it saves 0 kWh of it."""
    inv = _inventory(client, tenants)
    variants = [
        {"building_id": "SP-24", "package_id": "audyt-1", "capex_pln": 2e6, "lifetime_years": 30,
         "savings_kwh_per_year": {"district_heat": 250_000}},
        {"building_id": "P-7", "package_id": "audyt-2", "capex_pln": 4e5, "lifetime_years": 25,
         "savings_kwh_per_year": {"gas": 80_000, "electricity": 5_000}},
    ]  # fmt: skip
    body = {"inventory_id": inv, "budget_pln": 3e6, "include_generated": False, "audited_variants": variants}
    assert _valid(_validator(client, _body_schema("/v1/portfolios")), body)
    r = client.post("/v1/portfolios", json=body, headers=tenants.h(tenants.city_key))
    assert r.status_code == 202, r.text


def test_a_city_without_coordinates_is_a_409_for_a_stored_inventory_and_stated_for_an_estimate(
    client, tenants
) -> None:
    """Assessing a stored inventory whose buildings have no lat/lon (and no climate) fits no stored
    data: 409, not a 422 for a body Schemathesis sent as valid (``null``). For an estimate the
    buildings are the body, so the schema states it: a building's coordinates or a climate_id."""
    h = tenants.h(tenants.city_key)
    nowhere = [{k: v for k, v in b.items() if k not in ("lat", "lon")} for b in EXAMPLE_BUILDINGS]  # type: ignore[union-attr]
    inv = client.post("/v1/inventories", json={"buildings": nowhere}, headers=h).json()["inventory"]["id"]
    r = client.post(f"/v1/inventories/{inv}/assessments", json={}, headers=h)
    assert assert_problem(r, 409)["errors"][0]["field"] == "lat/lon"
    estimate = _validator(client, _body_schema("/v1/energy/estimate"))
    assert not _valid(estimate, {"buildings": nowhere})
    assert assert_problem(client.post("/v1/energy/estimate", json={"buildings": nowhere}, headers=h), 422)


def test_an_indicator_source_is_text(client, tenants) -> None:
    """Schemathesis sent ``"source": 5`` (the schema says text) and the intake stored "5"."""
    good = dict(EXAMPLE_VALUES[0])  # type: ignore[arg-type]
    assert not _valid(_validator(client, _body_schema("/v1/readiness/{teryt}/indicators", "put")),
                      {"values": [{**good, "source": 5}]})  # fmt: skip
    r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json={"values": [{**good, "source": 5}]},
                   headers=tenants.h(tenants.city_key))  # fmt: skip
    assert assert_problem(r, 422)["errors"][0] == {
        "row": 1,
        "field": "source",
        "value": 5,
        "reason": "not text",
    }


def test_a_waste_heat_network_states_that_it_needs_its_own_w(client, tenants) -> None:
    """The regulation gives no w_i for waste heat: the schema says what the engine's 422 says."""
    estimate = _validator(client, _body_schema("/v1/energy/estimate"))
    h = tenants.h(tenants.city_key)
    bare = {"buildings": EXAMPLE_BUILDINGS, "include_pv": False, "district_heat_network": "waste_heat"}
    declared = {**bare, "w_primary": {"district_heat": 0.1}}
    assert not _valid(estimate, bare) and not _valid(estimate, {**bare, "w_primary": {"gas": 1.1}})
    assert assert_problem(client.post("/v1/energy/estimate", json=bare, headers=h), 422)
    assert _valid(estimate, declared)
    assert client.post("/v1/energy/estimate", json=declared, headers=h).status_code == 200
    assessment = _validator(client, _body_schema("/v1/inventories/{inventory_id}/assessments"))
    assert not _valid(assessment, {"district_heat_network": "waste_heat"})
    assert _valid(assessment, {"district_heat_network": "waste_heat", "w_primary": {"district_heat": 0.1}})
