"""Idempotency-Key on every POST: a retried request gets the first response and stores nothing new.

An ASGI middleware claims ``(organisation, key)`` in its own short transaction *before* the route
runs, so two concurrent requests with one key cannot both run: the second gets the stored response
(when the first has finished) or a 409 "in progress". A response is kept when it is not a 5xx; a
5xx releases the claim so that the client can retry. A claim abandoned by a crashed process is
taken over after ``STALE_CLAIM``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from service.db import utcnow
from service.errors import Conflict, ProblemError, ValidationProblem, problem_response
from service.jobs.models import IdempotentResponse
from service.orgs.service import key_by_plaintext

HEADER = "idempotency-key"
IN_PROGRESS = 0
STALE_CLAIM = timedelta(minutes=10)
REPLAYED_HEADERS = ("content-type", "location")


def fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (
        request.method,
        request.url.path,
        request.url.query,
        request.headers.get("content-type", ""),
    ):
        digest.update(part.encode())
        digest.update(b"\x00")
    digest.update(body)
    return digest.hexdigest()


def _org_of(sessions: Any, authorization: str) -> Any:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with sessions() as s:
        found = key_by_plaintext(s, token)
        return found[0].org_id if found is not None and found[0].revoked_at is None else None


def _claim(
    sessions: Any, org_id: Any, key: str, method_path: str, request_hash: str
) -> IdempotentResponse | None:
    """Insert the claim; return the existing row when the key was used before (None: claimed)."""
    with sessions() as s:
        s.add(
            IdempotentResponse(
                org_id=org_id,
                key=key,
                method_path=method_path,
                request_hash=request_hash,
                status_code=IN_PROGRESS,
                body="",
                headers={},
            )
        )
        try:
            s.commit()
            return None
        except IntegrityError:
            s.rollback()
        row = s.get(IdempotentResponse, (org_id, key))
        if row is not None and row.status_code == IN_PROGRESS and row.created_at < utcnow() - STALE_CLAIM:
            taken = s.execute(
                update(IdempotentResponse)
                .where(
                    IdempotentResponse.org_id == org_id,
                    IdempotentResponse.key == key,
                    IdempotentResponse.created_at == row.created_at,
                )
                .values(created_at=utcnow(), request_hash=request_hash, method_path=method_path)
            ).rowcount
            s.commit()
            if taken:
                return None
        if row is not None:
            s.expunge(row)
        return row


def _store(
    sessions: Any, org_id: Any, key: str, response_body: bytes, status: int, headers: dict[str, str]
) -> None:
    with sessions() as s:
        if status >= 500:
            s.execute(
                delete(IdempotentResponse).where(
                    IdempotentResponse.org_id == org_id, IdempotentResponse.key == key
                )
            )
        else:
            s.execute(
                update(IdempotentResponse)
                .where(IdempotentResponse.org_id == org_id, IdempotentResponse.key == key)
                .values(status_code=status, body=response_body.decode("utf-8", "replace"), headers=headers)
            )
        s.commit()


def _replay(row: IdempotentResponse, method_path: str, request_hash: str) -> Response:
    if row.method_path != method_path or row.request_hash != request_hash:
        raise Conflict(
            "this Idempotency-Key was already used for a different request",
            errors=[{"field": "Idempotency-Key", "value": row.key, "reason": "reused with another payload"}],
        )
    if row.status_code == IN_PROGRESS:
        raise Conflict(
            "a request with this Idempotency-Key is still in progress; retry later",
            errors=[{"field": "Idempotency-Key", "value": row.key, "reason": "in progress"}],
        )
    headers = {**(row.headers or {}), "Idempotent-Replayed": "true"}
    return Response(row.body.encode("utf-8"), status_code=row.status_code, headers=headers)


class Idempotency:
    """Pure ASGI middleware; every request but a POST with an Idempotency-Key passes straight through."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        key = request.headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        settings = request.app.state.settings
        try:
            if not 1 <= len(key) <= 200 or not (key.isascii() and key.isprintable()):
                raise ValidationProblem(
                    "Idempotency-Key must be 1-200 printable characters",
                    errors=[
                        {"field": "Idempotency-Key", "value": key[:50], "reason": "length or characters"}
                    ],
                )
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_upload_bytes:
                await self.app(scope, receive, send)  # the route answers 413; nothing to remember
                return
            sessions = request.app.state.session_factory
            org_id = await run_in_threadpool(_org_of, sessions, request.headers.get("authorization", ""))
            if org_id is None:
                await self.app(scope, receive, send)  # the route answers 401
                return
            body = await request.body()
            method_path = f"POST {request.url.path}"
            request_hash = fingerprint(request, body)
            existing = await run_in_threadpool(_claim, sessions, org_id, key, method_path, request_hash)
            if existing is not None:
                await _replay(existing, method_path, request_hash)(scope, receive, send)
                return
        except ProblemError as exc:
            await problem_response(exc, request)(scope, receive, send)
            return

        replayed_body = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive_again() -> dict[str, Any]:
            return replayed_body.pop() if replayed_body else await receive()

        captured: dict[str, Any] = {"status": 500, "headers": {}, "chunks": []}

        async def send_and_keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() in REPLAYED_HEADERS
                }
            elif message["type"] == "http.response.body":
                captured["chunks"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_again, send_and_keep)
        except BaseException:
            await run_in_threadpool(_store, sessions, org_id, key, b"", 500, {})
            raise
        await run_in_threadpool(
            _store,
            sessions,
            org_id,
            key,
            b"".join(captured["chunks"]),
            captured["status"],
            captured["headers"],
        )


def install_idempotency(app: FastAPI) -> None:
    app.add_middleware(Idempotency)
