"""Portfolios in the workspace (Chromium): two plans run from the form, compared side by side; the
read-only advisor sees no run button and gets 403 posting; axe-core on every screen."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _run_plan(page, web_server, name: str, budget: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(web_server.url("/app/portfolios/new"))
    page.fill("#name", name)
    page.fill("#budget_pln", budget)
    page.check("input[name=programme][value=thermo_bonus_2024]")
    page.click("#plan-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/portfolios/[0-9a-f-]{36}$"))
    page.wait_for_selector("#projects", timeout=120_000)  # htmx polls the job, then reloads
    return page.url.rsplit("/", 1)[1]


def _stored(web_server, portfolio_id: str):  # type: ignore[no-untyped-def]
    import uuid

    from service.db import engine_for, session_scope
    from service.portfolios import repository

    with session_scope(engine_for(web_server.db_url)) as s:
        row = repository.get_portfolio(s, uuid.UUID(portfolio_id))
        return dict(row.totals), repository.load_projects(s, row.id)


def test_two_plans_then_compare(web_server, page, signed_in, shoot, axe_check) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url("/app/portfolios/new"))
    assert page.locator("text=Premia termomodernizacyjna").count() >= 1  # catalogue with its rules
    axe_check(page)
    shoot(page, "portfolio_form")
    small = _run_plan(page, web_server, "Plan 2 mln", "2 000 000")
    axe_check(page)
    shoot(page, "portfolio_plan")
    big = _run_plan(page, web_server, "Plan 6 mln", "6000000")
    small_totals, small_projects = _stored(web_server, small)
    big_totals, big_projects = _stored(web_server, big)
    assert small_totals["own_contribution_pln"] <= 2_000_000 * (1 + 1e-6)  # the budget binds
    assert big_totals["co2_reduction_t_per_year"] >= small_totals["co2_reduction_t_per_year"] - 1e-6

    page.goto(web_server.url("/app/portfolios"))
    page.check(f"#pick-{small}")
    page.check(f"#pick-{big}")
    page.click("#compare-button")
    page.wait_for_selector("#totals")
    rows = page.locator("#totals tbody tr")
    assert rows.count() == 2
    assert sorted(rows.nth(i).locator("td").first.inner_text() for i in range(2)) == [
        "Plan 2 mln",
        "Plan 6 mln",
    ]
    # independent: buildings whose package differs between the two stored plans
    a = {p["building_id"]: p["package_id"] for p in small_projects}
    b = {p["building_id"]: p["package_id"] for p in big_projects}
    differ = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert page.locator("#differ tbody tr").count() == len(differ)
    assert page.locator("figure.chart svg").count() == 1
    axe_check(page)
    shoot(page, "portfolio_compare")


def test_bad_budget_is_422_and_stores_nothing(web_server, page, signed_in) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, web_server.tenants.city_key)
    page.goto(web_server.url("/app/portfolios"))
    before = page.locator("#plans tbody tr").count()
    page.goto(web_server.url("/app/portfolios/new"))
    page.fill("#budget_pln", "dużo")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.click("#plan-form button[type=submit]")
    assert info.value.status == 422
    assert page.locator(".findings").count() == 1
    page.goto(web_server.url("/app/portfolios"))
    assert page.locator("#plans tbody tr").count() == before


def test_read_only_advisor_cannot_run(web_server, page, signed_in, advisor_read_key, axe_check) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, advisor_read_key)
    page.goto(web_server.url("/app/portfolios"))
    assert page.locator("a[href='/app/portfolios/new']").count() == 0
    csrf = page.eval_on_selector("input[name=csrf_token]", "e => e.value")
    response = page.request.post(
        web_server.url("/app/portfolios/new"),
        form={"csrf_token": csrf, "budget_pln": "1000000", "inventory_id": web_server.inventory_id},
    )
    assert response.status == 403
    axe_check(page)
