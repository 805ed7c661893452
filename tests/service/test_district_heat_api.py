"""District heat by network through POST /v1/energy/estimate (issue 11 s.6): factors shown, bad input 422."""

from __future__ import annotations

import copy

from numpy.testing import assert_allclose

from service.inventory.schemas import EXAMPLE_BUILDINGS


def _estimate(client, tenants, body):  # type: ignore[no-untyped-def]
    return client.post("/v1/energy/estimate", json=body, headers=tenants.h(tenants.city_key))


def _dh_rows():
    rows = [b for b in copy.deepcopy(EXAMPLE_BUILDINGS) if b.get("heating_system") == "district_heating"]
    assert rows, "the example inventory has a district-heated building"
    return rows


def test_network_type_sets_w_and_the_result_says_which(client, tenants):
    """Dz.U. 2023 poz. 697 tab. 1: heat-only coal 1.30 against the CHP default 0.80."""
    rows = _dh_rows()
    base = _estimate(client, tenants, {"buildings": rows, "include_pv": False})
    coal = _estimate(
        client, tenants, {"buildings": rows, "include_pv": False, "district_heat_network": "heat_only_coal"}
    )
    assert base.status_code == 200 and coal.status_code == 200, coal.text
    b0, c0 = base.json()["buildings"][0], coal.json()["buildings"][0]
    assert b0["district_heat"]["w_primary"] == 0.8 and c0["district_heat"]["w_primary"] == 1.3
    assert c0["district_heat"]["source"] == "assessment network heat_only_coal"
    dh = c0["final_kwh_per_year"]["district_heat"]
    assert_allclose(
        c0["primary_nonrenewable_kwh_per_year"] - b0["primary_nonrenewable_kwh_per_year"], dh * 0.5, rtol=1e-9
    )


def test_building_row_network_and_bad_values(client, tenants):
    rows = _dh_rows()
    rows[0]["district_heat_network"] = "heat_only_gas"
    ok = _estimate(client, tenants, {"buildings": rows, "include_pv": False})
    assert ok.status_code == 200, ok.text
    assert ok.json()["buildings"][0]["district_heat"]["w_primary"] == 1.2
    rows[0]["district_heat_network"] = "peat"
    bad = _estimate(client, tenants, {"buildings": rows, "include_pv": False})
    assert bad.status_code == 422, bad.text
    assert any(e.get("field") == "district_heat_network" for e in bad.json()["errors"])
    for body, field in (
        ({"district_heat_network": "waste_heat"}, "district_heat_network"),
        ({"district_heat_network": "peat"}, "district_heat_network"),
    ):
        r = _estimate(client, tenants, {"buildings": _dh_rows(), "include_pv": False, **body})
        assert r.status_code == 422, r.text
        assert field in r.text
    fine = _estimate(
        client,
        tenants,
        {"buildings": _dh_rows(), "include_pv": False, "district_heat_network": "waste_heat",
         "w_primary": {"district_heat": 0.1}},
    )  # fmt: skip
    assert fine.status_code == 200, fine.text
    assert fine.json()["buildings"][0]["district_heat"]["w_primary"] == 0.1


def test_price_series_inputs_are_validated_with_the_field(client, tenants):
    """Issue 11 s.5 inputs: 12 monthly RCEm values, 8760 hourly RCE values; anything else is a 422."""
    rows = _dh_rows()
    for body in ({"rcem_pln_per_mwh_by_month": [300.0] * 11}, {"rce_pln_per_mwh_hourly": [300.0] * 10},
                 {"rcem_pln_per_mwh_by_month": [-1.0] * 12}):  # fmt: skip
        r = _estimate(client, tenants, {"buildings": rows, **body})
        assert r.status_code == 422, r.text
        assert next(iter(body)) in r.text
    ok = _estimate(client, tenants, {"buildings": rows, "rcem_pln_per_mwh_by_month": [300.0] * 12})
    assert ok.status_code == 200, ok.text
    pv = ok.json()["buildings"][0]["pv"]
    assert pv["value_regime"] and pv["retail_price_pln_per_kwh"] == 1.043
