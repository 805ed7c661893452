"""The CLI (org, key, grant with --json), key revocation, health probes, request ids in jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MIASTO_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_org_key_grant_revoke_json(sqlite_url):
    city = run_cli(
        sqlite_url,
        "org",
        "create",
        "--kind",
        "city",
        "--name",
        "Miasto Kraków",
        "--teryt",
        "1261011",
        "--json",
    )
    assert city.returncode == 0, city.stderr
    assert json.loads(city.stdout)["teryt"] == "1261011"
    adv = json.loads(
        run_cli(sqlite_url, "org", "create", "--kind", "advisor", "--name", "KAPE", "--json").stdout
    )
    granted = run_cli(
        sqlite_url, "org", "grant", "--city", "1261011", "--advisor", "KAPE", "--access", "plan", "--json"
    )
    assert json.loads(granted.stdout)["access"] == "plan"
    key = json.loads(run_cli(sqlite_url, "key", "create", "--org", "1261011", "--json").stdout)
    assert key["api_key"].startswith("mst_") and "inventory:write" in key["scopes"]

    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(sqlite_url))
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {key['api_key']}"}
        me = client.get("/v1/me", headers=h).json()
        assert me["teryt"] == "1261011" and me["kind"] == "city"
        grants = client.get("/v1/grants", headers=h).json()
        assert grants[0]["advisor_org_id"] == adv["org_id"] and grants[0]["access"] == "plan"
        revoked = run_cli(sqlite_url, "key", "revoke", key["prefix"], "--json")
        assert revoked.returncode == 0 and json.loads(revoked.stdout)["revoked_at"]
        r = client.get("/v1/me", headers=h)
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
    app.state.dispatcher.join()


def test_cli_refuses_bad_teryt_and_unknown_kind(sqlite_url):
    bad = run_cli(sqlite_url, "org", "create", "--kind", "city", "--name", "X", "--teryt", "146501")
    assert bad.returncode == 2 and "TERYT" in bad.stderr.upper()
    wrong_voiv = run_cli(sqlite_url, "org", "create", "--kind", "city", "--name", "X", "--teryt", "0165011")
    assert wrong_voiv.returncode == 2
    kind = run_cli(sqlite_url, "org", "create", "--kind", "mayor", "--name", "X")
    assert kind.returncode == 2 and "kind" in kind.stderr


def test_cli_help_texts():
    from service.cli import app

    runner = CliRunner()
    for args in (["--help"], ["org", "--help"], ["key", "create", "--help"], ["serve", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"


def test_request_id_is_echoed_and_carried_into_jobs(client, tenants, app_and_tenants):
    from service.inventory.schemas import EXAMPLE_BUILDINGS
    from service.jobs.models import Job

    h = tenants.h(tenants.city_key)
    r = client.post(
        "/v1/inventories", json={"buildings": EXAMPLE_BUILDINGS}, headers={**h, "X-Request-ID": "abc-1"}
    )
    assert r.headers["x-request-id"] == "abc-1"
    inv = r.json()["inventory"]["id"]
    job = client.post(f"/v1/inventories/{inv}/summary", headers={**h, "X-Request-ID": "abc-2"}).json()
    app, _ = app_and_tenants
    with app.state.session_factory() as s:
        assert s.get(Job, __import__("uuid").UUID(job["id"])).request_id == "abc-2"


def test_demo_loads_city_inventory_keys_and_a_published_snapshot(sqlite_url):
    first = run_cli(sqlite_url, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "with 40 buildings" in first.stdout and "widget" in first.stdout
    again = run_cli(sqlite_url, "demo", "--no-serve")  # idempotent: same inventory, fresh keys
    inv = [w for w in first.stdout.split() if len(w) == 36 and w.count("-") == 4][0]
    assert inv in again.stdout
    key = [w for w in again.stdout.split() if w.startswith("mst_")][0]

    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(sqlite_url))
    with TestClient(app) as client:
        listed = client.get("/v1/inventories", headers={"Authorization": f"Bearer {key}"}).json()
        assert listed["count"] == 1 and listed["items"][0]["city_teryt"] == "0663011"
        public = client.get("/v1/public/readiness/0663011")
        assert public.status_code == 200
        snap = public.json()
        assert (
            0
            <= snap["overall"]["interval_low"]
            <= snap["overall"]["score"]
            <= snap["overall"]["interval_high"]
        )
        assert [p["code"] for p in snap["pillars"]] == ["housing", "schooling", "services"]
    app.state.dispatcher.join()
