"""Error pages for ``/app``: the API's problems rendered as a page in the reader's language.

The API's JSON handlers stay as they are for every other path; under ``/app`` a ProblemError, a
validation error, an HTTP error or anything unexpected becomes an HTML page (never a bare 500 text).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import ENGINE_ERRORS, ProblemError, engine_problem
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import SignInRequired

log = logging.getLogger("miasto.web")

APP_PREFIX = "/app"


def _is_page(request: Request) -> bool:
    return request.url.path == APP_PREFIX or request.url.path.startswith(APP_PREFIX + "/")


def error_page(request: Request, status: int, kind: str, errors: list | None = None) -> Response:
    """A page for ``status``; ``kind`` picks the message (not-found, forbidden, csrf, invalid, ...)."""
    return page(
        request,
        "error.html",
        status_code=status,
        status=status,
        kind=kind,
        findings=translated_findings(errors or []),
    )


def _problem_page(request: Request, exc: ProblemError) -> Response:
    if isinstance(exc, SignInRequired):
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"{APP_PREFIX}/sign-in?next={target}", status_code=303)
    kind = {401: "sign-in", 403: "forbidden", 404: "not-found", 409: "conflict", 503: "unavailable"}.get(
        exc.status, "invalid"
    )
    if exc.type == "csrf":
        kind = "csrf"
    return error_page(request, exc.status, kind, exc.errors)


def install_web_error_pages(app: FastAPI) -> None:
    """Wrap the API's exception handlers: pages under ``/app``, problem+json everywhere else."""
    api_handlers = dict(app.exception_handlers)

    def wrap(cls: type[Exception], to_page):
        api = api_handlers.get(cls)

        async def handler(request: Request, exc: Exception) -> Response:
            if _is_page(request):
                try:
                    return to_page(request, exc)
                except Exception:  # noqa: BLE001 - the error page itself must never fail silently
                    log.exception("error page failed on %s", request.url.path)
            return await api(request, exc)  # type: ignore[misc]

        app.add_exception_handler(cls, handler)

    wrap(ProblemError, _problem_page)
    for engine_error in ENGINE_ERRORS:  # the page of the 422 the API answers for an engine's error
        wrap(engine_error, lambda r, e: _problem_page(r, engine_problem(e)))
    wrap(
        RequestValidationError,
        lambda r, e: error_page(r, 422, "invalid", _validation_findings(e)),
    )
    wrap(
        StarletteHTTPException,
        lambda r, e: error_page(r, e.status_code, "not-found" if e.status_code == 404 else "http"),
    )

    def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on page %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500, "internal")

    wrap(Exception, unexpected)


def _validation_findings(exc: RequestValidationError) -> list[dict]:
    found = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        found.append(
            {"row": None, "field": ".".join(loc), "value": err.get("input"), "reason": err.get("msg")}
        )
    return found


class PageErrorMiddleware:
    """Innermost ASGI middleware: an unexpected error on an ``/app`` page becomes the 500 page in
    the reader's language (the API's request-id middleware would answer problem+json)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == APP_PREFIX or path.startswith(APP_PREFIX + "/")) or path.startswith("/app/static"):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on page %s %s", scope.get("method"), path)
            await error_page(Request(scope), 500, "internal")(scope, receive, send)


def guard_page_routes(app: FastAPI) -> None:
    """Put :class:`PageErrorMiddleware` innermost (inside the request-id middleware)."""
    from starlette.middleware import Middleware

    app.user_middleware.append(Middleware(PageErrorMiddleware))
