"""The energy diagnosis of a big city is a job: 202, progress that moves, then the stored PDF with
every building in its annex; the same bytes as a synchronous render; the key's tenancy holds."""

from __future__ import annotations

import time
import uuid

import pandas as pd

from service.i18n import fmt_number
from service.reports.service import SYNC_REPORT_MAX_BUILDINGS
from tests.service.test_assessments_api import DEMO_CSV, create_inventory, run_assessment, wait_job
from tests.service.test_reports import norm, pdf_text


def big_city_csv(n: int) -> bytes:
    """``n`` buildings: the demo city's 40 repeated with fresh ids."""
    demo = pd.read_csv(DEMO_CSV)
    frame = pd.concat([demo] * -(-n // len(demo)), ignore_index=True).head(n)
    frame["building_id"] = [f"B-{i:05d}" for i in range(n)]
    return frame.to_csv(index=False).encode()


def watch_job(client, headers, url: str, timeout_s: float = 240.0) -> tuple[dict, list[int]]:  # type: ignore[no-untyped-def]
    """Poll a job often; returns its final state and every progress value seen while it ran."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job, seen
        if job["status"] == "running":
            seen.append(job["progress_pct"])
        time.sleep(0.05)
    raise AssertionError(f"job {url} not finished within {timeout_s} s")


def test_big_city_report_is_a_job_whose_pdf_has_every_building(client, tenants, app_and_tenants) -> None:  # type: ignore[no-untyped-def]
    n = SYNC_REPORT_MAX_BUILDINGS + 20
    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/inventories?name=big", content=big_city_csv(n), headers={**h, "Content-Type": "text/csv"}
    )
    assert r.status_code == 201, r.text
    job = run_assessment(client, tenants, r.json()["inventory"]["id"])
    url = job["result_url"] + "/report.pdf?lang=pl"
    first = client.get(url, headers=h)
    assert first.status_code == 202, first.text
    report_job = first.json()
    assert report_job["kind"] == "energy_report" and first.headers["Location"] == report_job["url"]
    # asking again while it runs answers the same job, not a second one
    again = client.get(url, headers=h)
    assert again.status_code in (200, 202)
    if again.status_code == 202:
        assert again.json()["id"] == report_job["id"]
    assert client.get(url, headers=tenants.h(tenants.other_city_key)).status_code == 404
    done, seen = watch_job(client, h, first.headers["Location"])
    assert done["status"] == "succeeded", done
    assert done["progress_pct"] == 100 and len(set(seen)) > 1, seen
    assert done["result_url"] == url and done["result"]["pages"] > 10
    pdf = client.get(url, headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    result = client.get(job["result_url"], headers=h).json()["result"]
    buildings = result["buildings"]
    assert len(buildings) == n
    last = buildings[-1]
    assert last["building_id"] == f"B-{n - 1:05d}" and f"B-{n - 1:05d}" in text, "the last building is listed"
    assert all(f"B-{i:05d}" in text for i in range(0, n, 7)), "every building is listed"
    assert norm(fmt_number(last["ep"]["ep_hw_kwh_per_m2_year"], "pl")) in text
    assert norm(fmt_number(result["totals"]["co2_t_per_year"], "pl")) + " t" in text
    assert client.get(url, headers=h).content == pdf.content, "the stored PDF is served again"
    assert client.get(url, headers=tenants.h(tenants.other_city_key)).status_code == 404
    # the stored bytes are what a synchronous render of the same run gives
    from service.assessments import service as assessments
    from service.db import engine_for, session_scope
    from service.reports.service import energy_pdf

    app, _ = app_and_tenants
    with session_scope(engine_for(app.state.settings.database_url)) as s:
        doc = assessments.job_document(s, uuid.UUID(job["result_url"].rsplit("/", 1)[1]))
        assert doc is not None and energy_pdf(doc, "pl")[0] == pdf.content


def test_small_city_may_ask_for_the_job_and_gets_the_sync_bytes(client, tenants) -> None:  # type: ignore[no-untyped-def]
    h = tenants.h(tenants.city_key)
    job = run_assessment(client, tenants, create_inventory(client, tenants, 6))
    url = job["result_url"] + "/report.pdf?lang=uk"
    sync = client.get(url, headers=h)
    assert sync.status_code == 200
    queued = client.get(url + "&async=true", headers=h)
    assert queued.status_code == 202, queued.text
    done = wait_job(client, h, queued.headers["Location"])
    assert done["status"] == "succeeded" and done["result_url"] == url
    assert client.get(url, headers=h).content == sync.content
    # Prefer: respond-async for another language starts its own job; another tenant sees nothing
    en = client.get(job["result_url"] + "/report.pdf?lang=en", headers={**h, "Prefer": "respond-async"})
    assert en.status_code == 202 and en.json()["id"] != queued.json()["id"]
    other = tenants.h(tenants.other_city_key)
    assert client.get(url + "&async=true", headers=other).status_code == 404
    wait_job(client, h, en.headers["Location"])
