"""Property-based run over the whole OpenAPI schema: no server error, no response off the schema,
no schema-valid request refused.

SQLite: every operation. PostgreSQL: the operations that write (POST, PUT), where the database
decides (NUL in text, lone surrogates, encodings), with fewer examples to keep the suite short.
The full ``--checks all`` run at 50 examples on both databases is ``benchmarks/bench_schemathesis.py``.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.inventory.schemas import EXAMPLE_BUILDINGS
from tests import schemathesis_rules  # noqa: F401 - registers the rules no JSON Schema states
from tests.conftest import fresh_database, make_settings, make_tenants

_AUTH: dict[str, str] = {}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,  # every status the API gives is documented (the 409s, the 413s)
    response_headers_conformance,
    missing_required_header,
    allow_header_conformance,  # a 405's Allow names exactly the path's methods
    # a schema-valid request is accepted, given the rules of tests/schemathesis_rules.py (negative
    # data is the bench's: the key given here overrides every generated Authorization header)
    positive_data_acceptance,
]


def _schema_of(url: str):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(make_settings(url))
    tenants = make_tenants(url)
    _AUTH["Authorization"] = f"Bearer {tenants.city_key}"
    with TestClient(app) as c:  # one real inventory, so that ids are not all unknown
        c.post("/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers=_AUTH)
    return app, schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def api_schema(sqlite_url):  # type: ignore[no-untyped-def]
    app, schema = _schema_of(sqlite_url)
    yield schema
    app.state.dispatcher.join()


@pytest.fixture
def api_schema_postgres(tmp_path):  # type: ignore[no-untyped-def]
    app, schema = _schema_of(fresh_database("postgres", tmp_path))
    yield schema
    app.state.dispatcher.join()
    app.state.engine.dispose()


schema = schemathesis.pytest.from_fixture("api_schema")
writes_on_postgres = schemathesis.pytest.from_fixture("api_schema_postgres").include(method=["POST", "PUT"])


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_and_never_errors(case):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=dict(_AUTH), checks=CHECKS)


@pytest.mark.slow
@writes_on_postgres.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_writes_conform_and_never_error_on_postgres(case):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=dict(_AUTH), checks=CHECKS)
