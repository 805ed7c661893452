"""SQLite under 20 concurrent large uploads to a real uvicorn server: every answer a 201 (writers wait
for each other) or a 503 with Retry-After, never a 500 ``database is locked`` (issue 12 §5)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from service.inventory.schemas import EXAMPLE_BUILDINGS
from tests.conftest import make_settings, make_tenants
from tests.service.browser_util import serve_app  # noqa: F401 - fixture

UPLOADS = 20
BUILDINGS_PER_UPLOAD = 10_000


def test_20_concurrent_large_uploads_on_sqlite_never_answer_500(sqlite_url, serve_app):  # noqa: F811
    from service.app import create_app

    app = create_app(make_settings(sqlite_url))
    tenants = make_tenants(sqlite_url)
    base = serve_app(app)
    buildings = [
        {**EXAMPLE_BUILDINGS[i % 2], "building_id": f"B-{i}", "name": f"Budynek {i}"}
        for i in range(BUILDINGS_PER_UPLOAD)
    ]

    def upload(n: int) -> httpx.Response:
        body = {"name": f"Inwentarz {n}", "buildings": buildings}
        return httpx.post(
            f"{base}/v1/inventories", json=body, headers=tenants.h(tenants.city_key), timeout=300
        )

    with ThreadPoolExecutor(UPLOADS) as pool:
        answers = list(pool.map(upload, range(UPLOADS)))
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {201, 503}, [r.text[:300] for r in answers if r.status_code not in (201, 503)]
    assert all(r.headers.get("retry-after") for r in answers if r.status_code == 503)
    stored = httpx.get(f"{base}/v1/inventories?limit=100", headers=tenants.h(tenants.city_key)).json()[
        "count"
    ]
    assert stored == statuses.count(201)  # a 503 stored nothing
    app.state.dispatcher.join()
