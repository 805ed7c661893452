"""One base error with an HTTP status and a problem type, rendered as RFC 9457 problem+json; and
the one handler that renders the engines' errors (``energy.errors.EnergyError``,
``integration.errors.IntegrationError``) as 422 problems."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from energy.errors import EnergyError, OutsideClimateError
from energy.inventory.validation import InventoryError, InventoryTooLarge
from integration.errors import IntegrationError

log = logging.getLogger("miasto.errors")
PROBLEM_BASE = "https://miasto.example/problems/"
PROBLEM_JSON = "application/problem+json"
# Every echoed text (a value, a reason, a detail) is cut to this many characters: an error about a
# 1 GB cell must not be a 1 GB answer.
MAX_ECHO_CHARS = 300
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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
            "detail": _echo(self.detail),
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [_error_entry(e) for e in self.errors]
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


# The engines' error bases. Service code lets their errors go up to the one handler below
# (install_error_handlers), which answers 422 (413 for an inventory over the size limit); a service that knows which part of the request an
# engine call read says so with ``engine_input`` (tests/service/test_layers.py checks both).
ENGINE_ERRORS: tuple[type[ValueError], ...] = (EnergyError, IntegrationError)
_REQUEST_PART = "miasto_request_part"


class _FromMessage:
    """The field an engine error is about is what its message names before the first colon."""


FROM_MESSAGE = _FromMessage()
_NO_VALUE = object()


@dataclass(frozen=True)
class RequestPart:
    """The part of the request an engine call read: ``section`` prefixes the detail
    (``price_overrides: ...``) and so names the field; ``field`` names the field of every error
    as given (None: no field), instead of the message's; ``value``, when given, is echoed."""

    section: str | None = None
    field: str | None | _FromMessage = FROM_MESSAGE
    value: Any = _NO_VALUE


@contextmanager
def engine_input(
    section: str | None = None, *, field: str | None | _FromMessage = FROM_MESSAGE, value: Any = _NO_VALUE
) -> Iterator[None]:
    """Around an engine call: its error goes on to the one handler, knowing the part of the
    request it is about (``with engine_input("audited_variants"): ...``)."""
    try:
        yield
    except ENGINE_ERRORS as exc:
        setattr(exc, _REQUEST_PART, RequestPart(section, field, value))
        raise


def engine_problem(exc: ValueError) -> ProblemError:
    """The 422 an engine error is: its message as the detail, its row/field/reason as the errors
    (every problem of a composite-engine error; every building of one outside Poland; every cell
    of an inventory the intake could not read). An inventory over the size limit is the one 413."""
    from integration.composite.errors import CompositeInputError  # the composite engine is heavy to import

    part = getattr(exc, _REQUEST_PART, None) or RequestPart()
    message = str(exc)
    if isinstance(exc, InventoryError):
        issues = [issue.to_dict() for issue in exc.issues]
        return (PayloadTooLarge if isinstance(exc, InventoryTooLarge) else ValidationProblem)(
            message, errors=issues
        )
    if isinstance(exc, OutsideClimateError):
        errors: list[dict[str, Any]] = [
            {"field": "lat/lon", "value": b, "reason": "outside Poland"} for b in exc.building_ids[:50]
        ]
        return ValidationProblem(message, errors=errors)
    if isinstance(exc, CompositeInputError):
        section = part.section
        errors = [
            {"row": p.row, "field": ".".join(x for x in (section, p.key) if x) or None, "reason": p.reason}
            for p in exc.problems
        ]
        return ValidationProblem(f"invalid {section}: {message}" if section else message, errors=errors)
    detail = f"{part.section}: {message}" if part.section else message
    field = part.field
    if isinstance(field, _FromMessage):
        field = detail.split(":", 1)[0].strip() if ":" in detail else None
    error = {"field": field, "reason": detail}
    if part.value is not _NO_VALUE:
        error["value"] = part.value
    return ValidationProblem(detail, errors=[error])


