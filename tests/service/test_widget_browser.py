"""The embed works in a real browser: a portal on one origin shows the widget served from another.

A stand-in widget app (swap in the real FastAPI app: the paths are the public ones of issue 6) and the
portal example page are served from two loopback ports; headless Chromium loads the portal page and
the widget URL. Screenshots land in ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from service.readiness.public_schema import example_snapshot
from service.readiness.render import (
    BAND_COLOURS,
    WIDGET_HEIGHT_PX,
    badge_svg,
    score_band,
    widget_html,
)
from tests.service.browser_util import ARTIFACTS, dump_dom, read_png, require_chromium, screenshot
from tests.service.browser_util import serve_app as serve_app  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.browser

PORTAL_PAGE = Path(__file__).resolve().parents[2] / "examples" / "portal" / "index.html"
PORTAL_PLACEHOLDER_ORIGIN = "http://localhost:8000"
SNAPSHOT = example_snapshot()
WIDGET_PATH = f"/v1/public/readiness/{SNAPSHOT.teryt}/widget"
CARD_BORDER_RGB = (0xD5, 0xDA, 0xE3)  # .w border colour in templates/styles.py


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _pixels_of(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> np.ndarray:
    """Boolean mask of pixels within ``tol`` of ``rgb`` in every channel."""
    return (np.abs(image.astype(int) - np.array(rgb)) <= tol).all(axis=2)


def make_widget_app(seen: list[dict[str, str]]) -> FastAPI:
    """Stand-in for the real API's public routes; records the headers of every widget request."""
    app = FastAPI()

    @app.get(WIDGET_PATH)
    def widget(request: Request, lang: str = "pl") -> HTMLResponse:
        seen.append(dict(request.headers))
        return HTMLResponse(widget_html(SNAPSHOT, lang, str(request.base_url)))

    @app.get(f"/v1/public/readiness/{SNAPSHOT.teryt}/badge.svg")
    def badge(lang: str = "pl") -> Response:
        return Response(badge_svg(SNAPSHOT, lang), media_type="image/svg+xml")

    @app.get(f"/v1/public/readiness/{SNAPSHOT.teryt}")
    def snapshot() -> JSONResponse:
        return JSONResponse(SNAPSHOT.model_dump(mode="json"))

    return app


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


def test_portal_embeds_widget_from_another_origin(chromium: Path, serve_app) -> None:  # noqa: F811
    seen: list[dict[str, str]] = []
    widget_base = serve_app(make_widget_app(seen))
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
    band_rgb = _rgb(BAND_COLOURS[score_band(SNAPSHOT.overall.score)])
    dial_px = int(_pixels_of(image, band_rgb).sum())
    assert dial_px > 0.6 * np.pi * 38**2, f"only {dial_px} pixels of the band colour: widget not painted"


def test_widget_dom_served_cross_origin_shows_score(chromium: Path, serve_app) -> None:  # noqa: F811
    seen: list[dict[str, str]] = []
    widget_base = serve_app(make_widget_app(seen))
    dom = dump_dom(f"{widget_base}{WIDGET_PATH}?lang=uk")
    assert '<html lang="uk">' in dom
    assert '<span class="num">63</span>' in dom  # 63.4 shown as whole points
    assert "Житло" in dom and SNAPSHOT.municipality_name in dom
    assert "2021–2024" in dom


def test_widget_fits_300_px_column(chromium: Path, serve_app) -> None:  # noqa: F811
    """At 300 px wide the card's right edge and bottom edge are both inside the snippet's frame."""
    widget_base = serve_app(make_widget_app([]))
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
