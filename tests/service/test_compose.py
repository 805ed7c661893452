"""No Docker engine runs here: `.ci/run` has Docker Compose validate the file (`config -q`); these tests
check what Compose cannot: the roles, health checks, migration order and settings names."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_services_health_checks_and_migration_order():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = doc["services"]
    assert {"api", "worker", "redis", "postgres", "migrate"} <= set(services)
    for name in ("api", "worker", "redis", "postgres"):
        assert "healthcheck" in services[name], name
    assert services["migrate"]["command"] == ["miasto", "migrate"]
    assert services["api"]["command"][:2] == ["miasto", "serve"]
    assert services["worker"]["command"][:2] == ["miasto", "worker"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["MIASTO_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["MIASTO_BROKER_URL"].startswith("redis://redis:")
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "pgdata" in doc["volumes"]
    assert (ROOT / "Dockerfile").exists()


def test_compose_environment_names_are_real_settings():
    from service.settings import Settings

    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = {f"MIASTO_{name.upper()}" for name in Settings.model_fields}
    for name in ("api", "worker", "migrate"):
        assert set(doc["services"][name]["environment"]) <= known


def test_one_image_for_every_role_running_as_non_root():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = doc["services"]
    built = [name for name, svc in services.items() if "build" in svc]
    assert built == ["migrate"], "one image is built once and reused"
    assert {services[n]["image"] for n in ("migrate", "api", "worker")} == {"miasto:latest"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in {"root", "0"}
    used = {v.split(":")[0] for svc in services.values() for v in svc.get("volumes", [])}
    assert set(doc["volumes"]) <= used, "no unused named volume"
