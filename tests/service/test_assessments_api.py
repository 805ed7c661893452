"""Assessment jobs through the API on SQLite and PostgreSQL: figures, exports, climates, tenancy."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "service" / "demo" / "demo_city.csv"
PVGIS_CSV = ROOT / "tests" / "data" / "climate" / "Warszawa_PVGIS-SARAH3_TMY_52.207_20.978_2005_2023.csv"
CARRIERS = ("coal", "gas", "oil", "biomass", "district_heat", "electricity")


def demo_csv(n: int) -> bytes:
    """The first ``n`` buildings of the demo city (Lublin) as CSV bytes."""
    lines = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    return ("\n".join(lines[: n + 1]) + "\n").encode("utf-8")


def create_inventory(client, tenants, n: int = 6) -> str:  # type: ignore[no-untyped-def]
    r = client.post(
        "/v1/inventories?name=demo",
        content=demo_csv(n),
        headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    return r.json()["inventory"]["id"]


def wait_job(client, headers, job_url: str, timeout_s: float = 60.0) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(job_url, headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_url} not finished within {timeout_s} s")


def run_assessment(client, tenants, inv: str, body: dict | None = None, key: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    h = tenants.h(key or tenants.city_key)
    r = client.post(f"/v1/inventories/{inv}/assessments", json=body, headers=h)
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == r.json()["url"]
    job = wait_job(client, h, r.headers["Location"])
    assert job["status"] == "succeeded", job
    return job


def test_assessment_job_end_to_end(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 6)
    job = run_assessment(
        client, tenants, inv, {"grid_co2_kg_per_kwh": 0.597, "prices_pln_per_kwh": {"gas": 0.4}}
    )
    out = client.get(job["result_url"], headers=h).json()
    assert out["status"] == "succeeded" and out["inventory_version"] == 1
    assert out["engine_version"] and out["params"]["grid_co2_kg_per_kwh"] == 0.597
    assert out["city_location_source"] == "mean of 6 building coordinates"
    res = out["result"]
    b = res["buildings"]
    assert len(b) == 6 and res["totals"]["n_buildings"] == 6
    # totals equal the sum of the buildings, and the by-type table adds up to the city
    for key, values in {
        "co2_t_per_year": [x["co2_t_per_year"] for x in b],
        "cost_pln_per_year": [x["cost_pln_per_year"] for x in b],
        "primary_nonrenewable_kwh_per_year": [x["primary_nonrenewable_kwh_per_year"] for x in b],
        "heating_need_kwh_per_year": [x["need"]["heating_kwh_per_year"] for x in b],
        "pv_capacity_kwp": [x["pv"]["capacity_kwp"] for x in b],
    }.items():
        assert_allclose(res["totals"][key], sum(values), rtol=1e-9)
        assert_allclose(sum(t[key] for t in res["totals_by_type"]), res["totals"][key], rtol=1e-9)
    # independent recomputation of CO2 and cost from final energy and the recorded carrier factors
    factors = {f["carrier"]: f for f in res["meta"]["carrier_factors"]}
    assert factors["electricity"]["co2_kg_per_kwh"] == 0.597 and factors["gas"]["price_pln_per_kwh"] == 0.4
    for x in b:
        final = x["final_kwh_per_year"]
        co2 = sum(final[c] * factors[c]["co2_kg_per_kwh"] for c in CARRIERS) / 1000
        cost = sum(final[c] * factors[c]["price_pln_per_kwh"] for c in CARRIERS)
        assert_allclose(x["co2_t_per_year"], co2, rtol=1e-6)
        assert_allclose(x["cost_pln_per_year"], cost, rtol=1e-6)
        assert_allclose(sum(x["need"]["heating_kwh_by_month"]), x["need"]["heating_kwh_per_year"], rtol=1e-9)
        assert x["ep"]["meets_limit"] == (x["ep"]["ep_kwh_per_m2_year"] <= x["ep"]["limit_kwh_per_m2_year"])
        pv = x["pv"]
        assert 0 <= pv["self_consumed_kwh_per_year"] <= pv["yield_kwh_per_year"] + 1e-6
        if pv["capacity_kwp"] > 0:  # specific yield of Polish rooftops: 500..1200 kWh/kWp
            assert 500 < pv["specific_yield_kwh_per_kwp"] < 1200
        # heating need per m2 of pre-2008 public buildings in Poland: tens to a few hundred kWh/m2
        assert 20 < x["need"]["heating_kwh_per_m2_year"] < 400
    assert res["meta"]["climate"][0]["name"] == "Lublin Radawiec"
    # CSV and XLSX exports parse and hold the same per-building figures
    csv = client.get(job["result_url"] + "?format=csv", headers=h)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(csv.content))
    assert list(frame["building_id"]) == [x["building_id"] for x in b]
    assert_allclose(frame["co2_t_per_year"], [x["co2_t_per_year"] for x in b], rtol=1e-8)
    xlsx = client.get(job["result_url"] + "?format=xlsx&lang=en", headers=h)
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert list(sheets) == [
        "Summary",
        "Buildings",
        "By building type",
        "Warnings",
        "Defaults used",
        "Run and sources",
    ]
    assert list(sheets["Buildings"]["Building ID"]) == [x["building_id"] for x in b]
    assert_allclose(sheets["Buildings"]["CO₂ emissions [t/yr]"], [x["co2_t_per_year"] for x in b], atol=0.051)
    assert sheets["By building type"]["Buildings"].sum() == 6
    listed = client.get(f"/v1/inventories/{inv}/assessments", headers=h).json()
    assert listed["count"] == 1 and listed["items"][0]["status"] == "succeeded"


def test_other_tenants_get_404_and_advisor_needs_plan(client, tenants):
    inv = create_inventory(client, tenants, 2)
    job = run_assessment(client, tenants, inv)
    other, adv = tenants.h(tenants.other_city_key), tenants.h(tenants.advisor_key)
    assert client.get(job["result_url"], headers=other).status_code == 404
    assert client.get(job["result_url"] + "?format=csv", headers=other).status_code == 404
    assert client.post(f"/v1/inventories/{inv}/assessments", headers=other).status_code == 404
    assert client.get(job["result_url"], headers=adv).status_code == 404
    client.post(
        "/v1/grants",
        json={"advisor_org_id": str(tenants.advisor_id), "access": "read"},
        headers=tenants.h(tenants.city_key),
    )
    assert client.get(job["result_url"], headers=adv).status_code == 200
    assert client.post(f"/v1/inventories/{inv}/assessments", headers=adv).status_code == 403
    client.post(
        "/v1/grants",
        json={"advisor_org_id": str(tenants.advisor_id), "access": "plan"},
        headers=tenants.h(tenants.city_key),
    )
    run_assessment(client, tenants, inv, key=tenants.advisor_key)


def test_bad_parameters_are_422_and_store_nothing(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 2)
    cases = [
        ({"prices_pln_per_kwh": {"hydrogen": 1.0}}, 422, "prices_pln_per_kwh"),
        ({"grid_co2_kg_per_kwh": -0.1}, 422, "grid_co2_kg_per_kwh"),
        ({"pv": {"module_efficiency": 0.9}}, 422, "module_efficiency"),
        ({"co2_kg_per_kwh": {"gas": -1}}, 422, "co2_kg_per_kwh"),
        ({"version": 7}, 404, "version"),
        ({"climate_id": "6f1b6c1e-8a53-4a43-9a4c-0a3b9d7f3c11"}, 404, "climate"),
        ({"unknown_option": 1}, 422, "unknown_option"),
    ]
    for body, status, named in cases:
        r = client.post(f"/v1/inventories/{inv}/assessments", json=body, headers=h)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert named in r.text, (named, r.text)
    assert client.get(f"/v1/inventories/{inv}/assessments", headers=h).json()["count"] == 0
    assert client.get("/v1/jobs", headers=h).json()["count"] == 0


def test_named_climate_upload_list_reuse_and_bad_files(client, tenants):
    h = tenants.h(tenants.city_key)
    content = PVGIS_CSV.read_bytes()
    r = client.post(
        "/v1/climates?name=Warszawa PVGIS", files={"file": (PVGIS_CSV.name, content, "text/csv")}, headers=h
    )
    assert r.status_code == 201, r.text
    climate = r.json()
    assert climate["file_format"] == "csv" and abs(climate["lat"] - 52.207) < 0.01
    # PVGIS-SARAH3 at Warsaw: about 1140 kWh/m2 a year (energy/data/pv_climate_scaling.csv)
    assert 1050 < climate["ghi_kwh_m2_per_year"] < 1250
    assert client.get("/v1/climates", headers=h).json()["count"] == 1
    assert client.get(climate["url"], headers=tenants.h(tenants.other_city_key)).status_code == 404
    lines = content.decode("utf-8").splitlines()
    truncated = "\n".join(lines[: len(lines) // 2]).encode()
    negative = (
        content.decode().replace(",0.0,", ",-250.0,", 1).encode() if ",0.0," in content.decode() else None
    )
    bad_files = [("tmy.csv", truncated), ("site.epw", b"LOCATION,nothing else\n"), ("weather.txt", b"1,2,3")]
    if negative is not None:
        bad_files.append(("neg.csv", negative))
    for name, data in bad_files:
        r = client.post("/v1/climates", files={"file": (name, data, "application/octet-stream")}, headers=h)
        assert r.status_code == 422, (name, r.text)
        assert name in r.json()["detail"]
    assert client.get("/v1/climates", headers=h).json()["count"] == 1
    # the climate is reused by id: the assessment records it
    inv = create_inventory(client, tenants, 2)
    job = run_assessment(client, tenants, inv, {"climate_id": climate["id"], "include_pv": False})
    out = client.get(job["result_url"], headers=h).json()
    assert out["climate_id"] == climate["id"]
    assert out["result"]["meta"]["climate"][0]["name"] == "Warszawa PVGIS"
    assert {x["climate_name"] for x in out["result"]["buildings"]} == {"Warszawa PVGIS"}
    assert np.isfinite([x["co2_t_per_year"] for x in out["result"]["buildings"]]).all()


def test_climate_file_without_its_extension_is_read_by_its_content(client, tenants):
    """A file saved as 'tmy' or sent raw without ?filename= is told apart by its first record (an
    EPW opens with LOCATION, a PVGIS csv with Latitude); an image is refused naming the file."""
    h = tenants.h(tenants.city_key)
    content = PVGIS_CSV.read_bytes()
    r = client.post("/v1/climates", files={"file": ("tmy", content)}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["file_format"] == "csv" and abs(r.json()["lat"] - 52.207) < 0.01
    r = client.post(
        "/v1/climates", content=content, headers={**h, "Content-Type": "application/octet-stream"}
    )
    assert r.status_code == 201, r.text
    png = b"\x89PNG\r\n\x1a\n" + bytes(40)
    r = client.post("/v1/climates", files={"file": ("dach.png", png)}, headers=h)
    assert r.status_code == 422 and "dach.png" in r.json()["detail"] and "unknown format" in r.text
    r = client.post("/v1/climates", content=png, headers={**h, "Content-Type": "application/octet-stream"})
    assert r.status_code == 422 and "not recognisable" in r.json()["detail"]
    assert client.get("/v1/climates", headers=h).json()["count"] == 2


def school_at(lat: float, lon: float, town: str) -> bytes:
    """One demo building turned into a school at ``(lat, lon)`` [deg], as CSV bytes."""
    frame = pd.read_csv(io.BytesIO(demo_csv(1)), dtype=str, keep_default_na=False)
    frame.loc[0, ["building_id", "name", "building_type"]] = [
        f"SP-{town}",
        f"Szkoła Podstawowa, {town}",
        "school",
    ]
    frame.loc[0, ["lat", "lon"]] = [str(lat), str(lon)]
    return frame.to_csv(index=False).encode("utf-8")


def test_school_in_slubice_is_accepted_at_intake_and_assessed(client, tenants):
    # Słubice town centre, en.wikipedia 52°21′N 14°34′E, 0.78 km from the Oder (the border)
    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/inventories?name=slubice",
        content=school_at(52.35, 14.5667, "Słubice"),
        headers={**h, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    job = run_assessment(client, tenants, r.json()["inventory"]["id"])
    (school,) = client.get(job["result_url"], headers=h).json()["result"]["buildings"]
    assert school["building_id"] == "SP-Słubice" and school["climate_station_id"] == "123100"  # Słubice


def test_school_in_frankfurt_oder_is_rejected_at_intake_naming_row_and_field(client, tenants):
    # Frankfurt (Oder) town centre, en.wikipedia 52°21′N 14°33′E, 0.23 km west of the Oder
    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/inventories?name=frankfurt",
        content=school_at(52.35, 14.55, "Frankfurt"),
        headers={**h, "Content-Type": "text/csv"},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (err,) = r.json()["errors"]
    assert (err["row"], err["field"], err["value"]) == (2, "lat", "52.35")
    assert "is not in Poland" in err["reason"]
    assert client.get("/v1/inventories", headers=h).json()["count"] == 0
