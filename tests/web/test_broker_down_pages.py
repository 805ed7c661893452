"""The workspace starts jobs the way the API does: while the broker does not answer, starting an
assessment or a plan is a 503 page in the reader's language and nothing is stored (issue 12 §3)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import make_settings, make_tenants

DEMO_CSV = Path(__file__).resolve().parents[2] / "service" / "demo" / "demo_city.csv"
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_starting_work_while_the_broker_is_down_is_a_503_page_and_stores_nothing(db_url) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.assessments.models import Assessment
    from service.jobs.models import Job
    from service.portfolios.models import Portfolio

    app = create_app(make_settings(db_url, broker_url=DEAD_BROKER))
    tenants = make_tenants(db_url)
    with TestClient(app, raise_server_exceptions=False) as client:
        h = tenants.h(tenants.city_key)
        r = client.post("/v1/inventories?name=Demo", headers={**h, "Content-Type": "text/csv"},
                        content=DEMO_CSV.read_bytes())  # fmt: skip
        assert r.status_code == 201, r.text[:300]  # intake needs no broker
        inventory_id = r.json()["inventory"]["id"]
        client.post("/app/sign-in", data={"api_key": tenants.city_key}, follow_redirects=False)
        form = client.get(f"/app/inventories/{inventory_id}/assess")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        page = client.post(f"/app/inventories/{inventory_id}/assess", data={"csrf_token": csrf},
                           headers={"Accept-Language": "pl"}, follow_redirects=False)  # fmt: skip
        assert page.status_code == 503, page.text[:500]
        assert "Usługa chwilowo niedostępna" in page.text and "niczego nie uruchomiono" in page.text
        plan = client.post("/app/portfolios/new", data={"csrf_token": csrf, "inventory_id": inventory_id,
                                                    "objective": "max_co2", "budget_pln": "1000000"},
                           follow_redirects=False)  # fmt: skip
        assert plan.status_code == 503, plan.text[:500]
        api = client.post(f"/v1/inventories/{inventory_id}/assessments", headers=h, json={})
        assert api.status_code == 503 and "Retry-After" in api.headers
    assert _count(app, Job) == 0 and _count(app, Assessment) == 0 and _count(app, Portfolio) == 0
    app.state.engine.dispose()
