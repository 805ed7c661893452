"""One base error with an HTTP status and a problem type, rendered as RFC 9457 problem+json."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("miasto.errors")
PROBLEM_BASE = "https://miasto.example/problems/"
PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Base of every error the API reports; subclasses set status, type and title."""

    status = 400
    type = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra
        self.headers: dict[str, str] = {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [_json_safe(e) for e in self.errors]
        body.update(_json_safe(self.extra))
        return body


class Unauthorized(ProblemError):
    status, type, title = 401, "unauthorized", "Missing, unknown or revoked API key"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(ProblemError):
    status, type, title = 403, "forbidden", "The key lacks the scope or access for this action"


class NotFound(ProblemError):
    status, type, title = 404, "not-found", "No such resource"


class Conflict(ProblemError):
    status, type, title = 409, "conflict", "Conflict with the current state"


class Gone(ProblemError):
    status, type, title = 410, "gone", "The resource was withdrawn"


class PayloadTooLarge(ProblemError):
    status, type, title = 413, "payload-too-large", "Submission too large"


class UnsupportedMediaType(ProblemError):
    status, type, title = 415, "unsupported-media-type", "Unsupported content type"


class ValidationProblem(ProblemError):
    status, type, title = 422, "validation-error", "The submission has invalid data"


class TooManyRequests(ProblemError):
    status, type, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_s)}


class ServiceUnavailable(ProblemError):
    status, type, title = 503, "service-unavailable", "A service the request needs is unavailable"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_s)}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")[:200]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def problem_response(error: ProblemError, request: Request | None = None) -> JSONResponse:
    instance = str(request.url.path) if request is not None else None
    return JSONResponse(
        error.to_problem(instance), status_code=error.status, media_type=PROBLEM_JSON, headers=error.headers
    )


def _location_to_field(loc: tuple[Any, ...]) -> tuple[int | None, str]:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    indices = [p for p in parts if isinstance(p, int)]
    row = indices[0] + 1 if indices else None
    field = ".".join(str(p) for p in parts) or (str(loc[0]) if loc else "")
    return row, field


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                position = err.get("loc", ("body", None))[-1]
                errors.append(
                    {
                        "row": None,
                        "field": None,
                        "location": "body",
                        "value": None,
                        "reason": f"malformed JSON near character {position}: {err.get('ctx', {}).get('error', '')}",
                    }
                )
                continue
            row, field = _location_to_field(tuple(err.get("loc", ())))
            where = err.get("loc", ("",))[0]
            errors.append(
                {
                    "row": row,
                    "field": field,
                    "location": where,
                    "value": err.get("input"),
                    "reason": err.get("msg"),
                }
            )
        problem = ValidationProblem(f"{len(errors)} invalid field(s) in the request", errors=errors)
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = ProblemError(str(exc.detail))
        problem.status = exc.status_code
        problem.title = {404: "No such resource", 405: "Method not allowed"}.get(
            exc.status_code, "HTTP error"
        )
        problem.type = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        problem.headers = dict(exc.headers or {})
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return internal_error_response(request)


def internal_error_response(request: Request) -> JSONResponse:
    problem = ProblemError("An unexpected error occurred; it has been logged with the request id.")
    problem.status, problem.type, problem.title = 500, "internal-error", "Internal error"
    return problem_response(problem, request)
