"""Workspace pages over HTTP on both databases (no browser): session, CSRF, tenancy, nothing stored
from a rejected form, no page answers 500."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

DATA = Path(__file__).resolve().parents[1] / "data" / "inventory"
DEMO_CSV = Path(__file__).resolve().parents[2] / "service" / "demo" / "demo_city.csv"


def _sign_in(client, key: str) -> str:  # type: ignore[no-untyped-def]
    r = client.post("/app/sign-in", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    page = client.get("/app/inventories")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _inventory_count(app) -> int:  # type: ignore[no-untyped-def]
    from service.inventory.models import Inventory

    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Inventory)))


def test_cookie_holds_no_key_and_is_locked_down(client, tenants) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/app/sign-in", data={"api_key": tenants.city_key}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/app" in cookie
    assert tenants.city_key not in cookie and tenants.city_key[13:] not in cookie  # mst_<8 hex>_<secret>
    assert "Secure" not in cookie  # plain HTTP here; Secure is set when the request is HTTPS


def test_rejected_upload_stores_nothing_and_names_rows(app_and_tenants, client, tenants) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_and_tenants
    csrf = _sign_in(client, tenants.city_key)
    bad = (DATA / "bad_values.csv").read_bytes()
    r = client.post(
        "/app/inventories",
        data={"csrf_token": csrf, "name": "zły"},
        files={"file": ("bad.csv", bad, "text/csv")},
    )
    assert r.status_code == 422
    api = client.post(
        "/v1/inventories?name=x",
        headers={**tenants.h(tenants.city_key), "Content-Type": "text/csv"},
        content=bad,
    )
    assert api.status_code == 422
    api_rows = sorted((e["row"], e["field"]) for e in api.json()["errors"])
    page_rows = sorted(
        (int(m[0]), m[1]) for m in re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code>", r.text)
    )
    assert page_rows == api_rows  # the same findings as the API, every one of them
    assert "wierszu 2" in r.text  # the reason in Polish
    assert _inventory_count(app) == 0


def test_post_without_csrf_is_403_and_stores_nothing(app_and_tenants, client, tenants) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_and_tenants
    _sign_in(client, tenants.city_key)
    files = {"file": ("demo.csv", DEMO_CSV.read_bytes(), "text/csv")}
    r = client.post("/app/inventories", data={"name": "x"}, files=files)
    assert r.status_code == 403 and "Formularz odrzucony" in r.text
    r = client.post("/app/inventories", data={"name": "x", "csrf_token": "forged"}, files=files)
    assert r.status_code == 403
    assert _inventory_count(app) == 0


def test_other_city_and_unknown_pages_are_404_pages(client, tenants) -> None:  # type: ignore[no-untyped-def]
    csrf = _sign_in(client, tenants.city_key)
    files = {"file": ("demo.csv", DEMO_CSV.read_bytes(), "text/csv")}
    r = client.post(
        "/app/inventories", data={"name": "L", "csrf_token": csrf}, files=files, follow_redirects=False
    )
    assert r.status_code == 303
    inventory_url = r.headers["location"].split("?")[0]
    client.cookies.clear()
    _sign_in(client, tenants.other_city_key)
    for url in (
        inventory_url,
        inventory_url + "/assess",
        "/app/assessments/00000000-0000-0000-0000-000000000000",
        "/app/nope",
    ):
        r = client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), url
    r = client.get("/app/inventories/not-a-uuid")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")


def test_revoked_key_ends_the_session(client, tenants) -> None:  # type: ignore[no-untyped-def]
    csrf = _sign_in(client, tenants.city_key)
    r = client.post("/app/access/keys", data={"csrf_token": csrf, "label": "t", "scopes": ["inventory:read"]})
    assert r.status_code == 201
    new_key = re.search(r'<code class="key">([^<]+)</code>', r.text).group(1)  # type: ignore[union-attr]
    target = re.findall(r'action="/app/access/keys/([0-9a-f-]+)/revoke"', r.text)[-1]
    client.cookies.clear()
    _sign_in(client, new_key)
    held_session = client.cookies.get("miasto_session")
    assert client.get("/app/inventories", follow_redirects=False).status_code == 200
    client.cookies.clear()
    csrf = _sign_in(client, tenants.city_key)
    assert client.post(f"/app/access/keys/{target}/revoke", data={"csrf_token": csrf}).status_code == 200
    client.cookies.clear()
    client.cookies.set("miasto_session", held_session, path="/app")
    r = client.get("/app/inventories", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/app/sign-in")
    assert client.post("/app/sign-in", data={"api_key": new_key}, follow_redirects=False).status_code == 401


def test_sign_out_then_pages_redirect_to_sign_in(client, tenants) -> None:  # type: ignore[no-untyped-def]
    csrf = _sign_in(client, tenants.city_key)
    r = client.post("/app/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and 'miasto_session=""' in r.headers["set-cookie"]
    r = client.get("/app/inventories", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/app/sign-in")


def test_open_redirect_is_refused(client, tenants) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/app/sign-in",
        data={"api_key": tenants.city_key, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/app/inventories"


def test_assessment_table_shows_what_the_json_says(client, tenants) -> None:  # type: ignore[no-untyped-def]
    """The page reads its table field by field from the stored records (not the whole document):
    every row's values equal the JSON's for the same building, on both databases."""
    from tests.service.test_assessments_api import create_inventory, run_assessment

    inv = create_inventory(client, tenants, n=6)
    job = run_assessment(client, tenants, inv, {"include_pv": False})
    url = job["result_url"]
    api = client.get(url, headers=tenants.h(tenants.city_key)).json()["result"]["buildings"]
    _sign_in(client, tenants.city_key)
    html = client.get("/app" + url.removeprefix("/v1")).text
    rows = re.findall(
        r"<tr>\s*<td><a href=\"[^\"]+\">[^<]*</a><br><code>([^<]+)</code></td>(.*?)</tr>", html, re.S
    )
    assert [r[0] for r in rows] == [b["building_id"] for b in api]
    for (building_id, cells), b in zip(rows, api, strict=True):
        shown = [float(v) for v in re.findall(r'data-v="([^"]+)"', cells)]
        expected = [b["heated_area_m2"], b["ep"]["ep_hw_kwh_per_m2_year"], b["ep"]["limit_kwh_per_m2_year"],
                    b["co2_t_per_year"], b["cost_pln_per_year"]]  # fmt: skip
        assert shown[:5] == expected, building_id
        assert (" over" in cells) == (b["ep"]["meets_limit"] is False)
