"""Public embed endpoints: contract, CORS, cache headers, ETag/304, rate limit, 404/422, methodology."""

from __future__ import annotations

import pytest

from service.readiness.public_schema import PublicSnapshot
from service.readiness.ratelimit import TokenBucketLimiter
from tests.service.test_readiness_api import LUBLIN, compute_and_publish, put_city_values

BASE = f"/v1/public/readiness/{LUBLIN}"


@pytest.fixture
def published(client, tenants) -> dict:  # type: ignore[no-untyped-def]
    put_city_values(client, tenants)
    return compute_and_publish(client, tenants, arrivals=5000)


def test_snapshot_json_contract_and_headers(client, published) -> None:
    r = client.get(BASE)
    assert r.status_code == 200
    snap = PublicSnapshot.model_validate(r.json())
    assert r.json() == published["snapshot"]  # exactly the frozen snapshot
    assert snap.overall.score == published["snapshot"]["overall"]["score"]
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["cache-control"] == "public, max-age=300"  # Settings.public_cache_max_age_s default
    etag = r.headers["etag"]
    again = client.get(BASE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(BASE, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(BASE, headers={"If-None-Match": f'W/{etag}, "x"'}).status_code == 304
    assert "ETag" in r.headers["access-control-expose-headers"]
    pre = client.options(BASE, headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET",
                                        "Access-Control-Request-Headers": "if-none-match"})  # fmt: skip
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in pre.headers["access-control-allow-headers"]


def test_badge_and_widget(client, published) -> None:
    score = round(published["snapshot"]["overall"]["score"])
    badge = client.get(f"{BASE}/badge.svg?lang=en")
    assert badge.status_code == 200 and badge.headers["content-type"] == "image/svg+xml"
    assert f"{score}/100 · 2025" in badge.text and 'role="img"' in badge.text
    assert badge.headers["access-control-allow-origin"] == "*" and badge.headers["etag"]
    for lang, word in (("pl", "Mieszkania"), ("en", "Housing"), ("uk", "Житло")):
        w = client.get(f"{BASE}/widget?lang={lang}")
        assert w.status_code == 200 and f'<html lang="{lang}">' in w.text and word in w.text
        assert f'<span class="num">{score}</span>' in w.text
        assert "default-src 'none'" in w.headers["content-security-policy"]
        assert "<script" not in w.text
    etag = client.get(f"{BASE}/widget?lang=pl").headers["etag"]
    assert client.get(f"{BASE}/widget?lang=pl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"{BASE}/widget?lang=en").headers["etag"] != etag  # one ETag per language


def test_bad_input_and_unpublished(client, tenants, published) -> None:
    assert client.get("/v1/public/readiness/66301").status_code == 422
    assert client.get("/v1/public/readiness/06630110/badge.svg").status_code == 422
    # a language the service does not have is Polish, said in Content-Language, never an error page in a frame
    r = client.get(f"{BASE}/widget?lang=de")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-language"] == "pl" and '<html lang="pl"' in r.text
    assert r.content == client.get(f"{BASE}/widget?lang=pl").content
    uk = client.get("/v1/public/methodology?lang=uk")
    assert uk.status_code == 200 and uk.headers["content-language"] == "uk"
    assert "Методологія індексу готовності" in uk.text and "Аналіз невизначеності" in uk.text
    # the widget's methodology link keeps the widget's language
    assert "/v1/public/methodology?lang=uk" in client.get(f"{BASE}/widget?lang=uk").text
    assert "/v1/public/methodology?lang=en" in client.get(f"{BASE}/widget?lang=en").text
    # Rzeszów is a tenant with no publication; 9999999 is no gmina at all
    for teryt in ("1863011", "9999999"):
        r = client.get(f"/v1/public/readiness/{teryt}")
        assert r.status_code == 404 and r.headers["access-control-allow-origin"] == "*"
        assert client.get(f"/v1/public/readiness/{teryt}/badge.svg").status_code == 404
        w = client.get(f"/v1/public/readiness/{teryt}/widget?lang=en")
        assert w.status_code == 404 and "text/html" in w.headers["content-type"]
    # scores computed but not published stay invisible
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    assert client.post("/v1/readiness/scores", json={"teryts": [LUBLIN]}, headers=h).status_code == 201
    assert client.get(BASE).json()["snapshot_id"] == published["snapshot_id"]


def test_new_publication_is_served_at_once(client, tenants, published) -> None:
    first = client.get(BASE)
    second = compute_and_publish(client, tenants)
    r = client.get(BASE, headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 200 and r.json()["snapshot_id"] == second["snapshot_id"]
    assert r.json()["supersedes"] == published["snapshot_id"]


def test_methodology_page_from_framework(client) -> None:
    for lang, heading in (("pl", "Mieszkania na 1000 mieszkańców"), ("en", "Dwellings per 1,000 population")):
        r = client.get(f"/v1/public/methodology?lang={lang}")
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
        assert heading in r.text and "2025.1" in r.text and "410600" in r.text


def test_rate_limit_429_with_retry_after(app_and_tenants, client) -> None:
    app, _ = app_and_tenants
    app.state.settings = app.state.settings.model_copy(update={"public_rate_limit_per_minute": 5})
    codes = [client.get("/v1/public/readiness/9999999").status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]
    r = client.get("/v1/public/methodology")
    assert r.status_code == 429 and r.headers["access-control-allow-origin"] == "*"
    assert int(r.headers["retry-after"]) == 12  # one token per 60/5 s


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucketLimiter(60, clock=lambda: now[0])  # one token per second
    assert [bucket.take("a") for _ in range(60)] == [None] * 60
    assert bucket.take("a") == 1 and bucket.take("b") is None  # another client has its own bucket
    now[0] += 0.5
    assert bucket.take("a") == 1  # half a token is not a request
    now[0] += 0.6
    assert bucket.take("a") is None
    now[0] += 1000
    assert [bucket.take("a") for _ in range(61)].count(None) == 60  # refills up to capacity only
    with pytest.raises(ValueError, match="per_minute"):
        TokenBucketLimiter(0)


def test_head_answers_like_get_without_a_body_and_unknown_paths_are_404(client, published) -> None:
    for path in (f"/v1/public/readiness/{LUBLIN}", f"/v1/public/readiness/{LUBLIN}/badge.svg",
                 f"/v1/public/readiness/{LUBLIN}/widget?lang=uk", "/v1/public/methodology"):  # fmt: skip
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-length"] == str(len(get.content))
        assert head.headers["access-control-allow-origin"] == "*"
    for path in ("/v1/public/nothing-here", "/v1/public/readiness/0663011/nope/x"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["access-control-allow-origin"] == "*", path


def test_security_headers_and_no_store_on_private_answers(client, tenants, published) -> None:
    private = client.get(f"/v1/readiness/{LUBLIN}/indicators", headers=tenants.h(tenants.city_key))
    assert private.headers["cache-control"] == "no-store"
    public = client.get(f"/v1/public/readiness/{LUBLIN}")
    assert public.headers["cache-control"].startswith("public, max-age=")
    for r in (private, public, client.get("/v1/me")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
