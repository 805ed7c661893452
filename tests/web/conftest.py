"""Browser-test fixtures for the workspace (shared by every tests/web module).

- ``web_server``: the real app served by uvicorn on a free port, on a migrated SQLite database with
  the tenants of tests/conftest.py (city Lublin, other city Rzeszów, advisor with *plan* access to
  Lublin, portal, admin) and Lublin's demo inventory (40 buildings) loaded once. Module-scoped.
- ``advisor_read_key``: a second advisor with *read* access to Lublin.
- ``browser`` / ``page``: Debian's /usr/bin/chromium driven by Playwright (no browser download),
  a fresh context per test at 1280x900 (use ``page.set_viewport_size`` for 390 px).
- ``signed_in(page, key)``: signs in through the form; ``shoot(page, name)`` saves
  tests/artifacts/web/<name>.png; ``axe_check(page)`` injects the vendored axe-core and fails on
  serious/critical violations.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Tenants, fresh_database, make_settings, make_tenants

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
AXE_JS = ROOT / "service" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
DEMO_CSV = ROOT / "service" / "demo" / "demo_city.csv"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class WebServer:
    base_url: str
    db_url: str
    tenants: Tenants
    inventory_id: str
    app: object

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_inventory(db_url: str, org_id, name: str = "Budynki gminne Lublina", csv: Path = DEMO_CSV) -> str:  # type: ignore[no-untyped-def]
    """Store an inventory for ``org_id`` the way the intake does (parse, validate, store)."""
    from service.db import engine_for, session_scope
    from service.inventory import repository
    from service.inventory.models import Inventory
    from service.inventory.service import parse_submission

    settings = make_settings(db_url)
    with session_scope(engine_for(db_url)) as s:
        buildings, rows, warnings, fmt = parse_submission(csv.read_bytes(), "text/csv", csv.name, settings)
        inv = Inventory(org_id=org_id, name=name)
        s.add(inv)
        s.flush()
        repository.add_version(
            s, inv, buildings, rows, created_by=org_id, source_format=fmt, warnings=warnings
        )
        return str(inv.id)


def _grant(db_url: str, city_id, advisor_id, access: str) -> None:  # type: ignore[no-untyped-def]
    from service.db import engine_for, session_scope
    from service.orgs.models import Organisation
    from service.orgs.service import grant

    with session_scope(engine_for(db_url)) as s:
        grant(s, s.get(Organisation, city_id), s.get(Organisation, advisor_id), access)


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    import uvicorn

    from service.app import create_app

    db_url = fresh_database("sqlite", tmp_path_factory.mktemp("web"))
    tenants = make_tenants(db_url)
    _grant(db_url, tenants.city_id, tenants.advisor_id, "plan")
    inventory_id = load_inventory(db_url, tenants.city_id)
    app = create_app(make_settings(db_url, session_secret="test-secret"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the workspace server did not start")
        time.sleep(0.05)
    yield WebServer(f"http://127.0.0.1:{port}", db_url, tenants, inventory_id, app)
    server.should_exit = True
    thread.join(10)
    app.state.dispatcher.join()  # type: ignore[attr-defined]
    app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def advisor_read_key(web_server: WebServer) -> str:
    from service.db import engine_for, session_scope
    from service.orgs.service import create_key, create_org

    with session_scope(engine_for(web_server.db_url)) as s:
        advisor = create_org(s, "advisor", "Audytor Tylko Odczyt sp. z o.o.")
        key = create_key(s, advisor)[1]
        advisor_id = advisor.id
    _grant(web_server.db_url, web_server.tenants.city_id, advisor_id, "read")
    return key


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in_page(page, base_url: str, key: str, lang: str = "pl") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/app/sign-in?lang={lang}")
    page.fill("#api_key", key)
    page.click("form[action='/app/sign-in'] button[type=submit]")
    page.wait_for_url(f"{base_url}/app/**")


@pytest.fixture
def signed_in(web_server: WebServer) -> Callable[..., None]:
    """``signed_in(page, key, lang="pl")`` signs ``page`` in through the sign-in form."""
    return lambda page, key, lang="pl": sign_in_page(page, web_server.base_url, key, lang)


def save_screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shoot() -> Callable[..., Path]:
    return save_screenshot


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def axe_check() -> Callable[..., None]:
    def check(page) -> None:  # type: ignore[no-untyped-def]
        bad = axe_violations(page)
        details = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in bad]
        assert not bad, f"axe-core on {page.url}: {details}"

    return check
