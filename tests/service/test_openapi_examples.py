"""Every "Try it out" example of the OpenAPI succeeds against the demo city as ``miasto demo`` prints it.

The demo is loaded the way a newcomer loads it (the CLI, on a fresh SQLite file); then each operation
is called with its documented parameter and body examples and the printed city key. Reads go first,
writes next, and those that change what the others see (a new inventory version, withdrawing the
publication, revoking the advisor's grant) last. What the demo cannot name (a climate file, a bring-your-own index) is listed with the
reason, so a new endpoint without a working example fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.test_cli_and_keys import run_cli

# (method, path) -> why its example cannot run against the demo as printed
NOT_NAMEABLE = {
    ("GET", "/v1/climates/{climate_id}"): "the demo has no uploaded climate file",
    ("POST", "/v1/climates"): "needs an EPW/TMY file upload, not a JSON example",
    ("GET", "/v1/indices/{index_id}"): "the demo has no bring-your-own index",
    ("GET", "/v1/indices/{index_id}/tables/{name}"): "the demo has no bring-your-own index",
    ("POST", "/v1/jobs/{job_id}/cancel"): "the demo's jobs have finished: cancelling answers 409 by design",
}
# writes that change what later examples see: a new inventory version (the plans' examples plan the
# demo's 40 buildings), the withdrawal of the publication, the revocation of the advisor's grant
LAST = [("POST", "/v1/inventories/{inventory_id}/versions"),
        ("POST", "/v1/readiness/{teryt}/publications/{snapshot_id}/withdrawal"),
        ("DELETE", "/v1/grants/{advisor_org_id}")]  # fmt: skip


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _body(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in ("application/json", "text/csv"):
        if media in content:
            item = content[media]
            if "example" in item:
                return media, item["example"]
            examples = _resolve(schema, item.get("schema", {})).get("examples")
            if examples:
                return media, examples[0]
            return media, {}
    return None


def _call(client: TestClient, schema, method: str, path: str, operation, headers) -> Any:  # type: ignore[no-untyped-def]
    url, query = path, {}
    for param in operation.get("parameters", []):
        if param["in"] not in ("path", "query"):
            continue
        if "example" not in param:
            assert not param.get("required"), f"{method} {path}: required {param['name']} has no example"
            continue
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(param["example"]))
        elif param.get("explode") is False:  # an array written comma-separated (style form)
            query[param["name"]] = ",".join(map(str, param["example"]))
        else:
            query[param["name"]] = param["example"]
    assert "{" not in url, f"{method} {path}: a path parameter has no example ({url})"
    body = _body(schema, operation)
    kwargs: dict[str, Any] = {"params": query, "headers": dict(headers)}
    if body is not None:
        media, value = body
        if media == "text/csv":
            kwargs["content"], kwargs["headers"]["Content-Type"] = value.encode(), media
        else:
            kwargs["json"] = value
    return client.request(method, url, **kwargs)


def test_every_example_succeeds_against_the_demo(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/demo.db"
    printed = run_cli(url, "demo", "--no-serve")
    assert printed.returncode == 0, printed.stderr
    city_key = re.search(r"city key\s+: (\S+)", printed.stdout).group(1)  # type: ignore[union-attr]

    from service.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(url))
    schema = app.openapi()
    operations = [
        (method.upper(), path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if (method.upper(), path) not in NOT_NAMEABLE
    ]
    order = {"GET": 0, "POST": 1, "PUT": 1, "DELETE": 2}
    operations.sort(key=lambda o: LAST.index(o[:2]) + 10 if o[:2] in LAST else order[o[0]])
    failures = []
    with TestClient(app) as client:
        for method, path, op in operations:
            response = _call(client, schema, method, path, op, {"Authorization": f"Bearer {city_key}"})
            if response.status_code >= 400:
                failures.append((method, path, response.status_code, response.text[:300]))
    assert not failures, "\n".join(map(str, failures))
    total = sum(len(ops) for ops in schema["paths"].values())
    assert len(operations) == total - len(NOT_NAMEABLE) >= 45  # the whole API, not a handful


@pytest.mark.parametrize("placeholder", ["5b0c...", "...,", "0b8e3c52-8a8e", "3f2c9a54-8d1e"])
def test_no_placeholder_ids_remain_in_the_schema(placeholder: str) -> None:
    import json

    from service.app import create_app
    from tests.conftest import make_settings

    text = json.dumps(create_app(make_settings("sqlite://")).openapi())
    assert placeholder not in text
