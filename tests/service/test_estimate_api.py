"""POST /v1/energy/estimate on SQLite and PostgreSQL: shape, figures, limits and bad input."""

from __future__ import annotations

import copy

from numpy.testing import assert_allclose

from service.inventory.schemas import EXAMPLE_BUILDINGS
from tests.service.test_assessments_api import PVGIS_CSV

VIENNA = {"lat": 48.2082, "lon": 16.3738}


def estimate(client, tenants, body, key=None):  # type: ignore[no-untyped-def]
    return client.post("/v1/energy/estimate", json=body, headers=tenants.h(key or tenants.city_key))


def test_estimate_has_the_assessment_shape_and_consistent_totals(client, tenants):
    r = estimate(client, tenants, {"buildings": EXAMPLE_BUILDINGS, "grid_co2_kg_per_kwh": 0.7})
    assert r.status_code == 200, r.text
    out = r.json()
    b = out["buildings"]
    assert [x["building_id"] for x in b] == [x["building_id"] for x in EXAMPLE_BUILDINGS]
    for x in b:
        assert set(x) >= {
            "need",
            "final_kwh_per_year",
            "primary_nonrenewable_kwh_per_year",
            "ep",
            "co2_t_per_year",
            "cost_pln_per_year",
            "pv",
            "defaults_used",
            "warnings",
        }
        assert x["defaults_used"], "inventory rows without U-values rely on typology defaults"
    assert_allclose(out["totals"]["co2_t_per_year"], sum(x["co2_t_per_year"] for x in b), rtol=1e-9)
    assert_allclose(
        out["totals"]["final_electricity_kwh_per_year"],
        sum(x["final_kwh_per_year"]["electricity"] for x in b),
        rtol=1e-9,
    )
    elec = {f["carrier"]: f for f in out["meta"]["carrier_factors"]}["electricity"]
    assert elec["co2_kg_per_kwh"] == 0.7
    # a higher grid factor raises CO2 by exactly the electricity share
    low = estimate(client, tenants, {"buildings": EXAMPLE_BUILDINGS, "grid_co2_kg_per_kwh": 0.5}).json()
    d_el = sum(x["final_kwh_per_year"]["electricity"] for x in b)
    assert_allclose(
        out["totals"]["co2_t_per_year"] - low["totals"]["co2_t_per_year"], d_el * 0.2 / 1000, rtol=1e-6
    )
    assert out["meta"]["engine_version"] and out["meta"]["city_location_source"].startswith("mean of")


def test_over_the_limit_is_413_before_parsing(client, tenants):
    one = EXAMPLE_BUILDINGS[0]
    many = [{**one, "building_id": f"B-{i}"} for i in range(101)]
    r = estimate(client, tenants, {"buildings": many})
    assert r.status_code == 413, r.text
    assert r.json()["errors"][0]["field"] == "buildings"


def test_inventory_validation_names_row_and_field(client, tenants):
    bad = copy.deepcopy(EXAMPLE_BUILDINGS)
    bad[1]["heated_area_m2"] = -5
    bad[0]["building_type"] = "spaceport"
    r = estimate(client, tenants, {"buildings": bad})
    assert r.status_code == 422, r.text
    fields = {e.get("field") for e in r.json()["errors"]}
    assert {"heated_area_m2", "building_type"} <= fields
    assert estimate(client, tenants, {"buildings": []}).status_code == 422
    assert (
        estimate(client, tenants, {"buildings": EXAMPLE_BUILDINGS, "pv_climate": "sunny"}).status_code == 422
    )


def test_outside_poland_needs_a_climate(client, tenants):
    buildings = copy.deepcopy(EXAMPLE_BUILDINGS)
    buildings[1].update(VIENNA)
    r = estimate(client, tenants, {"buildings": buildings})
    assert r.status_code == 422, r.text
    assert buildings[1]["building_id"] in r.json()["detail"]
    assert r.json()["errors"][0]["value"] == buildings[1]["building_id"]
    up = client.post(
        "/v1/climates",
        files={"file": (PVGIS_CSV.name, PVGIS_CSV.read_bytes(), "text/csv")},
        headers=tenants.h(tenants.city_key),
    )
    assert up.status_code == 201, up.text
    ok = estimate(
        client, tenants, {"buildings": buildings, "climate_id": up.json()["id"], "include_pv": False}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["meta"]["climate_id"] == up.json()["id"]
    # another tenant cannot use this city's climate
    other = estimate(
        client, tenants, {"buildings": buildings, "climate_id": up.json()["id"]}, key=tenants.other_city_key
    )
    assert other.status_code == 404


def test_estimate_reports_ventilation_and_rejects_recovery_without_a_unit(client, tenants):
    rows = copy.deepcopy(EXAMPLE_BUILDINGS[:2])
    rows[0].update(ventilation_system="balanced_hr", heat_recovery_efficiency=0.8)
    rows[1].pop("ventilation_system", None)
    r = estimate(client, tenants, {"buildings": rows})
    assert r.status_code == 200, r.text
    first, second = r.json()["buildings"]
    assert first["ventilation"] == {"system": "balanced_hr", "heat_recovery_efficiency": 0.8}
    assert second["ventilation"]["system"] in ("natural", "exhaust", "balanced", "balanced_hr")
    need = first["need"]
    assert need["auxiliary_electricity_kwh_per_year"] >= need["ventilation_fans_kwh_per_year"] > 0
    assert (
        need["internal_gains_kwh_per_year"] > need["lighting_kwh_per_year"] + need["equipment_kwh_per_year"]
    )
    rows[1].update(ventilation_system="natural", heat_recovery_efficiency=0.6)
    bad = estimate(client, tenants, {"buildings": rows})
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    errors = bad.json()["errors"]
    assert any(e.get("field") == "heat_recovery_efficiency" and e.get("row") == 2 for e in errors), errors
