"""The workspace: server-rendered pages under ``/app`` (see ``service/web/README.md``)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install_web(app: FastAPI) -> None:
    """Mount the pages, their static files, the offline ``/docs`` and ``/redoc`` and the error pages."""
    from service.web.docs import router as docs_router
    from service.web.errors import guard_page_routes, install_web_error_pages
    from service.web.render import STATIC_DIR
    from service.web.router import page_routers

    settings = app.state.settings
    app.state.web_secret = getattr(settings, "session_secret", None) or secrets.token_urlsafe(32)
    for router in page_routers():
        app.include_router(router)
    app.include_router(docs_router)
    app.mount("/app/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    install_web_error_pages(app)
    guard_page_routes(app)  # an unexpected error on a page is a page too, never a JSON 500
