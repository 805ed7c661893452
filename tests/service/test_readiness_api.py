"""Readiness API: values in (JSON/CSV, history, precedence, every error at once), scores, publications.

Scores are checked against an independent hand calculation from the framework files: goalposts
normalisation clamp((x - min) / (max - min), 0, 1) * 100 (reversed for direction -1), weighted
arithmetic means indicator -> pillar -> overall (OECD/JRC 2008, steps 5-6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from integration.readiness.framework import DATA_DIR
from service.readiness.public_schema import PublicSnapshot
from tests.service.test_jobs import wait_for

LUBLIN = "0663011"
# City-reported values for 2025 (illustrative, inside the plausible ranges of the reference data)
CITY_VALUES = {
    "dwellings_per_1000": 560.0,  # replaces the packaged 2025 reference value 538.8: the city wins
    "floor_area_per_person_m2": 31.2,
    "vacant_municipal_dwellings_per_1000": 1.9,
    "municipal_housing_waiting_list_per_1000": 3.4,
    "dwelling_price_pln_per_m2": 9800.0,
    "dwellings_completed_per_1000": 9.1,
    "free_primary_places_per_1000": 4.2,
    "free_preschool_places_per_1000": 1.1,
    "pupils_per_class": 23.1,
    "preschool_coverage_3_6_pct": 96.0,
    "preparatory_classes_per_100k": 9.5,
    "primary_care_doctors_per_10k": 7.9,
    "social_workers_per_10k": 4.6,
    "social_assistance_beneficiaries_per_10k": 310.0,
}


def put_city_values(client, tenants, values: dict | None = None, year: int = 2025):  # type: ignore[no-untyped-def]
    body = {"values": [{"indicator": k, "value": v, "year": year, "source": "UM Lublin, sprawozdanie 2025"}
                       for k, v in (values or CITY_VALUES).items()]}  # fmt: skip
    r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json=body, headers=tenants.h(tenants.city_key))
    assert r.status_code == 200, r.text
    return r.json()


def compute(client, tenants, arrivals: float | None = None, runs: int = 200) -> str:  # type: ignore[no-untyped-def]
    """Scores of Lublin computed in the request (one city, <= 1,000 uncertainty runs); the run id."""
    body: dict = {"teryts": [LUBLIN], "uncertainty_runs": runs}
    if arrivals is not None:
        body["scenario"] = {"scenario_id": "lublin-test", "label": "Test", "arrivals": arrivals}
    r = client.post("/v1/readiness/scores", json=body, headers=tenants.h(tenants.city_key))
    assert r.status_code == 201, r.text
    return r.json()["run_id"]


def compute_and_publish(client, tenants, arrivals: float | None = None) -> dict:  # type: ignore[no-untyped-def]
    run_id = compute(client, tenants, arrivals)
    r = client.post(
        f"/v1/readiness/{LUBLIN}/publications", json={"run_id": run_id}, headers=tenants.h(tenants.city_key)
    )
    assert r.status_code == 201, r.text
    return r.json()


def hand_scores(values: dict[str, float]) -> dict[str, float]:
    """Independent goalposts + weighted arithmetic means from the framework CSV files."""
    ind = pd.read_csv(DATA_DIR / "indicators.csv").set_index("code")
    pillars = pd.read_csv(DATA_DIR / "pillars.csv").set_index("code")
    ind = ind[ind["role"] == "score"].loc[
        [c for c in values if c in ind.index and ind.at[c, "role"] == "score"]
    ]
    x = np.array([values[c] for c in ind.index])
    low, high = ind["goalpost_min"].to_numpy(), ind["goalpost_max"].to_numpy()
    y = np.where(ind["direction"] > 0, (x - low) / (high - low), (high - x) / (high - low))
    norm = pd.Series(np.clip(y, 0, 1) * 100, index=ind.index)
    w = ind["weight"]
    out = {
        p: float((norm * w)[ind["pillar"] == p].sum() / w[ind["pillar"] == p].sum()) for p in pillars.index
    }
    out["overall"] = float(
        sum(out[p] * pillars.at[p, "weight"] for p in pillars.index) / pillars["weight"].sum()
    )
    return out


def test_put_values_json_and_precedence_and_history(client, tenants) -> None:
    first = put_city_values(client, tenants)
    assert first["version"] == 1 and first["values_stored"] == len(CITY_VALUES)
    got = client.get(f"/v1/readiness/{LUBLIN}/indicators", headers=tenants.h(tenants.city_key)).json()
    dw = [v for v in got["values"] if v["indicator"] == "dwellings_per_1000" and v["year"] == 2025]
    by_origin = {v["origin"]: v for v in dw}
    assert set(by_origin) == {"city", "reference"}  # both shown, each with its source
    assert by_origin["city"]["used"] and not by_origin["reference"]["used"]
    assert by_origin["city"]["source"] == "UM Lublin, sprawozdanie 2025"
    assert all(v["source"] for v in got["values"])

    second = put_city_values(client, tenants, {"vacant_municipal_dwellings_per_1000": 2.4})
    assert second["version"] == 2 and second["values_superseded"] == 1
    now = client.get(f"/v1/readiness/{LUBLIN}/indicators", headers=tenants.h(tenants.city_key)).json()
    vac = [v for v in now["values"] if v["indicator"] == "vacant_municipal_dwellings_per_1000"]
    assert [v["value"] for v in vac] == [2.4]
    hist = client.get(
        f"/v1/readiness/{LUBLIN}/indicators?history=true", headers=tenants.h(tenants.city_key)
    ).json()
    vac = sorted((v for v in hist["values"] if v["indicator"] == "vacant_municipal_dwellings_per_1000"),
                 key=lambda v: v["version"])  # fmt: skip
    assert [(v["value"], v["version"], v["superseded_at"] is not None) for v in vac] == [
        (1.9, 1, True), (2.4, 2, False)
    ]  # fmt: skip


def test_put_values_csv_semicolon_decimal_comma(client, tenants) -> None:
    csv = (
        "indicator;value;year;source\npupils_per_class;23,1;2024;SIO\nintegration_centre;2;2025;CIC Lublin\n"
    )
    r = client.put(f"/v1/readiness/{LUBLIN}/indicators", content=csv.encode(),
                   headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 200, r.text
    got = client.get(f"/v1/readiness/{LUBLIN}/indicators", headers=tenants.h(tenants.city_key)).json()
    ppc = [v for v in got["values"] if v["indicator"] == "pupils_per_class"]
    assert ppc[0]["value"] == 23.1 and ppc[0]["origin"] == "city"


def test_bad_values_every_error_at_once_nothing_stored(client, tenants) -> None:
    body = {"values": [
        {"indicator": "pupils_per_class", "value": "dwadzieścia", "year": 2024},
        {"indicator": "no_such_indicator", "value": 1, "year": 2024},
        {"indicator": "housing_headroom", "value": 1, "year": 2024},
        {"indicator": "social_workers_per_10k", "value": -3, "year": 1850},
        {"indicator": "pupils_per_class", "value": 22, "year": 2023, "unit": "m2"},
        {"indicator": "pupils_per_class", "value": 21, "year": 2024},
    ]}  # fmt: skip
    r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json=body, headers=tenants.h(tenants.city_key))
    assert r.status_code == 422
    found = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert found == {(1, "value"), (2, "indicator"), (3, "indicator"), (4, "value"), (4, "year"), (5, "unit"),
                     (6, "year")}  # fmt: skip
    assert next(e for e in r.json()["errors"] if e["row"] == 1)["value"] == "dwadzieścia"
    hist = client.get(f"/v1/readiness/{LUBLIN}/indicators?history=true", headers=tenants.h(tenants.city_key))
    assert all(v["origin"] == "reference" for v in hist.json()["values"])


def test_tenancy_and_teryt_format(client, tenants) -> None:
    body = {"values": [{"indicator": "pupils_per_class", "value": 22, "year": 2024}]}
    url = f"/v1/readiness/{LUBLIN}/indicators"
    assert client.put(url, json=body, headers=tenants.h(tenants.other_city_key)).status_code == 404
    assert client.put(url, json=body, headers=tenants.h(tenants.advisor_key)).status_code == 404
    assert client.put(url, json=body, headers=tenants.h(tenants.portal_key)).status_code == 403
    assert client.put("/v1/readiness/66301/indicators", json=body,
                      headers=tenants.h(tenants.city_key)).status_code == 422  # fmt: skip
    r = client.post(
        "/v1/readiness/scores", json={"teryts": ["06630111"]}, headers=tenants.h(tenants.city_key)
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("teryts")


def test_advisor_needs_plan_access(client, tenants) -> None:
    body = {"values": [{"indicator": "pupils_per_class", "value": 22, "year": 2024}]}
    url, adv = f"/v1/readiness/{LUBLIN}/indicators", tenants.h(tenants.advisor_key)
    grant = {"advisor_org_id": str(tenants.advisor_id), "access": "read"}
    assert client.post("/v1/grants", json=grant, headers=tenants.h(tenants.city_key)).status_code == 201
    assert client.get(url, headers=adv).status_code == 200
    assert client.put(url, json=body, headers=adv).status_code == 403
    grant["access"] = "plan"
    assert client.post("/v1/grants", json=grant, headers=tenants.h(tenants.city_key)).status_code == 201
    assert client.put(url, json=body, headers=adv).status_code == 200
    r = client.post("/v1/readiness/scores", json={"teryts": [LUBLIN]}, headers=adv)
    assert r.status_code == 201 and r.json()["scores"][0]["teryt"] == LUBLIN


def test_sync_scores_match_hand_calculation(client, tenants) -> None:
    put_city_values(client, tenants)
    r = client.post("/v1/readiness/scores", json={"teryts": [LUBLIN]}, headers=tenants.h(tenants.city_key))
    assert r.status_code == 201, r.text
    row = r.json()["scores"][0]
    # packaged reference values the city did not report also enter: registered unemployment (2025)
    # and the (undated) integration centre ordinal of Lublin
    expected = hand_scores(
        {**CITY_VALUES, "registered_unemployed_per_1000": 24.48, "integration_centre": 1.0}
    )
    for pillar in ("housing", "schooling", "services"):
        assert_allclose(row["pillars"][pillar]["score"], expected[pillar], atol=1e-3)
    assert_allclose(row["score"], expected["overall"], atol=1e-3)
    assert row["coverage"]["indicators_present"] == len(CITY_VALUES) + 2
    assert row["coverage"]["missing"] == [] and row["vintage"]["min_year"] == 2025


def test_bad_scenario_weights_methods_are_422_and_store_nothing(client, tenants) -> None:
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    bad = [
        {"scenario": {"arrivals": -5}},
        {"scenario": {"arrivals": 100, "primary_share": 1.5}},
        {"scenario": {"arrivals": 100, "primary_share": 0.6, "preschool_share": 0.5}},
        {"methods": {"normalisation": "fancy"}},
        {"methods": {"smoothing": "yes"}},
        {"weights": {"no_such_code": 1}},
    ]
    for extra in bad:
        r = client.post("/v1/readiness/scores", json={"teryts": [LUBLIN], **extra}, headers=h)
        assert r.status_code == 422, (extra, r.text)
    assert client.get(f"/v1/readiness/{LUBLIN}/scores", headers=h).status_code == 404


def test_publication_needs_scores_then_supersedes(client, tenants) -> None:
    h = tenants.h(tenants.city_key)
    missing = client.post(f"/v1/readiness/{LUBLIN}/publications", json={}, headers=h)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "run_id", missing.text
    put_city_values(client, tenants)
    first = compute_and_publish(client, tenants, arrivals=5000)
    snap = PublicSnapshot.model_validate(first["snapshot"])
    assert snap.snapshot_id == f"rs-{LUBLIN}-0001" and snap.supersedes is None
    assert snap.scenario.arrivals_persons == 5000
    assert_allclose(snap.scenario.arrivals_per_1000_residents, 1000 * 5000 / 326685.0, atol=0.01)
    assert snap.data_vintage.min_year == snap.data_vintage.max_year == 2025
    second = compute_and_publish(client, tenants)
    assert second["snapshot"]["supersedes"] == snap.snapshot_id
    assert second["snapshot"]["config_hash"] != first["snapshot"]["config_hash"]  # other scenario
    items = client.get(f"/v1/readiness/{LUBLIN}/publications", headers=h).json()["items"]
    assert [i["snapshot_id"] for i in items] == [f"rs-{LUBLIN}-0002", f"rs-{LUBLIN}-0001"]
    assert items[1]["snapshot"] == first["snapshot"]  # published snapshots never change


def test_many_cities_with_uncertainty_run_as_job(client, tenants) -> None:
    put_city_values(client, tenants)
    body = {"teryts": [LUBLIN, "1261011", "1465011"], "uncertainty_runs": 200}
    r = client.post("/v1/readiness/scores", json=body, headers=tenants.h(tenants.admin_key))
    assert r.status_code == 202, r.text
    job_url = r.headers["Location"]
    job = wait_for(lambda: (j := client.get(job_url, headers=tenants.h(tenants.admin_key)).json())["status"]
                   in ("succeeded", "failed") and j, 60)  # fmt: skip
    assert job["status"] == "succeeded", job
    run = client.get(job["result_url"], headers=tenants.h(tenants.admin_key)).json()
    assert run["unit_count"] == 3 and run["status"] == "succeeded"
    for row in run["scores"]:
        ov = row["pillars"]["overall"]
        assert ov["interval_low"] <= ov["interval_high"]
        assert row["coverage"]["uncertainty_runs"] == 200
    lublin = next(s for s in run["scores"] if s["teryt"] == LUBLIN)
    assert lublin["pillars"]["overall"]["interval_high"] > lublin["pillars"]["overall"]["interval_low"]
    # the city cannot read the admin's run, and cannot start a job for gminas it does not own
    assert client.get(job["result_url"], headers=tenants.h(tenants.city_key)).status_code == 404
    r = client.post("/v1/readiness/scores", json=body, headers=tenants.h(tenants.city_key))
    assert r.status_code == 404


def test_scenario_labels_per_language_reach_the_widget(client, tenants) -> None:
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    body = {"teryts": [LUBLIN],
            "scenario": {"scenario_id": "w", "label": "What-if", "arrivals": 2000,
                         "labels": {"pl": "Wariant 2 000 osób", "uk": "Варіант 2 000 осіб"}}}  # fmt: skip
    r = client.post("/v1/readiness/scores", json={**body, "uncertainty_runs": 100}, headers=h)
    assert r.status_code == 201, r.text
    run_id = r.json()["run_id"]
    pub = client.post(f"/v1/readiness/{LUBLIN}/publications", json={"run_id": run_id}, headers=h)
    assert pub.status_code == 201, pub.text
    assert pub.json()["snapshot"]["scenario"]["labels"]["pl"] == "Wariant 2 000 osób"
    assert "Wariant 2 000 osób" in client.get(f"/v1/public/readiness/{LUBLIN}/widget?lang=pl").text
    en = client.get(f"/v1/public/readiness/{LUBLIN}/widget?lang=en").text
    assert "What-if" not in en and "Wariant" not in en
    bad = dict(body, scenario={**body["scenario"], "labels": {"de": "x"}})
    assert client.post("/v1/readiness/scores", json=bad, headers=h).status_code == 422


def test_publishing_names_a_run_with_intervals_and_previews_exactly_it(client, tenants) -> None:
    """Nothing goes public by accident: no default "latest run", no run without uncertainty runs,
    and the preview is the snapshot that publishing then freezes."""
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    what_if = compute(client, tenants, arrivals=20000, runs=0)
    r = client.post(f"/v1/readiness/{LUBLIN}/publications", json={"run_id": what_if}, headers=h)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "run_id", r.text
    assert "uncertainty_runs 0 < 100" in r.json()["errors"][0]["reason"]
    assert client.get(f"/v1/public/readiness/{LUBLIN}").status_code == 404  # nothing went public
    assert client.get(f"/v1/readiness/{LUBLIN}/publications", headers=h).json()["count"] == 0

    run_id = compute(client, tenants, arrivals=5000, runs=200)
    preview = client.post(f"/v1/readiness/{LUBLIN}/publications/preview", json={"run_id": run_id}, headers=h)
    assert preview.status_code == 200, preview.text
    assert client.get(f"/v1/public/readiness/{LUBLIN}").status_code == 404  # a preview stores nothing
    pub = client.post(f"/v1/readiness/{LUBLIN}/publications", json={"run_id": run_id}, headers=h).json()
    seen, frozen = preview.json()["snapshot"], pub["snapshot"]
    assert {k: v for k, v in seen.items() if k != "published_at"} == {
        k: v for k, v in frozen.items() if k != "published_at"
    }
    ov = frozen["overall"]
    assert ov["interval_low"] < ov["interval_high"], "a published score states a real interval"
    # another city gets 404; an advisor with a read grant may look but not publish or withdraw (403)
    other = client.post(f"/v1/readiness/{LUBLIN}/publications", json={"run_id": run_id},
                        headers=tenants.h(tenants.other_city_key))  # fmt: skip
    assert other.status_code == 404
    grant = {"advisor_org_id": str(tenants.advisor_id), "access": "read"}
    assert client.post("/v1/grants", json=grant, headers=h).status_code == 201
    adv = tenants.h(tenants.advisor_key)
    assert client.get(f"/v1/readiness/{LUBLIN}/publications", headers=adv).json()["count"] == 1
    withdraw = f"/v1/readiness/{LUBLIN}/publications/{pub['snapshot_id']}/withdrawal"
    assert client.post(withdraw, json={"reason": "advisor says so"}, headers=adv).status_code == 403


def test_withdrawn_publication_answers_410_until_superseded(client, tenants) -> None:
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    first = compute_and_publish(client, tenants, arrivals=5000)
    snap_id = first["snapshot_id"]
    assert client.get(f"/v1/public/readiness/{LUBLIN}").status_code == 200
    url = f"/v1/readiness/{LUBLIN}/publications/{snap_id}/withdrawal"
    assert client.post(url, json={"reason": "x"}, headers=h).status_code == 422  # reason too short
    assert client.post(url, json={"reason": "wrong data"},
                       headers=tenants.h(tenants.other_city_key)).status_code == 404  # fmt: skip
    r = client.post(url, json={"reason": "Błędna liczba mieszkań komunalnych"}, headers=h)
    assert r.status_code == 200 and r.json()["withdrawn_at"], r.text
    assert client.post(url, json={"reason": "again, please"}, headers=h).status_code == 409

    gone = client.get(f"/v1/public/readiness/{LUBLIN}")
    assert gone.status_code == 410 and gone.headers["access-control-allow-origin"] == "*"
    assert gone.json()["withdrawn_at"].startswith(r.json()["withdrawn_at"][:10])
    assert client.get(f"/v1/public/readiness/{LUBLIN}/badge.svg").status_code == 410
    widget = client.get(f"/v1/public/readiness/{LUBLIN}/widget?lang=uk")
    assert widget.status_code == 410 and "Оцінку відкликано" in widget.text
    assert "Wynik wycofany" in client.get(f"/v1/public/readiness/{LUBLIN}/widget").text

    second = compute_and_publish(client, tenants, arrivals=6000)
    assert second["snapshot"]["supersedes"] == snap_id
    assert client.get(f"/v1/public/readiness/{LUBLIN}").json()["snapshot_id"] == second["snapshot_id"]
    history = client.get(f"/v1/public/readiness/{LUBLIN}/history").json()
    assert [(i["snapshot_id"], i["current"], bool(i["withdrawn_at"])) for i in history["items"]] == [
        (second["snapshot_id"], True, False),
        (snap_id, False, True),
    ]
    assert history["items"][1]["withdrawn_reason"] == "Błędna liczba mieszkań komunalnych"
    assert client.get("/v1/public/readiness/1261011/history").status_code == 404
