"""Public readiness endpoints for portals (no key): snapshot JSON, SVG badge, HTML widget, methodology.

Every answer (errors included) carries ``Access-Control-Allow-Origin: *``; successful ones carry
``Cache-Control: public, max-age=<public_cache_max_age_s>`` and a strong ``ETag`` (304 on a matching
``If-None-Match``). A limit per client IP (in Redis when the deployment has one, see
:mod:`service.readiness.ratelimit`) answers 429 with ``Retry-After``. Hot
requests are served from :mod:`service.readiness.public_cache` without touching the database; the
handlers are ``async`` because they do no CPU work, and a cache miss goes to a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute

from service.errors import Gone, NotFound, ProblemError, TooManyRequests
from service.i18n import negotiate
from service.openapi import problem_responses
from service.readiness.public_cache import Entry, PublicCache
from service.readiness.public_schema import PublicHistory, PublicSnapshot
from service.readiness.ratelimit import Limiter, make_limiter
from service.readiness.render import CSP, not_published_html, withdrawn_html


class PublicRoute(APIRoute):
    """Adds the open CORS header to every answer, errors (422, 404, 429) included."""

    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except (ProblemError, RequestValidationError) as exc:
                for kind in type(exc).__mro__:
                    if kind in request.app.exception_handlers:
                        response = await request.app.exception_handlers[kind](request, exc)
                        break
                else:  # pragma: no cover - the app always installs both handlers
                    raise
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
            return response

        return handler


router = APIRouter(prefix="/v1/public", tags=["public embeds"], route_class=PublicRoute)
TerytPath = Annotated[
    str, Path(pattern=r"^\d{7}$", description="7-digit TERYT gmina code", examples=["0663011"])
]
# Any value is accepted: pl, en or uk, and anything else falls back to Polish (Content-Language says which),
# so a portal's frame never shows an error page for a language tag it happens to send.
WidgetLang = Annotated[
    str, Query(max_length=16, description="language of the badge or widget: pl (default), en, uk")
]
PageLang = Annotated[
    str, Query(max_length=16, description="language of the methodology page: pl (default), en, uk")
]
PUBLIC_ERRORS = problem_responses(404, 410, 422, 429)


def _state(request: Request) -> tuple[PublicCache, Limiter]:
    state = request.app.state
    cache = getattr(state, "readiness_public_cache", None)
    if cache is None:
        cache = state.readiness_public_cache = PublicCache(state.session_factory)
        state.readiness_rate_limiter = make_limiter(
            state.settings.public_rate_limit_per_minute, state.settings.rate_limit_redis_url
        )
    return cache, state.readiness_rate_limiter


def _limit(request: Request, limiter: Limiter) -> None:
    wait_s = limiter.take(request.client.host if request.client else "unknown")
    if wait_s is not None:
        raise TooManyRequests(
            f"more than {int(limiter.capacity)} requests per minute from your address", wait_s
        )


async def _entry(request: Request, teryt: str) -> Entry:
    cache, limiter = _state(request)
    _limit(request, limiter)
    entry = cache.fresh(teryt)
    if entry is None:
        entry = await run_in_threadpool(cache.load, teryt)
    return entry


def _answer(request: Request, body: bytes, etag: str, media_type: str, extra: dict | None = None) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={request.app.state.settings.public_cache_max_age_s}",
        **(extra or {}),
    }
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _unpublished(teryt: str) -> NotFound:
    return NotFound(f"no published readiness snapshot for gmina {teryt}")


def _check_current(entry: Entry, teryt: str) -> None:
    """404 when nothing was published; 410 Gone (with the date) when the latest was withdrawn."""
    if entry.snapshot is None:
        raise _unpublished(teryt)
    if entry.withdrawn_at is not None:
        raise Gone(
            f"the readiness score of gmina {teryt} ({entry.snapshot_id}) was withdrawn on "
            f"{entry.withdrawn_at:%Y-%m-%d}",
            snapshot_id=entry.snapshot_id, withdrawn_at=entry.withdrawn_at.isoformat(),
        )  # fmt: skip


@router.options("/{path:path}", include_in_schema=False, status_code=204)
async def preflight(path: str) -> Response:
    """CORS preflight (a portal's script sending If-None-Match itself): GET from anywhere, cached a day."""
    return Response(
        status_code=204,
        headers={"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                 "Access-Control-Allow-Headers": "If-None-Match", "Access-Control-Max-Age": "86400"},
    )  # fmt: skip


@router.get(
    "/readiness/methodology", include_in_schema=False, response_class=Response, responses=PUBLIC_ERRORS
)  # alias: the documented example snapshot links here
@router.get(
    "/methodology", response_class=Response, responses={**PUBLIC_ERRORS, 200: {"content": {"text/html": {}}}}
)
async def methodology(request: Request, lang: PageLang = "pl") -> Response:
    """The methodology page (pl/en/uk) generated from the framework: indicators, sources, weights, method."""
    cache, limiter = _state(request)
    _limit(request, limiter)
    lang = negotiate(lang)
    body, etag = cache.methodology(lang)
    headers = {"Content-Security-Policy": CSP, "Content-Language": lang}
    return _answer(request, body, etag, "text/html; charset=utf-8", headers)


@router.get(
    "/readiness/{teryt}", response_model=PublicSnapshot, response_class=Response, responses=PUBLIC_ERRORS
)
async def snapshot(teryt: TerytPath, request: Request) -> Response:
    """The latest published snapshot of the gmina (the stable public contract, see PUBLIC_CONTRACT.md)."""
    entry = await _entry(request, teryt)
    _check_current(entry, teryt)
    body, etag = entry.body("json", "", "")
    return _answer(request, body, etag, "application/json")


@router.get(
    "/readiness/{teryt}/badge.svg", response_class=Response,
    responses={**PUBLIC_ERRORS, 200: {"content": {"image/svg+xml": {}}}},
)  # fmt: skip
async def badge(teryt: TerytPath, request: Request, lang: WidgetLang = "pl") -> Response:
    """A small accessible SVG badge: score out of 100, band colour and data year."""
    entry = await _entry(request, teryt)
    _check_current(entry, teryt)
    lang = negotiate(lang)
    body, etag = entry.body("badge", lang, "")
    return _answer(request, body, etag, "image/svg+xml", {"Content-Language": lang})


@router.get(
    "/readiness/{teryt}/widget", response_class=Response,
    responses={
        **PUBLIC_ERRORS,
        200: {"content": {"text/html": {}}},
        # Inside a portal's iframe a friendly page reads better than JSON: unpublished is HTML too.
        404: {"description": "no published snapshot for this TERYT (a friendly HTML page)",
              "content": {"text/html": {}}},
    },
)  # fmt: skip
async def widget(teryt: TerytPath, request: Request, lang: WidgetLang = "pl") -> Response:
    """A self-contained HTML widget for an iframe (no scripts, fonts or CDNs), pl/en/uk."""
    entry = await _entry(request, teryt)
    lang = negotiate(lang)
    csp = {"Content-Security-Policy": CSP, "Content-Language": lang}
    if entry.snapshot is None:
        return Response(
            not_published_html(lang), status_code=404, media_type="text/html; charset=utf-8", headers=csp
        )
    if entry.withdrawn_at is not None:
        return Response(
            withdrawn_html(lang, entry.withdrawn_at), status_code=410, media_type="text/html; charset=utf-8",
            headers=csp,
        )  # fmt: skip
    body, etag = entry.body("widget", lang, request.app.state.settings.base_url)
    return _answer(request, body, etag, "text/html; charset=utf-8", csp)


@router.get("/readiness/{teryt}/history", response_model=PublicHistory, responses=PUBLIC_ERRORS)
async def history(teryt: TerytPath, request: Request) -> PublicHistory:
    """What was published for the gmina and when, newest first, withdrawals with their date and reason."""
    cache, limiter = _state(request)
    _limit(request, limiter)
    items = await run_in_threadpool(cache.history, teryt)
    if not items:
        raise _unpublished(teryt)
    return PublicHistory(teryt=teryt, count=len(items), items=items)


@router.get("/{path:path}", include_in_schema=False)
async def unknown(path: str) -> Response:
    """Any other ``/v1/public/...`` path is a 404 (with CORS), not a 405 from the preflight route."""
    raise NotFound(f"no public endpoint /v1/public/{path}")
