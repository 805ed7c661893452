"""Shared fixtures: databases (SQLite always, PostgreSQL where reachable), the app, tenants.

Services: with ``MIASTO_REQUIRE_SERVICES=1`` (set by .ci/run) a test that needs PostgreSQL or
Redis fails when it cannot reach them; without it (a laptop) such tests skip with a reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("MIASTO_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("MIASTO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# "gw0", "gw1", ... in a pytest-xdist worker (make test runs several), absent in a plain run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0


def worker_redis_url(base: str, index: int) -> str:
    """``base`` with its database number moved on by ``index`` (modulo Redis's 16 databases), so that
    each xdist worker has a Redis database of its own: a worker's FLUSHDB, Celery queue or rate-limit
    bucket never meets another's."""
    head, sep, tail = base.rpartition("/")
    if not sep or not tail.isdigit() or "//" not in head:  # no database number in the URL: database 0
        head, tail = base.rstrip("/"), "0"
    return f"{head}/{(int(tail) + index) % 16}"


REDIS_URL = worker_redis_url(
    os.environ.get("MIASTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), WORKER_INDEX
)
# One database per test process (each xdist worker is one), so that parallel runs never clobber each other.
TEST_PG_DB = f"miasto_test_{os.getpid()}"


# Modules whose tests take the longest (`pytest --durations`: report PDFs, schemathesis, the browser,
# real Celery workers and API processes). Under xdist their tests are handed out first, so that the
# long ones run side by side from the start instead of being the last ones a single worker waits on.
SLOW_FIRST = (
    "tests/service/test_report_jobs.py",
    "tests/service/test_schemathesis.py",
    "tests/service/test_reports.py",
    "tests/service/test_jobs_faults.py",
    "tests/service/test_jobs.py",
    "tests/web/test_workspace.py",
    "tests/web/test_portfolios_pages.py",
    "tests/service/test_rate_limit_shared.py",
    "tests/service/test_bad_input_concurrency.py",
    "tests/web/test_readiness_pages.py",
    "tests/service/test_openapi_examples.py",
    "tests/service/test_portfolios_api.py",
    "tests/service/test_cli_and_keys.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the slow modules' tests first (in the order above), every other test after them
    in its usual order. Every worker collects the same order, as xdist requires. A plain run keeps
    the file order (its wall time is the sum either way)."""
    if not XDIST_WORKER:
        return
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(SLOW_FIRST)))


def service_missing(what: str, why: str) -> None:
    message = f"{what} unreachable: {why}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (MIASTO_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def postgres_url() -> str:
    """URL of a dedicated test database, created on first use."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": TEST_PG_DB})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{TEST_PG_DB}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001
        service_missing("PostgreSQL", f"{PG_ADMIN_URL}: {type(exc).__name__}: {exc}".splitlines()[0])
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{TEST_PG_DB}"


_MIGRATED: dict[str, str] = {}  # kind -> the migrated template (SQLite file) or "done" (PostgreSQL)


def _sqlite_template() -> str:
    """A SQLite file migrated once per test process; each test gets a copy (milliseconds, not an
    Alembic run per test)."""
    if "sqlite" not in _MIGRATED:
        import tempfile

        from service.migrate import upgrade

        path = Path(tempfile.mkdtemp(prefix="miasto-template-")) / "template.db"
        upgrade(f"sqlite:///{path}")
        _MIGRATED["sqlite"] = str(path)
    return _MIGRATED["sqlite"]


def _postgres_reset(url: str) -> None:
    """The per-process test database, migrated once (schema dropped and rebuilt by Alembic), then
    emptied for each test by deleting every row of every table but Alembic's (foreign-key triggers
    off for that transaction: 20 ms, where a TRUNCATE takes 300 ms): the same clean, migrated state
    a fresh migration gives."""
    import sqlalchemy as sa

    from service.migrate import upgrade

    engine = sa.create_engine(url)
    try:
        if "postgres" not in _MIGRATED:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade(url)
            _MIGRATED["postgres"] = "done"
            return
        with engine.begin() as conn:
            tables = conn.scalars(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ).all()
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
    finally:
        engine.dispose()


def fresh_database(kind: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test: a copy of the process's migrated SQLite template, or
    the process's PostgreSQL test database emptied (migrated on first use)."""
    import shutil

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'miasto.db'}"
        shutil.copyfile(_sqlite_template(), tmp_path / "miasto.db")
        return url
    url = postgres_url()
    _postgres_reset(url)
    from service.db import engine_for

    engine_for.cache_clear()
    return url


@pytest.fixture(scope="session", autouse=True)
def _drop_test_database() -> Iterator[None]:
    yield
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{TEST_PG_DB}" WITH (FORCE)'))
        admin.dispose()
    except Exception:  # noqa: BLE001 - nothing to drop when PostgreSQL was never used
        pass


class SharedLocalPools:
    """One spawned job pool per pool size for the whole test process, shared by every app a test creates.

    The app's :class:`service.jobs.dispatch.LocalPool` is the real one (spawned child processes, the
    API's settings sent with every job, retries, a broken pool replaced); only its executor outlives
    the app: a child has imported the engines once (seconds of CPU per spawn) and then runs the jobs of
    every later test, as the children of a long-running API run every city's jobs. An app that shuts
    down while one of its jobs still runs ends the children as before (the next app spawns anew), so
    no job outlives its test. ``uvicorn``/Celery subprocesses and tests of the pool's own shutdown
    (``test_sigterm_to_api_ends_local_pool_children``) keep the unshared behaviour.
    """

    def __init__(self) -> None:
        self.executors: dict[int, object] = {}

    def executor(self, pool):  # type: ignore[no-untyped-def]
        current = self.executors.get(pool.workers)
        if (
            current is None
            or getattr(current, "_broken", False)
            or getattr(current, "_shutdown_thread", False)
        ):
            current = self.executors[pool.workers] = self.real_executor(pool)
        return current

    def shutdown(self, pool) -> None:  # type: ignore[no-untyped-def]
        if any(not f.done() for f in pool.futures.values()):  # a job of this app still runs: end it
            if self.executors.get(pool.workers) is pool.executor:
                del self.executors[pool.workers]
            self.real_shutdown(pool)
            return
        pool.closed = True
        for timer in pool._timers:
            timer.cancel()

    def close(self) -> None:
        from service.jobs.dispatch import LocalPool

        for workers, executor in list(self.executors.items()):
            stub = LocalPool.__new__(LocalPool)
            stub.executor, stub.closed, stub._timers, stub.futures, stub.workers = (
                executor,
                False,
                set(),
                {},
                workers,
            )
            self.real_shutdown(stub)
        self.executors.clear()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from service.jobs.dispatch import LocalPool

        self.real_executor = LocalPool._executor
        self.real_shutdown = LocalPool.shutdown
        monkeypatch.setattr(LocalPool, "_executor", lambda pool: self.executor(pool))
        monkeypatch.setattr(LocalPool, "shutdown", lambda pool: self.shutdown(pool))


@pytest.fixture(scope="session", autouse=True)
def _shared_local_pools() -> Iterator[SharedLocalPools]:
    pools = SharedLocalPools()
    with pytest.MonkeyPatch.context() as monkeypatch:
        pools.install(monkeypatch)
        yield pools
        pools.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return fresh_database("sqlite", tmp_path)


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        service_missing("Redis", f"{REDIS_URL}: {exc}")
    return REDIS_URL


def make_settings(url: str, **overrides):  # type: ignore[no-untyped-def]
    from service.settings import Settings

    values = {"database_url": url, "broker_url": None, "local_workers": 1, "log_level": "WARNING"}
    values.update(overrides)
    return Settings(**values)


@dataclass
class Tenants:
    city_id: uuid.UUID
    city_key: str
    other_city_id: uuid.UUID
    other_city_key: str
    advisor_id: uuid.UUID
    advisor_key: str
    portal_key: str
    admin_key: str

    def h(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


def make_tenants(url: str) -> Tenants:
    from service.db import engine_for, session_scope
    from service.orgs.service import create_key, create_org

    with session_scope(engine_for(url)) as s:
        city = create_org(s, "city", "Miasto Lublin", "0663011")
        other = create_org(s, "city", "Miasto Rzeszów", "1863011")
        advisor = create_org(s, "advisor", "Doradca Energetyczny sp. z o.o.")
        portal = create_org(s, "portal", "Portal Integracji")
        admin = create_org(s, "admin", "miasto admin")
        keys = {
            name: create_key(s, org)[1]
            for name, org in [
                ("city", city),
                ("other", other),
                ("advisor", advisor),
                ("portal", portal),
                ("admin", admin),
            ]
        }
        ids = (city.id, other.id, advisor.id)
    return Tenants(
        ids[0], keys["city"], ids[1], keys["other"], ids[2], keys["advisor"], keys["portal"], keys["admin"]
    )


@pytest.fixture
def app_and_tenants(db_url: str) -> Iterator[tuple[object, Tenants]]:
    from service.app import create_app

    app = create_app(make_settings(db_url))
    yield app, make_tenants(db_url)
    app.state.dispatcher.join()
    app.state.engine.dispose()


@pytest.fixture
def client(app_and_tenants):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    app, _ = app_and_tenants
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tenants(app_and_tenants) -> Tenants:  # type: ignore[no-untyped-def]
    return app_and_tenants[1]
