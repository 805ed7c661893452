"""Property-based run over the whole OpenAPI schema: no server error, no response off the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from service.inventory.schemas import EXAMPLE_BUILDINGS
from tests.conftest import make_settings, make_tenants

_AUTH: dict[str, str] = {}


@pytest.fixture
def api_schema(sqlite_url):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(make_settings(sqlite_url))
    tenants = make_tenants(sqlite_url)
    _AUTH["Authorization"] = f"Bearer {tenants.city_key}"
    with TestClient(app) as c:  # one real inventory, so that ids are not all unknown
        c.post("/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=_AUTH)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.dispatcher.join()


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_and_never_errors(case):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers=dict(_AUTH),
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
