"""OpenAPI helpers: problem+json responses declared on every route."""

from __future__ import annotations

from typing import Any

_TITLES = {
    400: "Bad request",
    401: "Missing, unknown or revoked API key",
    403: "The key lacks the scope or access",
    404: "Not found (also: another tenant's resource)",
    409: "Conflict with the current state",
    413: "Submission too large",
    415: "Unsupported content type",
    422: "Invalid data: the errors list names row, field and reason",
    429: "Rate limited",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    schema = {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["type", "title", "status", "detail"],
    }
    return {
        code: {"description": _TITLES.get(code, "Error"), "content": {"application/problem+json": {"schema": schema}}}
        for code in codes
    }