def as_problem(exc: Exception) -> ProblemError:
    """A problem as itself, an engine's error as the 422 the one handler answers for it (for the
    workspace's forms, which show the findings on the form instead of an error page)."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, ENGINE_ERRORS):
        return engine_problem(exc)
    raise TypeError(f"not a problem: {exc!r}")


def _echo(text: str) -> str:
    """A text as it may appear in an answer: cut, and writable as UTF-8 (a lone surrogate becomes
    its ``\\udxxx`` escape instead of failing the encoder of the error response itself)."""
    if len(text) > MAX_ECHO_CHARS:
        text = text[:MAX_ECHO_CHARS] + f"… ({len(text):,} characters)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return _echo(value)
    if isinstance(value, dict):
        return {_echo(str(k)): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return _echo(value[: MAX_ECHO_CHARS * 4].decode("utf-8", "replace"))
    if value is None or isinstance(value, int | float | bool):
        return value
    return _echo(str(value))


def _echo_value(value: Any) -> Any:
    """The ``value`` of one error: a scalar as itself, an object or array (a whole submitted
    building, say) as the start of its JSON text."""
    if isinstance(value, dict | list | tuple):
        safe = _json_safe(value)
        text = json.dumps(safe, ensure_ascii=False, default=str)
        return safe if len(text) <= MAX_ECHO_CHARS else _echo(text)
    return _json_safe(value)


def _error_entry(error: Any) -> Any:
    if not isinstance(error, dict):
        return _json_safe(error)
    entry = _json_safe({k: v for k, v in error.items() if k != "value"})
    if "value" in error:
        entry["value"] = _echo_value(error["value"])
    return entry


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

    async def _engine(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ENGINE_ERRORS)
        return problem_response(engine_problem(exc), request)

    for engine_error in ENGINE_ERRORS:
        app.add_exception_handler(engine_error, _engine)

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
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body its declared content type cannot decode: a 422 like all bad input
            unreadable = ValidationProblem(
                "the body cannot be read as its Content-Type says",
                errors=[{"row": None, "field": None, "location": "body", "value": None,
                         "reason": "not decodable as the declared Content-Type"}],
            )  # fmt: skip
            return problem_response(unreadable, request)
        problem = ProblemError(str(exc.detail))
        problem.status = exc.status_code
        problem.title = {404: "No such resource", 405: "Method not allowed"}.get(
            exc.status_code, "HTTP error"
        )
        problem.type = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        problem.headers = dict(exc.headers or {})
        if exc.status_code == 405:
            problem.headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(problem, request)

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        if not is_lock_timeout(exc):
            log.exception("database error on %s %s", request.method, request.url.path)
            return internal_error_response(request)
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
        busy = ServiceUnavailable("the database is busy with other writes; nothing was stored, retry", 2)
        return problem_response(busy, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return internal_error_response(request)


def is_lock_timeout(exc: OperationalError) -> bool:
    """SQLite gave up waiting for another writer (``database is locked``): the client may retry."""
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def allowed_methods(request: Request) -> list[str]:
    """Every method of this path (Starlette's 405 names only the first route's).

    From the OpenAPI paths, where a literal path wins over a template (``/v1/portfolios/frontier``
    is not ``/v1/portfolios/{portfolio_id}``); for paths outside the schema (the workspace), each
    standard method is tried against the router's public ``matches``."""
    path = request.url.path
    paths = request.app.openapi().get("paths", {})
    if path in paths:
        return sorted(m.upper() for m in paths[path] if m.upper() in HTTP_METHODS)
    methods = {
        m.upper()
        for template, operations in paths.items()
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
        for m in operations
        if m.upper() in HTTP_METHODS
    }
    if methods:
        return sorted(methods)
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


def internal_error_response(request: Request) -> JSONResponse:
    problem = ProblemError("An unexpected error occurred; it has been logged with the request id.")
    problem.status, problem.type, problem.title = 500, "internal-error", "Internal error"
    return problem_response(problem, request)
