"""Reading request bodies: one size limit and one text check for every body and query string.

``BodyGuard`` (pure ASGI, installed once in ``service.app``) reads every request body before any
route sees it, counting bytes as they arrive: a body over ``MIASTO_MAX_UPLOAD_MB`` is a 413 before
anything parses it (JSON routes included). It then rejects, with a 422 that names the field, what
would otherwise fail deep inside a parser or a database driver:

- JSON nested deeper than ``MAX_JSON_DEPTH`` (Python's JSON decoder raises ``RecursionError``);
- NUL characters (PostgreSQL refuses them in text) and lone UTF-16 surrogates (``"\\ud800"``, which
  no UTF-8 encoder, database or JSON response, can write) in any JSON string, form field, query
  parameter or CSV cell.

``read_raw_body`` gives routes that take files (JSON, CSV, XLSX, multipart) the raw bytes; the file
inside a multipart body passes the same text check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import numpy as np
import yaml
from fastapi import Request

from service.errors import PayloadTooLarge, ProblemError, ValidationProblem, problem_response

# Real documents nest a few levels (an inventory: 3, an index configuration: 5); 64 leaves room.
MAX_JSON_DEPTH = 64
MAX_REPORTED = 100  # text problems named per request
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
# A NUL or a surrogate written as an escape, or a surrogate encoded raw (json.loads decodes bytes
# with surrogatepass). Escaped pairs (emoji) also match; the parsed text then decides.
SUSPECT_JSON = re.compile(rb"\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]")
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class RawBody:
    content: bytes
    content_type: str
    filename: str | None


def text_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored or echoed, or None when it can."""
    found = BAD_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"contains a NUL character (U+0000) at position {found.start() + 1}"
    return f"contains a lone surrogate (U+{ord(found.group()):04X}) at position {found.start() + 1}"


def _issue(location: str, path: list[Any], reason: str) -> dict[str, Any]:
    indices = [p for p in path if isinstance(p, int)]
    return {
        "row": indices[0] + 1 if indices else None,
        "field": ".".join(str(p) for p in path) or None,
        "location": location,
        "value": None,  # never echoed: the value is what cannot be written
        "reason": reason,
    }


