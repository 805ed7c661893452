"""The answers read from the rows (``from_attributes`` schemas) are the JSON the hand-written mappers gave.

Each ``before_*`` below is the mapper the service had before its answers became schemas validated
from the ORM rows (``service/*/service.py::*_out``, ``JobOut.from_row``, the readiness router's
``_pub_out``), kept here as the reference: rows of every shape the derivations distinguish (a job
that failed with an error and one without, an assessment with results, one whose job runs and one
without a job, a finished plan with its cash flow and one in a list, a version without warnings, a
run with and without a job) are stored, read through the API, and compared field for field.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pydantic_core

from service.assessments.models import Assessment, Climate
from service.inventory.models import Inventory, InventoryVersion
from service.jobs.models import Job
from service.orgs.models import Grant, Organisation
from service.portfolios.models import Portfolio
from service.readiness.models import ReadinessPublication, ReadinessScore, ReadinessScoreRun
from service.readiness.render import embed_snippet

TERYT = "0663011"  # the tenants' city (tests/conftest.py)


def before_job(job: Job) -> dict[str, Any]:
    return dict(
        id=job.id, kind=job.kind, subject_type=job.subject_type, subject_id=job.subject_id,
        status=job.status, progress_pct=job.progress, message=job.message,
        error={"type": job.error_type, "detail": job.error_detail or ""} if job.error_type else None,
        result=job.result, result_url=job.result_path, attempts=job.attempts, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at, url=f"/v1/jobs/{job.id}",
    )  # fmt: skip


def before_inventory(inv: Inventory, teryt: str | None) -> dict[str, Any]:
    return dict(id=inv.id, name=inv.name, city_teryt=teryt, created_at=inv.created_at,
                latest_version=inv.latest_version, url=f"/v1/inventories/{inv.id}")  # fmt: skip


def before_version(ver: InventoryVersion) -> dict[str, Any]:
    return dict(
        inventory_id=ver.inventory_id, version=ver.version, created_at=ver.created_at,
        source_format=ver.source_format, building_count=ver.building_count,
        heated_area_m2=ver.heated_area_m2, warnings=ver.warnings or [],
        url=f"/v1/inventories/{ver.inventory_id}/versions/{ver.version}",
    )  # fmt: skip


def before_assessment(row: Assessment, job: Job | None) -> dict[str, Any]:
    status = "succeeded" if row.totals is not None else (job.status if job else "unknown")
    return dict(
        id=row.id, inventory_id=row.inventory_id, inventory_version=row.inventory_version,
        climate_id=row.climate_id, status=status, job=before_job(job) if job else None, params=row.params,
        city_lat=row.city_lat, city_lon=row.city_lon, city_location_source=row.city_location_source,
        engine_version=row.engine_version, created_at=row.created_at, finished_at=row.finished_at,
        url=f"/v1/assessments/{row.id}", result=None,
    )  # fmt: skip


def before_portfolio(row: Portfolio, job: Job | None, full: bool) -> dict[str, Any]:
    done = row.finished_at is not None
    return dict(
        id=row.id, kind=row.kind, name=row.name,
        status="succeeded" if done else (job.status if job else "unknown"),
        job=before_job(job) if job else None, inventory_id=row.inventory_id,
        inventory_version=row.inventory_version, assessment_id=row.assessment_id, request=row.request,
        engine_version=row.engine_version, candidate_count=row.candidate_count, solve=row.solve,
        totals=row.totals, projects=[] if full and done and row.kind == "portfolio" else None,
        cash_flow=row.cash_flow if full else None, frontier=row.frontier if full else None,
        created_at=row.created_at, finished_at=row.finished_at, url=f"/v1/portfolios/{row.id}",
    )  # fmt: skip


def before_grant(g: Grant, advisor_name: str | None) -> dict[str, Any]:
    return dict(id=g.id, city_org_id=g.city_org_id, advisor_org_id=g.advisor_org_id,
                advisor_name=advisor_name or "", access=g.access)  # fmt: skip


def before_climate(row: Climate) -> dict[str, Any]:
    return dict(
        id=row.id, name=row.name, filename=row.filename, file_format=row.file_format, source=row.source,
        period=row.period, lat=row.lat, lon=row.lon, altitude_m=row.altitude_m,
        ghi_kwh_m2_per_year=row.ghi_kwh_m2_per_year, mean_temp_air_c=row.mean_temp_air_c,
        created_at=row.created_at, url=f"/v1/climates/{row.id}",
    )  # fmt: skip


def before_score(row: ReadinessScore, run_id: uuid.UUID) -> dict[str, Any]:
    return dict(teryt=row.teryt, score=row.score, rank=row.rank, pillars=row.pillars, coverage=row.coverage,
                vintage=row.vintage, detail=row.detail, run_id=run_id, computed_at=row.created_at)  # fmt: skip


def before_run(run: ReadinessScoreRun, scores: list[ReadinessScore]) -> dict[str, Any]:
    return dict(
        run_id=run.id, status=run.status, teryts=run.teryts, request=run.request,
        methodology_version=run.methodology_version, config_hash=run.config_hash, unit_count=run.unit_count,
        created_at=run.created_at, finished_at=run.finished_at,
        job_url=f"/v1/jobs/{run.job_id}" if run.job_id else None,
        scores=[before_score(s, run.id) for s in sorted(scores, key=lambda s: s.teryt)],
    )  # fmt: skip


def before_publication(pub: ReadinessPublication, base_url: str) -> dict[str, Any]:
    return dict(
        snapshot_id=pub.snapshot_id, teryt=pub.teryt, seq=pub.seq, supersedes=pub.snapshot.get("supersedes"),
        published_at=pub.published_at, public_url=f"/v1/public/readiness/{pub.teryt}",
        embed_snippet=embed_snippet(base_url, pub.teryt, "pl"), snapshot=pub.snapshot,
        withdrawn_at=pub.withdrawn_at, withdrawn_reason=pub.withdrawn_reason,
    )  # fmt: skip


def as_json(value: Any) -> Any:
    return pydantic_core.to_jsonable_python(value)


def _job(s, city: uuid.UUID, **values: Any) -> Job:  # type: ignore[no-untyped-def]
    job = Job(kind="noop", org_id=city, owner_org_id=city, subject_type="assessment",
              subject_id=str(uuid.uuid4()), **values)  # fmt: skip
    s.add(job)
    s.flush()
    return job


def test_answers_from_rows_are_the_json_the_mappers_gave(app_and_tenants, client):  # type: ignore[no-untyped-def]
    app, tenants = app_and_tenants
    h = tenants.h(tenants.city_key)
    now = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
    with app.state.session_factory() as s:
        city = tenants.city_id
        inv = Inventory(org_id=city, name="Budynki gminne", latest_version=2)
        s.add(inv)
        s.flush()
        versions = [
            InventoryVersion(inventory_id=inv.id, version=1, created_by_org_id=city, source_format="csv",
                             building_count=3, heated_area_m2=1234.5, warnings=None),
            InventoryVersion(inventory_id=inv.id, version=2, created_by_org_id=city, source_format="xlsx",
                             building_count=4, heated_area_m2=2345.5,
                             warnings=[{"row": 3, "field": "storeys", "value": 12, "reason": "unusual"}]),
        ]  # fmt: skip
        s.add_all(versions)
        failed = _job(s, city, status="failed", progress=40, message="balance", error_type="infeasible",
                      error_detail=None, attempts=2, started_at=now, finished_at=now)  # fmt: skip
        running = _job(s, city, status="running", progress=10, message="geometry", result={"n": 3},
                       result_path="/v1/assessments/x")  # fmt: skip
        common = dict(owner_org_id=city, created_by_org_id=city, inventory_id=inv.id, version_id=versions[0].id,
                      inventory_version=1, city_lat=51.25, city_lon=22.57, city_location_source="test")  # fmt: skip
        assessments = [
            Assessment(**common, job_id=running.id, params={"climate": "lublin"}),
            Assessment(**common, job_id=failed.id, totals={"final_energy_kwh": 1.0}, finished_at=now),
            Assessment(**common, job_id=None, engine_version="0.9"),
        ]
        s.add_all(assessments)
        plan = dict(owner_org_id=city, created_by_org_id=city, inventory_id=inv.id, version_id=versions[0].id,
                    inventory_version=1)  # fmt: skip
        portfolios = [
            Portfolio(**plan, name="done", job_id=failed.id, finished_at=now, totals={"capex_pln": 1.0},
                      cash_flow=[{"year": 2027, "capex_pln": 1.0}], solve={"status": "Optimal"}, candidate_count=7),
            Portfolio(**plan, name="front", kind="frontier", job_id=running.id, frontier=[{"epsilon": 1.0}]),
            Portfolio(**plan, name="lost", job_id=None),
        ]  # fmt: skip
        s.add_all(portfolios)
        climate = Climate(org_id=city, name="dach ratusza", filename="tmy.csv", file_format="csv", content=b"-",
                          source="PVGIS", period="2005-2023", lat=51.25, lon=22.57, altitude_m=200.0,
                          ghi_kwh_m2_per_year=1100.0, mean_temp_air_c=8.3)  # fmt: skip
        s.add(climate)
        s.add(Grant(city_org_id=city, advisor_org_id=tenants.advisor_id, access="plan"))
        runs = [ReadinessScoreRun(org_id=city, request={"teryts": [TERYT]}, teryts=[TERYT], status="succeeded",
                                  methodology_version="2026.1", unit_count=1, finished_at=now),
                ReadinessScoreRun(org_id=city, request={}, teryts=[TERYT], status="queued", job_id=running.id)]  # fmt: skip
        s.add_all(runs)
        s.flush()
        score = ReadinessScore(run_id=runs[0].id, teryt=TERYT, score=58.3, rank=1, pillars={},
                               coverage={"share": 1.0}, vintage={"newest": 2024})  # fmt: skip
        s.add(score)
        s.flush()
        pubs = [ReadinessPublication(snapshot_id="rs-0663011-0001", teryt=TERYT, seq=1, score_id=score.id,
                                     snapshot={"supersedes": None, "overall": {"score": 58.3}}),
                ReadinessPublication(snapshot_id="rs-0663011-0002", teryt=TERYT, seq=2, score_id=score.id,
                                     snapshot={"supersedes": "rs-0663011-0001"}, withdrawn_at=now,
                                     withdrawn_reason="a wrong value")]  # fmt: skip
        s.add_all(pubs)
        s.commit()
        for row in [inv, *versions, failed, running, *assessments, *portfolios, climate, *runs, score, *pubs]:
            s.refresh(row)  # as the API reads them back (the database's rounding of times)
        grants = s.query(Grant).filter(Grant.city_org_id == city, Grant.revoked_at.is_(None)).all()
        assert grants
        jobs = {failed.id: failed, running.id: running}
        base_url = app.state.settings.base_url

        def get(url: str) -> Any:
            response = client.get(url, headers=h)
            assert response.status_code == 200, response.text
            return response.json()

        listed = {i["id"]: i for i in get("/v1/inventories")["items"]}
        assert listed[str(inv.id)] == as_json(before_inventory(inv, TERYT))
        detail = get(f"/v1/inventories/{inv.id}")
        assert detail == as_json(
            {**before_inventory(inv, TERYT), "versions": [before_version(v) for v in versions]}
        )
        assert get(f"/v1/inventories/{inv.id}/versions") == as_json([before_version(v) for v in versions])

        listed = {a["id"]: a for a in get(f"/v1/inventories/{inv.id}/assessments")["items"]}
        for row in assessments:
            expected = as_json(before_assessment(row, jobs.get(row.job_id)))  # type: ignore[arg-type]
            assert listed[str(row.id)] == expected
            detail = get(f"/v1/assessments/{row.id}")
            if row.totals is not None:  # a finished one's detail also carries its result (none stored here)
                assert detail["result"]["totals"] == row.totals
                detail["result"] = None
            assert detail == expected
        assert {a["status"] for a in listed.values()} == {"running", "succeeded", "unknown"}

        listed = {p["id"]: p for p in get("/v1/portfolios")["items"]}
        for row in portfolios:
            job = jobs.get(row.job_id)  # type: ignore[arg-type]
            assert listed[str(row.id)] == as_json(before_portfolio(row, job, full=False))
            assert get(f"/v1/portfolios/{row.id}") == as_json(before_portfolio(row, job, full=True))
        assert {p["status"] for p in listed.values()} == {"succeeded", "running", "unknown"}

        listed = {j["id"]: j for j in get("/v1/jobs?limit=100")["items"]}
        for job in (failed, running):
            assert listed[str(job.id)] == as_json(before_job(job)) == get(f"/v1/jobs/{job.id}")
        assert listed[str(failed.id)]["error"] == {"type": "infeasible", "detail": ""}

        expected = [before_grant(g, s.get(Organisation, g.advisor_org_id).name) for g in grants]  # type: ignore[union-attr]
        assert sorted(get("/v1/grants"), key=lambda g: g["id"]) == sorted(
            as_json(expected), key=lambda g: g["id"]
        )
        assert get("/v1/climates")["items"] == as_json([before_climate(climate)])
        for run, scores in zip(runs, [[score], []], strict=True):
            assert get(f"/v1/readiness/scores/{run.id}") == as_json(before_run(run, scores))
        assert get(f"/v1/readiness/{TERYT}/scores") == as_json(before_score(score, runs[0].id))
        published = get(f"/v1/readiness/{TERYT}/publications")["items"]
        assert published == as_json([before_publication(p, base_url) for p in reversed(pubs)])
