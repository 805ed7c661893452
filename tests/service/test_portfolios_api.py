"""Portfolio jobs through the API on SQLite and PostgreSQL: optimum, compare, frontier, bad input."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from tests.service.test_assessments_api import create_inventory, run_assessment, wait_job

BUDGET = 3_000_000.0


def start(client, tenants, body, path="/v1/portfolios", key=None):  # type: ignore[no-untyped-def]
    return client.post(path, json=body, headers=tenants.h(key or tenants.city_key))


def run(client, tenants, body, path="/v1/portfolios") -> dict:  # type: ignore[no-untyped-def]
    h = tenants.h(tenants.city_key)
    r = start(client, tenants, body, path)
    assert r.status_code == 202, r.text
    job = wait_job(client, h, r.headers["Location"])
    assert job["status"] == "succeeded", job
    return client.get(job["result_url"], headers=h).json()


def test_portfolio_jobs_store_results_and_compare(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 6)
    a = run(
        client, tenants, {"name": "CO2", "inventory_id": inv, "objective": "max_co2", "budget_pln": BUDGET}
    )
    assessment = run_assessment(client, tenants, inv, {"grid_co2_kg_per_kwh": 0.65})
    b = run(
        client,
        tenants,
        {
            "name": "NPV + dotacja",
            "assessment_id": assessment["result_url"].rsplit("/", 1)[1],
            "objective": "max_npv",
            "budget_pln": BUDGET,
            "programmes": [{"programme_id": "feniks", "share_of_eligible_cost": 0.5}],
            "price_overrides": {"pv": {"unit_cost_pln": 3600}},
        },
    )
    for p in (a, b):
        t, projects = p["totals"], p["projects"]
        assert p["status"] == "succeeded" and p["solve"]["status"] == "Optimal" and p["engine_version"]
        assert t["own_contribution_pln"] <= BUDGET * (1 + 1e-6)
        assert len({x["building_id"] for x in projects}) == len(projects) == t["n_projects"]
        assert_allclose(sum(x["capex_pln"] for x in projects), t["capex_pln"], rtol=1e-9)
        assert_allclose(sum(x["grant_pln"] for x in projects), t["grant_pln"], rtol=1e-9, atol=1e-6)
        cash = pd.DataFrame(p["cash_flow"])
        assert len(cash) == p["request"]["horizon_years"] + 1
        assert_allclose(cash["capex_pln"].sum(), t["capex_pln"], rtol=1e-9)
        assert_allclose(cash["own_contribution_pln"].sum(), t["own_contribution_pln"], rtol=1e-9, atol=1e-6)
    assert b["assessment_id"] and b["request"]["price_overrides"] == {"pv": {"unit_cost_pln": 3600}}
    assert b["totals"]["grant_pln"] > 0
    # the grant halves what the city pays for the same capex
    assert_allclose(b["totals"]["grant_pln"], 0.5 * b["totals"]["capex_pln"], rtol=1e-6)

    ids = f"{a['id']},{b['id']}"
    cmp = client.get(f"/v1/portfolios/compare?ids={ids}", headers=h)
    assert cmp.status_code == 200, cmp.text
    c = cmp.json()
    assert [t["portfolio_id"] for t in c["totals"]] == [a["id"], b["id"]]
    assert_allclose(c["totals"][1]["npv_pln"], b["totals"]["npv_pln"], rtol=1e-12)
    chosen = {x["building_id"] for x in a["projects"]} | {x["building_id"] for x in b["projects"]}
    assert {r["building_id"] for r in c["buildings"]} == chosen
    pa = {x["building_id"]: x["package_id"] for x in a["projects"]}
    pb = {x["building_id"]: x["package_id"] for x in b["projects"]}
    for row in c["buildings"]:
        assert row["package_id__1"] == pa.get(row["building_id"])
        assert row["same_package"] == (pa.get(row["building_id"]) == pb.get(row["building_id"]))
    assert len(c["cash_flow"]) == 2 * 21
    csv = pd.read_csv(
        io.BytesIO(client.get(f"/v1/portfolios/compare?ids={ids}&format=csv", headers=h).content)
    )
    assert len(csv) == len(c["buildings"])
    x = client.get(f"/v1/portfolios/compare?ids={ids}&format=xlsx", headers=h).content
    book = pd.read_excel(io.BytesIO(x), sheet_name=None)
    assert list(book) == ["Plany", "Budynki", "Przepływy pieniężne"]
    # one column group per plan, named by the plan's name (not __1/__2)
    assert f"{a['name']} — Pakiet" in book["Budynki"] and f"{b['name']} — Pakiet" in book["Budynki"]
    assert not [col for col in book["Budynki"] if col.endswith(("__1", "__2"))]
    one = pd.read_excel(io.BytesIO(client.get(f"{a['url']}?format=xlsx", headers=h).content), sheet_name=None)
    assert list(one) == ["Podsumowanie", "Projekty", "Finansowanie wg lat", "Przepływy pieniężne"]
    assert len(one["Projekty"]) == a["totals"]["n_projects"]
    assert pd.read_csv(io.BytesIO(client.get(f"{a['url']}?format=csv", headers=h).content)).shape[0] == len(
        pa
    )
    # other tenants see nothing
    other = tenants.h(tenants.other_city_key)
    assert client.get(a["url"], headers=other).status_code == 404
    assert client.get(f"/v1/portfolios/compare?ids={ids}", headers=other).status_code == 404
    assert client.get("/v1/portfolios", headers=other).json()["count"] == 0


def test_bad_input_is_422_naming_the_field_and_creates_no_job(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 3)
    base = {"inventory_id": inv, "objective": "max_co2", "budget_pln": BUDGET}
    audited = {
        "building_id": "LUB-ADM-001",
        "package_id": "audyt",
        "capex_pln": 1e6,
        "lifetime_years": 25,
        "savings_pln_per_year": 5e4,
        "co2_reduction_t_per_year": 40,
    }
    cases = [
        ({"budget_pln": -5}, "budget_pln"),
        ({"budget_pln": 0}, "budget_pln"),
        ({"discount_rate": -1.0}, "discount_rate"),
        ({"horizon_years": 0}, "horizon_years"),
        ({"horizon_years": 500}, "horizon_years"),
        ({"price_overrides": {"pv": {"unit_cost_pln": "drogo"}}}, "unit_cost_pln"),
        ({"price_overrides": {"teleporter": {"unit_cost_pln": 5}}}, "teleporter"),
        ({"audited_variants": [{**audited, "lifetime_years": -3}]}, "lifetime_years"),
        ({"objective": "max_happiness"}, "objective"),
        ({"solver": "cbc"}, "solver"),  # CBC left with pulp 4's PULP_CBC_CMD
        (
            {"forced_in_buildings": ["LUB-ADM-001"], "forced_out_buildings": ["LUB-ADM-001"]},
            "forced_out_buildings",
        ),
        ({"objective": "min_cost", "budget_pln": None}, "target_co2_reduction_t_per_year"),
        ({"inventory_id": None}, "inventory_id"),
    ]
    for change, named in cases:
        r = start(client, tenants, {**base, **change})
        assert r.status_code == 422, (change, r.text)
        assert named in r.text, (named, r.text)
    # well formed, but naming buildings this inventory version does not have: 409, naming the field
    for change, field in [
        ({"forced_in_buildings": ["NO-SUCH-BUILDING"]}, "forced_in_buildings"),
        ({"required_measures": {"NO-SUCH-BUILDING": ["led"]}}, "required_measures"),
        ({"audited_variants": [{**audited, "building_id": "ELSEWHERE"}]}, "audited_variants.building_id"),
    ]:
        r = start(client, tenants, {**base, **change})
        assert r.status_code == 409, (change, r.text)
        assert r.json()["errors"][0]["field"] == field and "not a building of inventory version 1" in r.text
    # infeasibility provable from the request alone: a 422 at submission naming both constraints
    r = start(
        client,
        tenants,
        {
            **base,
            "include_generated": False,
            "budget_pln": 1e5,
            "audited_variants": [audited],
            "forced_in_buildings": ["LUB-ADM-001"],
        },
    )
    assert r.status_code == 422 and "forced_in_buildings" in r.text and "budget_pln" in r.text
    assert client.get("/v1/jobs", headers=h).json()["count"] == 0
    assert client.get("/v1/portfolios", headers=h).json()["count"] == 0


def test_infeasible_job_fails_with_a_typed_readable_error(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 3)
    ids = ["LUB-ADM-001", "LUB-ADM-002", "LUB-ADM-003"]
    r = start(
        client,
        tenants,
        {"inventory_id": inv, "objective": "max_co2", "budget_pln": 10_000, "forced_in_buildings": ids},
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, h, r.headers["Location"])
    assert job["status"] == "failed" and job["error"]["type"] == "infeasible"
    assert "forced_in_buildings" in job["error"]["detail"] and "budget_pln" in job["error"]["detail"]


def test_frontier_job_gives_n_monotone_points(client, tenants):
    inv = create_inventory(client, tenants, 4)
    f = run(
        client, tenants, {"inventory_id": inv, "n_points": 4, "frontier": "co2"}, "/v1/portfolios/frontier"
    )
    assert f["kind"] == "frontier" and len(f["frontier"]) == 4
    pts = pd.DataFrame(f["frontier"])
    assert (np.diff(pts["co2_reduction_t_per_year"]) >= -1e-6).all()
    assert (np.diff(pts["own_contribution_pln"]) >= -1e-3).all()  # more CO2 never costs less
    assert pts["co2_reduction_t_per_year"].iloc[0] >= 0 and pts["own_contribution_pln"].iloc[0] >= 0
    cmp = client.get(f"/v1/portfolios/compare?ids={f['id']},{f['id']}", headers=tenants.h(tenants.city_key))
    assert cmp.status_code == 422  # two distinct ids are needed