def json_depth(content: bytes) -> int:
    """Deepest nesting of arrays/objects in a JSON text, without parsing it (strings skipped)."""
    if content.count(b"[") + content.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot be too deep; the common small body costs two counts
    skeleton = np.frombuffer(JSON_STRING.sub(b'""', content), dtype=np.uint8)
    step = np.isin(skeleton, (ord("["), ord("{"))).astype(np.int32)
    step -= np.isin(skeleton, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


def json_problems(content: bytes) -> list[dict[str, Any]]:
    """Issues of a JSON body: too deep, or a string (key or value) that cannot be stored."""
    depth = json_depth(content)
    if depth > MAX_JSON_DEPTH:
        return [_issue("body", [], f"JSON nested {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted")]
    if SUSPECT_JSON.search(content) is None:
        return []
    try:
        document = json.loads(content)
    except ValueError:
        return []  # malformed JSON: the route's own parser reports where
    issues: list[dict[str, Any]] = []
    stack: list[tuple[list[Any], Any]] = [([], document)]
    while stack and len(issues) < MAX_REPORTED:
        path, node = stack.pop()
        if isinstance(node, str):
            reason = text_reason(node)
            if reason:
                issues.append(_issue("body", path, reason))
        elif isinstance(node, dict):
            for key, value in node.items():
                reason = text_reason(key)
                if reason:
                    issues.append(_issue("body", [*path, ascii(key)], "a key " + reason))
                stack.append(([*path, key], value))
        elif isinstance(node, list):
            stack.extend(([*path, i], v) for i, v in enumerate(node))
    return sorted(issues, key=lambda i: (i["row"] or 0, i["field"] or ""))


def pairs_problems(pairs: list[tuple[str, str]], location: str) -> list[dict[str, Any]]:
    """Issues of query parameters or form fields (name, value) that cannot be stored."""
    issues = []
    for name, value in pairs:
        reason = text_reason(name) or text_reason(value)
        if reason:
            issues.append(_issue(location, [name.replace("\x00", "\\0")], reason))
    return issues[:MAX_REPORTED]


def csv_problems(content: bytes) -> list[dict[str, Any]]:
    """NUL bytes in a CSV (PostgreSQL cannot store them): row as the city counts it, header column."""
    issues: list[dict[str, Any]] = []
    start = content.find(b"\x00")
    if start < 0:
        return issues
    header = content[: content.find(b"\n")].decode("utf-8-sig", "replace")
    sep = max((";", ",", "\t"), key=header.count)
    names = [h.strip().strip('"') for h in header.split(sep)]
    while start >= 0 and len(issues) < MAX_REPORTED:
        line_start = content.rfind(b"\n", 0, start) + 1
        column = content[line_start:start].count(sep.encode())
        issues.append(
            {
                "row": content.count(b"\n", 0, start) + 1,
                "field": names[column] if column < len(names) else f"column {column + 1}",
                "location": "body",
                "value": None,
                "reason": "contains a NUL character (U+0000)",
            }
        )
        next_line = content.find(b"\n", start)
        start = -1 if next_line < 0 else content.find(b"\x00", next_line)
    return issues


def content_problems(content: bytes, content_type: str) -> list[dict[str, Any]]:
    """The text check of one body (or one uploaded file) by its media type."""
    if content_type == "application/json" or content_type.endswith("+json"):
        return json_problems(content)
    if content_type == "application/x-www-form-urlencoded":
        pairs = parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
        return pairs_problems(pairs, "form")
    if content_type in ("text/csv", "application/csv", "text/plain"):
        return csv_problems(content)
    return []


def raise_for(issues: list[dict[str, Any]]) -> None:
    if issues:
        raise ValidationProblem(f"{len(issues)} field(s) cannot be accepted as sent", errors=issues)


def safe_yaml(text: str, field: str) -> Any:
    """``yaml.safe_load`` after checking the nesting depth and refusing aliases, from the event
    stream (the parser is iterative; the composer recurses once per level, ``RecursionError`` at
    ~1,000, and aliases expand a small text into an exponentially large document)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValidationProblem(
                    f"{field} is nested deeper than {MAX_JSON_DEPTH} levels",
                    errors=[{"field": field, "reason": f"nested deeper than {MAX_JSON_DEPTH} levels"}],
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            # nine aliases of nine aliases make 9**9 copies once stored as JSON ("billion laughs")
            raise ValidationProblem(
                f"{field} uses a YAML alias (*{event.anchor}); write the value out",
                errors=[{"field": field, "reason": "YAML aliases are not accepted"}],
            )
    return yaml.safe_load(text)


class BodyGuard:
    """Pure ASGI: the size limit while reading, then the text checks, then the body replayed."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._checked_body(scope, receive)
        except ProblemError as exc:
            await self._answer(exc, scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive_again() -> dict[str, Any]:
            return replay.pop() if replay else await receive()

        await self.app(scope, receive_again, send)

    @staticmethod
    async def _answer(exc: ProblemError, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Through the app's own handler of problems (a page in the reader's language under
        ``/app``, problem+json elsewhere); plain problem+json if that handler cannot run here."""
        app = scope["app"]
        request = Request({**scope, "router": getattr(app, "router", None)}, receive)
        handler = getattr(app, "exception_handlers", {}).get(ProblemError)
        try:
            response = await handler(request, exc) if handler else problem_response(exc, request)
        except Exception:  # noqa: BLE001 - the answer to bad input must not become a 500
            response = problem_response(exc, request)
        await response(scope, receive, send)

    async def _checked_body(self, scope: dict[str, Any], receive: Any) -> bytes | None:
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            raise_for(pairs_problems(pairs, "query") or [_issue("path", ["path"], text_reason("\x00") or "")])
        if scope.get("method") not in BODY_METHODS:
            return None
        settings = scope["app"].state.settings
        limit = settings.max_upload_bytes
        headers = dict(scope.get("headers", ()))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(
                f"the request is {int(declared) / 1e6:.1f} MB; the limit is {settings.max_upload_mb} MB"
            )
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None  # the client left; let the app see the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"the request is larger than {settings.max_upload_mb} MB")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        raise_for(content_problems(body, content_type))
        return body


async def read_raw_body(request: Request) -> RawBody:
    """The body as bytes with its media type (``BodyGuard`` already applied the size limit)."""
    settings = request.app.state.settings
    limit = settings.max_upload_bytes
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        return RawBody(await request.body(), content_type, None)
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as exc:  # noqa: BLE001 - any malformed multipart body is the client's error
        raise ValidationProblem(
            f"the multipart body cannot be read: {exc}"[:300],
            errors=[{"field": "file", "reason": "malformed multipart/form-data"}],
        ) from exc
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ValidationProblem(
            "a multipart upload needs its file in the field 'file'",
            errors=[{"field": "file", "reason": "missing"}],
        )
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {settings.max_upload_mb} MB")
    name = upload.filename or ""
    ctype = (upload.content_type or "").lower()
    if name.lower().endswith(".xlsx"):
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif name.lower().endswith(".csv"):
        ctype = "text/csv"
    elif name.lower().endswith(".json"):
        ctype = "application/json"
    raise_for(content_problems(data, ctype))
    return RawBody(data, ctype, name or None)
