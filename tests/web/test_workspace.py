"""The workspace in a real browser (Debian's Chromium via Playwright): the way through the work."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import DEMO_CSV

pytestmark = pytest.mark.browser
BAD_CSV = Path(__file__).resolve().parents[1] / "data" / "inventory" / "bad_values.csv"


def test_sign_in_and_out(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    page.goto(web_server.url("/app/inventories"))
    assert "/app/sign-in" in page.url  # not signed in: the form, not the data
    axe_check(page)
    shoot(page, "sign_in")
    page.fill("#api_key", "mst_wrong_key")
    page.click("form[action='/app/sign-in'] button[type=submit]")
    assert page.locator("#err-api_key").is_visible()
    signed_in(page, web_server.tenants.city_key)
    assert page.url.endswith("/app/inventories")
    cookie = next(c for c in page.context.cookies() if c["name"] == "miasto_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert web_server.tenants.city_key not in page.content()
    assert page.evaluate("() => JSON.stringify(localStorage)") == "{}"
    axe_check(page)
    shoot(page, "inventories")
    page.click("form[action='/app/sign-out'] button")
    assert "/app/sign-in" in page.url
    page.goto(web_server.url("/app/inventories"))
    assert "/app/sign-in" in page.url
    # the server ended the session: a copy of the old cookie no longer signs anyone in
    copied = httpx.get(web_server.url("/app/inventories"), cookies={"miasto_session": cookie["value"]},
                       follow_redirects=False)  # fmt: skip
    assert copied.status_code in (303, 307) and "/app/sign-in" in copied.headers["location"]


def test_upload_with_errors_then_good(web_server, page, signed_in, shoot, axe_check, tmp_path) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key)
    page.fill("#inv-name", "Plik z błędami")
    page.set_input_files("#inv-file", str(BAD_CSV))
    page.click("form.upload button[type=submit]")
    table = page.locator("#upload-findings table")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 3
    # reasons are in Polish, rows are numbered as in the file
    assert "Plik nie został zapisany" in page.content()
    axe_check(page)
    shoot(page, "upload_errors")
    assert "Plik z błędami" not in page.locator("main table.data").first.inner_text()  # nothing stored
    page.fill("#inv-name", "Budynki 2026")
    page.set_input_files("#inv-file", str(DEMO_CSV))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/inventories/[0-9a-f-]+\?uploaded=1"))
    assert "Zapisano wersję 1" in page.content()
    assert page.locator(".stat b").first.inner_text() == "40"
    axe_check(page)
    shoot(page, "inventory_detail")
    # version 2: one building removed, one heated area changed -> the diff names exactly those
    lines = DEMO_CSV.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    fields = rows[0].split(",")
    fields[7] = "3200"  # heated_area_m2 of LUB-ADM-001 (was 3150)
    v2 = tmp_path / "v2.csv"
    v2.write_text("\n".join([header, ",".join(fields), *rows[1:-1]]) + "\n", encoding="utf-8")
    page.set_input_files("#inv-file", str(v2))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r".*\?uploaded=2"))
    page.click("form[action$='/diff'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/diff\?from=1&to=2"))
    stats = page.locator(".stat b").all_inner_texts()
    assert stats == ["0", "1", "1"]  # added, removed, changed
    assert "3150" in page.content() and "3200" in page.content()
    xlsx = page.request.get(
        web_server.url(page.url.split("/diff")[0].split(web_server.base_url)[1] + "/versions/2.xlsx")
    )
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"  # an XLSX (zip) of version 2
    axe_check(page)
    shoot(page, "inventory_diff")


def test_assessment_progress_reaches_100(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url(f"/app/inventories/{web_server.inventory_id}/assess"))
    assert page.input_value("#price_gas") != ""  # sourced default shown
    axe_check(page)
    shoot(page, "assessment_start")
    page.fill("#price_gas", "abc")
    page.click("form.card button[type=submit]")
    assert page.locator("#err-price_gas").is_visible()
    page.fill("#price_gas", "")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/assessments/[0-9a-f-]+$"))
    page.wait_for_function(
        "() => document.querySelector('[data-pct]')?.textContent.trim() === '100'", timeout=90_000
    )
    page.wait_for_selector("#buildings tbody tr")
    assert page.locator("#buildings tbody tr").count() == 40
    page.wait_for_selector("#chart-ep svg")  # charts arrive after the first render
    page.wait_for_selector("#chart-map svg")
    axe_check(page)
    shoot(page, "assessment_result")
    # the map: the zoom button narrows the view, reset restores it, a click opens the building
    before = page.get_attribute("#chart-map svg", "viewBox")
    page.click("#chart-map .map-tools button[aria-label='Przybliż']")
    zoomed = page.get_attribute("#chart-map svg", "viewBox")
    assert float(zoomed.split()[2]) < float(before.split()[2])
    page.click("#chart-map .map-tools button[aria-label='Cała gmina']")
    assert page.get_attribute("#chart-map svg", "viewBox") == before
    first = page.locator("#chart-map circle.building").first
    building = first.get_attribute("data-id")
    first.dispatch_event("click")
    page.wait_for_url(re.compile(rf".*/buildings/{building}$"))
    page.go_back()
    page.wait_for_selector("#chart-map svg")
    # downloads work with the session cookie alone (no Bearer key in the browser)
    with page.expect_download() as download:
        page.click("a[href*='/download/xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")
    for kind, media in (("csv", "text/csv"), ("pdf", "application/pdf")):
        href = page.get_attribute(f"a[href*='/download/{kind}']", "href")
        response = page.request.get(web_server.url(href))
        assert response.status == 200 and response.headers["content-type"].startswith(media), kind
    assert page.request.get(web_server.url(href)).body()[:5] == b"%PDF-"
    # sort by CO2 descending: the first row has the largest value
    page.click("#buildings th:nth-child(6) button")
    page.click("#buildings th:nth-child(6) button")
    values = page.eval_on_selector_all(
        "#buildings tbody tr td:nth-child(6)", "els => els.map(e => parseFloat(e.dataset.v))"
    )
    assert values == sorted(values, reverse=True)
    page.fill("#bfilter", "Ratusz")
    assert page.locator("#buildings tbody tr:not([hidden])").count() == 1
    page.click("#buildings tbody tr:not([hidden]) a")
    page.wait_for_url(re.compile(r".*/buildings/LUB-ADM-001$"))
    axe_check(page)
    shoot(page, "building_detail")
    page.set_viewport_size({"width": 390, "height": 844})
    page.go_back()
    shoot(page, "assessment_result_390")


def test_other_city_gets_404(web_server, page, signed_in, shoot) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.other_city_key)
    response = page.goto(web_server.url(f"/app/inventories/{web_server.inventory_id}"))
    assert response is not None and response.status == 404
    assert "Nie znaleziono" in page.content()
    shoot(page, "other_city_404")


def test_post_without_csrf_is_refused(web_server, page, signed_in, shoot) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url("/app/access"))
    page.eval_on_selector("form[action='/app/access/keys'] input[name=csrf_token]", "e => e.remove()")
    page.check("form[action='/app/access/keys'] input[value='inventory:read']")
    with page.expect_navigation() as nav:
        page.click("form[action='/app/access/keys'] button[type=submit]")
    assert nav.value is not None and nav.value.status == 403
    assert "Formularz odrzucony" in page.content()
    shoot(page, "csrf_refused")


def test_read_only_advisor_sees_no_run_button(web_server, page, signed_in, advisor_read_key) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, advisor_read_key)
    page.goto(web_server.url(f"/app/inventories/{web_server.inventory_id}"))
    assert page.locator(f"a[href='/app/inventories/{web_server.inventory_id}/assess']").count() == 0
    csrf = page.eval_on_selector("input[name=csrf_token]", "e => e.value")
    response = page.request.post(
        web_server.url(f"/app/inventories/{web_server.inventory_id}/assess"), form={"csrf_token": csrf}
    )
    assert response.status == 403  # it sees the city's data (read access) but may not run anything
    assert "Brak uprawnień" in response.text()


def test_access_screen_grant_and_key(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key, "uk")
    page.goto(web_server.url("/app/access"))
    assert page.locator("html").get_attribute("lang") == "uk"
    page.select_option("#advisor_org_id", label="Doradca Energetyczny sp. z o.o.")
    page.select_option("#grant-access", "read")
    page.click("form[action='/app/access/grants'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/access$"))
    page.fill("#key-label", "skaner")
    page.check("form[action='/app/access/keys'] input[value='inventory:read']")
    page.click("form[action='/app/access/keys'] button[type=submit]")
    key = page.locator("code.key").inner_text()
    assert key.startswith("mst_")
    axe_check(page)
    shoot(page, "access_uk")
    page.goto(web_server.url("/app/access"))
    assert key not in page.content()  # shown once


def test_offline_docs(web_server, page, shoot) -> None:  # type: ignore[no-untyped-def]
    """Every other host is cut off, as on an air-gapped city network: both pages still render."""
    outside: list[str] = []

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith((web_server.base_url, "blob:", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(web_server.url("/docs"))
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "miasto API" in page.inner_text(".swagger-ui .info .title")
    shoot(page, "docs")
    page.goto(web_server.url("/redoc"))
    page.wait_for_selector(".menu-content", timeout=30_000)
    assert page.locator("h1").first.inner_text().startswith("miasto API")
    shoot(page, "redoc")
    # Only ReDoc's decorative "powered by" logo is asked for elsewhere (and simply not shown).
    assert all("redoc" in u and u.endswith(".svg") for u in outside), outside


def test_report_job_progress_then_download(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    """The workspace path of a big city's report (forced with ?async=true on the demo city): the
    progress bar of the report job, then the download link of the stored PDF."""
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url(f"/app/inventories/{web_server.inventory_id}/assess"))
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/assessments/[0-9a-f-]+$"))
    page.wait_for_function(
        "() => document.querySelector('[data-pct]')?.textContent.trim() === '100'", timeout=90_000
    )
    assessment = page.url.rstrip("/").rsplit("/", 1)[1]
    page.goto(web_server.url(f"/app/assessments/{assessment}/download/pdf?lang=uk&async=true"))
    assert page.locator("#report-bar").is_visible()
    axe_check(page)
    shoot(page, "report_job_progress")
    page.wait_for_selector("#report-download", timeout=120_000)
    assert page.locator("#report-progress [data-pct]").text_content().strip() == "100"
    axe_check(page)
    shoot(page, "report_job_done")
    href = page.get_attribute("#report-download", "href")
    response = page.request.get(web_server.url(href))
    assert response.status == 200 and response.headers["content-type"].startswith("application/pdf")
    assert response.body()[:5] == b"%PDF-"
