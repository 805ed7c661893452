"""Idempotency-Key on POST: a retried request gets the first response and stores nothing new."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import Conflict, ValidationProblem
from service.jobs.models import IdempotentResponse
from service.orgs.service import Principal


def request_fingerprint(method_path: str, body: bytes, extra: str = "") -> str:
    digest = hashlib.sha256()
    for part in (method_path.encode(), extra.encode(), body):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def replay_or_run(
    session: Session,
    principal: Principal,
    key: str | None,
    method_path: str,
    fingerprint: str,
    run: Callable[[], tuple[int, Any, dict[str, str]]],
    after_commit: Callable[[], None] | None = None,
) -> Response:
    """Run ``run`` once per (organisation, key); commit the result together with the stored response."""
    if key is not None:
        if not (1 <= len(key) <= 200):
            raise ValidationProblem(
                "Idempotency-Key must be 1-200 characters",
                errors=[{"field": "Idempotency-Key", "reason": "length"}],
            )
        stored = session.scalar(
            select(IdempotentResponse).where(
                IdempotentResponse.org_id == principal.org_id, IdempotentResponse.key == key
            )
        )
        if stored is not None:
            if stored.request_hash != fingerprint or stored.method_path != method_path:
                raise Conflict(
                    "this Idempotency-Key was already used for a different request",
                    errors=[{"field": "Idempotency-Key", "value": key, "reason": "reused with another payload"}],
                )
            headers = dict(stored.headers or {})
            headers["Idempotent-Replayed"] = "true"
            return Response(stored.body, status_code=stored.status_code, headers=headers, media_type="application/json")
    status, payload, headers = run()
    body = json.dumps(payload, default=str, ensure_ascii=False)
    if key is not None:
        session.add(
            IdempotentResponse(
                org_id=principal.org_id,
                key=key,
                method_path=method_path,
                request_hash=fingerprint,
                status_code=status,
                body=body,
                headers=headers,
            )
        )
    session.commit()  # the request boundary: the stored data and the replayable response together
    if after_commit is not None:
        after_commit()
    return JSONResponse(json.loads(body), status_code=status, headers=headers)
