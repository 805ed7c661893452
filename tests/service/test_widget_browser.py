"""The embed works in a real browser: a portal on one origin shows the widget served from another.

The REAL FastAPI app (fresh SQLite database) runs under uvicorn on one loopback port; a city submits
its indicator values, computes its scores and publishes a snapshot through the API; the portal example
page is served from a second port. Headless Chromium loads the portal page and the widget URL.
Screenshots land in ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from service.readiness.public_schema import PublicSnapshot
from service.readiness.render import BAND_COLOURS, WIDGET_HEIGHT_PX, score_band
from tests.conftest import make_settings, make_tenants
from tests.service.browser_util import ARTIFACTS, dump_dom, read_png, require_chromium, screenshot
from tests.service.browser_util import serve_app as serve_app  # noqa: F401  (pytest fixture)
from tests.service.test_readiness_api import CITY_VALUES, LUBLIN

pytestmark = pytest.mark.browser

PORTAL_PAGE = Path(__file__).resolve().parents[2] / "examples" / "portal" / "index.html"
PORTAL_PLACEHOLDER_ORIGIN = "http://localhost:8000"
WIDGET_PATH = f"/v1/public/readiness/{LUBLIN}/widget"
CARD_BORDER_RGB = (0xD5, 0xDA, 0xE3)  # .w border colour in templates/styles.py


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _pixels_of(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> np.ndarray:
    """Boolean mask of pixels within ``tol`` of ``rgb`` in every channel."""
    return (np.abs(image.astype(int) - np.array(rgb)) <= tol).all(axis=2)


@dataclass
class LiveApi:
    base_url: str
    snapshot: PublicSnapshot
    seen: list[dict[str, str]]


def start_real_api(serve, url: str) -> LiveApi:  # type: ignore[no-untyped-def]
    """Serve the real app on loopback and publish Lublin's snapshot through its own API."""
    from service.app import create_app

    app = create_app(make_settings(url))
    tenants = make_tenants(url)
    seen: list[dict[str, str]] = []

    @app.middleware("http")
    async def record_widget_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.url.path == WIDGET_PATH:
            seen.append(dict(request.headers))
        return await call_next(request)

    base = serve(app)
    h = tenants.h(tenants.city_key)
    values = [
        {"indicator": k, "value": v, "year": 2025, "source": "UM Lublin"} for k, v in CITY_VALUES.items()
    ]
    with httpx.Client(base_url=base, timeout=30) as api:
        assert (
            api.put(f"/v1/readiness/{LUBLIN}/indicators", json={"values": values}, headers=h).status_code
            == 200
        )
        body = {
            "teryts": [LUBLIN],
            "scenario": {"scenario_id": "lublin-5000", "label": "5000 osób", "arrivals": 5000},
            "uncertainty_runs": 200,
        }
        scores = api.post("/v1/readiness/scores", json=body, headers=h)
        assert scores.status_code == 201, scores.text
        run = {"run_id": scores.json()["run_id"]}
        pub = api.post(f"/v1/readiness/{LUBLIN}/publications", json=run, headers=h)
        assert pub.status_code == 201, pub.text
        public = api.get(f"/v1/public/readiness/{LUBLIN}")
        assert public.status_code == 200 and public.headers["access-control-allow-origin"] == "*"
    return LiveApi(base, PublicSnapshot.model_validate(public.json()), seen)


def make_portal_app(widget_base_url: str) -> FastAPI:
    """Serve the example portal page with its placeholder origin pointed at the served widget."""
    page = PORTAL_PAGE.read_text(encoding="utf-8")
    assert PORTAL_PLACEHOLDER_ORIGIN in page, "the example page must embed the widget from localhost:8000"
    app = FastAPI()

    @app.get("/")
    def index() -> HTMLResponse:
        return HTMLResponse(page.replace(PORTAL_PLACEHOLDER_ORIGIN, widget_base_url))

    return app


@pytest.fixture(scope="module")
def chromium() -> Path:
    return require_chromium()


@pytest.fixture
def live_api(serve_app, sqlite_url: str) -> LiveApi:  # noqa: F811
    return start_real_api(serve_app, sqlite_url)


def test_portal_embeds_widget_from_another_origin(chromium: Path, serve_app, live_api: LiveApi) -> None:  # noqa: F811
    seen = live_api.seen
    widget_base = live_api.base_url
    portal_base = serve_app(make_portal_app(widget_base))
    assert widget_base != portal_base  # different ports: different origins

    shot = screenshot(f"{portal_base}/", ARTIFACTS / "portal_widget.png", 1000, 760)
    image = read_png(shot)
    assert image.shape == (760, 1000, 3)
    assert image.reshape(-1, 3).std(axis=0).max() > 20, "screenshot is blank"

    # The browser fetched the widget as an iframe, from the portal's origin.
    frames = [h for h in seen if h.get("sec-fetch-dest") == "iframe"]
    assert frames, f"no iframe request reached the widget app; saw {seen}"
    assert frames[-1].get("referer", "").startswith(portal_base)

    # The cross-origin frame painted: the score dial (76 px circle) in its band colour is on screen,
    # a colour the portal page itself does not use.
    band_rgb = _rgb(BAND_COLOURS[score_band(live_api.snapshot.overall.score)])
    dial_px = int(_pixels_of(image, band_rgb).sum())
    assert dial_px > 0.6 * np.pi * 38**2, f"only {dial_px} pixels of the band colour: widget not painted"


def test_widget_dom_served_cross_origin_shows_score(chromium: Path, live_api: LiveApi) -> None:
    snap = live_api.snapshot
    dom = dump_dom(f"{live_api.base_url}{WIDGET_PATH}?lang=uk")
    assert '<html lang="uk">' in dom
    assert f'<span class="num">{int(np.floor(snap.overall.score + 0.5))}</span>' in dom  # whole points
    assert "Житло" in dom and snap.municipality_name in dom
    assert str(snap.data_vintage.max_year) in dom


def test_widget_fits_300_px_column(chromium: Path, live_api: LiveApi) -> None:
    """At 300 px wide the card's right edge and bottom edge are both inside the snippet's frame."""
    widget_base = live_api.base_url
    shot = screenshot(
        f"{widget_base}{WIDGET_PATH}?lang=pl", ARTIFACTS / "widget_300_pl.png", 300, WIDGET_HEIGHT_PX
    )
    image = read_png(shot)
    border = _pixels_of(image, CARD_BORDER_RGB, tol=3)
    assert border[:, 295:].sum() > 0.5 * WIDGET_HEIGHT_PX, "right edge of the card is cut off at 300 px"
    bottom_rows = np.flatnonzero(border.sum(axis=1) > 0.8 * 300)
    assert bottom_rows.size and bottom_rows.max() > WIDGET_HEIGHT_PX / 2, (
        "bottom edge of the card not visible"
    )
