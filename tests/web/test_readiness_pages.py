"""Readiness in the workspace (Chromium): values with errors and without, a scenario run, the preview
of exactly what goes public, publishing a named run, withdrawal; tenancy, read-only access and CSRF;
axe-core on every screen and screenshots as artefacts."""

from __future__ import annotations

import re

import httpx
import pytest

from service.i18n import fmt_number
from tests.service.test_readiness_api import CITY_VALUES

pytestmark = pytest.mark.browser
LUBLIN = "0663011"


def _run(page, web_server, arrivals: str, runs: str, labels: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    page.goto(web_server.url(f"/app/readiness/{LUBLIN}"))
    page.fill("#arrivals", arrivals)
    page.fill("#uncertainty_runs", runs)
    for code, text in (labels or {}).items():
        page.fill(f"#label_{code}", text)
    page.click("#run-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/app/readiness/{LUBLIN}/runs/[0-9a-f-]{{36}}$"))
    return page.url.rsplit("/", 1)[1]


def test_values_run_preview_publish_withdraw(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    h = web_server.tenants.h(web_server.tenants.city_key)
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url("/app/readiness"))
    page.click(f"a[href='/app/readiness/{LUBLIN}']")
    page.wait_for_selector("#values")
    axe_check(page)
    shoot(page, "readiness_city")
    before = httpx.get(web_server.url(f"/v1/readiness/{LUBLIN}/indicators"), headers=h).json()["count"]

    # a CSV with errors: every finding with row, field and reason in Polish; nothing stored
    bad = "indicator;value;year;source\npupils_per_class;dużo;2025;SIO\nno_such;1;2025;x\n"
    page.set_input_files(
        "#values-file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.click("#values-upload button[type=submit]")
    assert info.value.status == 422
    cells = page.locator("#value-findings tbody tr").all_inner_texts()
    assert len(cells) == 2 and "2\tvalue\tdużo\tto nie liczba" in cells[0], cells
    assert "to nie wskaźnik metodologii" in cells[1]
    after = httpx.get(web_server.url(f"/v1/readiness/{LUBLIN}/indicators"), headers=h).json()["count"]
    assert after == before
    axe_check(page)
    shoot(page, "readiness_value_errors")

    # the city's own values as a Polish CSV (semicolons, decimal comma): stored
    good = "indicator;value;year;source\n" + "".join(
        f"{k};{str(v).replace('.', ',')};2025;UM Lublin, sprawozdanie 2025\n" for k, v in CITY_VALUES.items()
    )
    page.set_input_files(
        "#values-file", files=[{"name": "lublin.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.click("#values-upload button[type=submit]")
    page.wait_for_url(re.compile(rf".*stored={len(CITY_VALUES)}.*"))

    # one value typed with a Polish decimal comma: stored, shown with its source
    page.select_option("#indicator", "pupils_per_class")
    page.fill("#value", "21,5")
    page.fill("#year", "2025")
    page.fill("#source", "SIO, stan na 30.09.2025")
    page.click("#value-form button[type=submit]")
    page.wait_for_url(re.compile(r".*stored=1.*"))
    row = page.locator("#values tbody tr", has_text="SIO, stan na 30.09.2025")
    assert "21,50" in row.inner_text()

    # a what-if run without uncertainty runs cannot be published, and the page says why
    what_if = _run(page, web_server, "20 000", "0")
    assert page.locator("#not-publishable").count() == 1 and page.locator("#preview-link").count() == 0
    resp = httpx.post(
        web_server.url(f"/v1/readiness/{LUBLIN}/publications"), json={"run_id": what_if}, headers=h
    )
    assert resp.status_code == 409  # the run's state, not the request, keeps it from going public

    run_id = _run(page, web_server, "5 000", "200",
                  {"pl": "5 000 osób z Ukrainy", "en": "5,000 people from Ukraine", "uk": "5 000 осіб з України"})  # fmt: skip
    api_run = httpx.get(web_server.url(f"/v1/readiness/scores/{run_id}"), headers=h).json()
    score = api_run["scores"][0]
    assert fmt_number(score["score"], "pl", 1) in page.locator("#overall-score").inner_text()
    assert page.locator("figure.chart svg.readiness circle.point").count() == 4
    assert page.locator("#first-to-break").count() == 1
    axe_check(page)
    shoot(page, "readiness_run")

    page.click("#preview-link")
    page.wait_for_selector("#widget-preview")
    frame = page.frame_locator("#widget-preview")
    assert "5 000 osób z Ukrainy" in frame.locator("body").inner_text()
    assert fmt_number(score["score"], "pl", 0) in frame.locator("body").inner_text()
    assert httpx.get(web_server.url(f"/v1/public/readiness/{LUBLIN}")).status_code == 404  # not yet public
    page.click("#widget-langs a[hreflang=uk]")
    assert "5 000 осіб з України" in page.frame_locator("#widget-preview").locator("body").inner_text()
    axe_check(page)
    shoot(page, "readiness_preview")

    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#published-notice")
    public = httpx.get(web_server.url(f"/v1/public/readiness/{LUBLIN}")).json()
    assert public["overall"]["score"] == pytest.approx(score["pillars"]["overall"]["score"], abs=0.01)
    assert public["scenario"]["labels"]["uk"] == "5 000 осіб з України"
    axe_check(page)
    shoot(page, "readiness_published")

    page.fill("#publications input[name=reason]", "Błędna liczba pustostanów")
    page.click("#withdraw-form button[type=submit]")
    page.wait_for_url(re.compile(r".*withdrawn=.*"))
    assert httpx.get(web_server.url(f"/v1/public/readiness/{LUBLIN}")).status_code == 410
    assert "Błędna liczba pustostanów" in page.locator("#publications").inner_text()


def test_read_only_advisor_other_city_and_csrf(web_server, page, signed_in, advisor_read_key) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, advisor_read_key)
    page.goto(web_server.url(f"/app/readiness/{LUBLIN}"))
    assert page.locator("#values").count() == 1, page.content()[-3000:]
    assert page.locator("#value-form, #run-form, #withdraw-form").count() == 0  # no buttons that change data
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    posted = page.request.post(web_server.url(f"/app/readiness/{LUBLIN}/runs"),
                               form={"csrf_token": token, "arrivals": "100", "uncertainty_runs": "0"})  # fmt: skip
    assert posted.status == 403
    no_token = page.request.post(web_server.url(f"/app/readiness/{LUBLIN}/values"), form={"indicator": "x"})
    assert no_token.status == 403

    signed_in(page, web_server.tenants.other_city_key)
    assert page.goto(web_server.url(f"/app/readiness/{LUBLIN}")).status == 404
    page.goto(web_server.url("/app/readiness"))
    assert page.locator(f"a[href='/app/readiness/{LUBLIN}']").count() == 0
