"""Pure ASGI middlewares (no BaseHTTPMiddleware: it costs ~30 % throughput on small responses).

``RequestContext`` gives every request an id (echoed in ``X-Request-ID``, carried in logs and into
the jobs a request creates), writes one access-log line, and renders unexpected errors as a
problem+json 500 that carries the same id.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from service.errors import PROBLEM_BASE, PROBLEM_JSON
from service.logs import request_id_var

log = logging.getLogger("miasto.api")
Scope = dict[str, Any]


def headers_too_large(scope: Scope) -> bool:
    return sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ())) > MAX_HEADER_BYTES


def _problem(status: int, kind: str, title: str, detail: str, path: str) -> bytes:
    return json.dumps(
        {"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail, "instance": path}
    ).encode()


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


# Answers anyone may cache (set by their routes): the public embeds, the static files, the API schema.
CACHEABLE_PREFIXES = ("/v1/public/", "/app/static/", "/openapi.json", "/docs", "/redoc")
# Request headers larger than this in total are refused with 431 (nginx's default is 4 x 8 KB; a
# bearer key, a session cookie and a browser's usual headers take under 2 KB).
MAX_HEADER_BYTES = 16 * 1024
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]


def _with_headers(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``nosniff`` and a referrer policy everywhere; ``Cache-Control: no-store`` on every private answer
    that does not set its own (a shared cache must never keep a tenant's data). ``Allow`` of a
    public embed names HEAD with GET (answered here, below)."""
    names = {k.lower() for k, _ in headers}
    if path.startswith("/v1/public/"):
        headers = [
            (k, v + b", HEAD") if k.lower() == b"allow" and b"GET" in v and b"HEAD" not in v else (k, v)
            for k, v in headers
        ]
    extra = [h for h in SECURITY_HEADERS if h[0] not in names]
    if b"cache-control" not in names and not path.startswith(CACHEABLE_PREFIXES):
        extra.append((b"cache-control", b"no-store"))
    return [*headers, *extra]


class RequestContext:
    """Request id, access log, security headers, the 500 and 431 problems; HEAD on the public embeds."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id") or ""
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        state = {"status": 500, "started": False}
        path = scope.get("path", "")
        # HEAD on the public embeds answers exactly like GET (status, headers, ETag) without a body,
        # as CORS advertises; the routes themselves are GET only.
        head = scope.get("method") == "HEAD" and path.startswith("/v1/public/")
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                headers = _with_headers(path, list(message.get("headers", [])))
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            if headers_too_large(scope):
                body = _problem(
                    431, "headers-too-large", "Request headers too large",
                    f"the request headers are larger than {MAX_HEADER_BYTES // 1024} KB", path,
                )  # fmt: skip
                await _send_problem(send_with_id, 431, body)
                return
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Rendered here, not by the outer ServerErrorMiddleware, so that the log line and the
            # response both carry the request id.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not state["started"]:
                detail = "An unexpected error occurred; it has been logged with the request id."
                body = _problem(500, "internal-error", "Internal error", detail, path)
                await _send_problem(send_with_id, 500, body)
        finally:
            request_id_var.reset(token)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s -> %s", scope.get("method"), scope.get("path"), state["status"],
                    extra={"request_id": request_id, "method": scope.get("method"), "path": scope.get("path"),
                           "status": state["status"],
                           "duration_ms": round(1000 * (time.perf_counter() - started), 1)},
                )  # fmt: skip


async def _send_problem(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
