"""A write is committed before its success is answered: at the moment the response starts, another
connection already sees the row.

Deterministic, not a timing race: an ASGI wrapper counts the rows through its own connection when
the ``http.response.start`` message of a 201 passes. FastAPI runs the exit code of a request-scoped
``yield`` dependency (where the session commits) only after the response has been sent, so without a
function-scoped session the count is still the old one (issue 12 §5: reads missing a write just
answered, 13 of 40 on SQLite).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.demo.loader import DEMO_DIR
from tests.service.test_readiness_api import LUBLIN


def test_the_write_is_committed_when_its_answer_starts(app_and_tenants, db_url) -> None:  # type: ignore[no-untyped-def]
    app, tenants = app_and_tenants
    probe = create_engine(db_url)
    seen: list[tuple[int, int, int]] = []

    def count() -> tuple[int, int]:
        with probe.connect() as c:
            return (
                int(c.execute(text("SELECT count(*) FROM inventories")).scalar_one()),
                int(c.execute(text("SELECT count(*) FROM readiness_values")).scalar_one()),
            )

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def spy(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope["method"] in ("POST", "PUT"):
                seen.append((message["status"], *count()))
            await send(message)

        await app(scope, receive, spy)

    h = tenants.h(tenants.city_key)
    demo = (DEMO_DIR / "demo_city.csv").read_bytes()
    value = {"values": [{"indicator": "pupils_per_class", "value": 21.0, "year": 2025, "source": "SIO"}]}
    with TestClient(wrapped) as client:
        inventories, values = count()
        r = client.post(
            "/v1/inventories?name=Odczyt", headers={**h, "Content-Type": "text/csv"}, content=demo
        )
        assert r.status_code == 201
        r = client.put(f"/v1/readiness/{LUBLIN}/indicators", json=value, headers=h)
        assert r.status_code == 200
    probe.dispose()
    assert seen == [(201, inventories + 1, values), (200, inventories + 1, values + 1)]
