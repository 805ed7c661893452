"""Access: advisors with access and their level (grant by name, revoke); API keys (create, revoke)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.deps import SessionDep
from service.errors import ValidationProblem
from service.orgs import access
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import CsrfUserDep, UserDep

router = APIRouter(prefix="/app/access", include_in_schema=False)


def _render(request: Request, session, user, status: int = 200, **extra) -> Response:
    view = access.access_view(session, user.principal)
    extra.setdefault("findings", [])
    extra.setdefault("new_key", None)
    return page(request, "access/index.html", status, nav="access", view=view, **extra)


@router.get("")
def access_page(request: Request, session: SessionDep, user: UserDep) -> Response:
    return _render(request, session, user)


@router.post("/grants")
def grant(
    request: Request,
    session: SessionDep,
    user: CsrfUserDep,
    advisor_org_id: Annotated[str, Form(max_length=64)] = "",
    access_level: Annotated[str, Form(alias="access", max_length=8)] = "read",
) -> Response:
    try:
        access.grant_access(session, user.principal, advisor_org_id, access_level)
    except ValidationProblem as exc:  # nothing was stored
        return _render(request, session, user, 422, findings=translated_findings(exc.errors))
    return RedirectResponse("/app/access", status_code=303)


@router.post("/grants/{advisor_org_id}/revoke")
def revoke_grant(
    request: Request, advisor_org_id: uuid.UUID, session: SessionDep, user: CsrfUserDep
) -> Response:
    access.revoke_access(session, user.principal, advisor_org_id)
    return RedirectResponse("/app/access", status_code=303)


@router.post("/keys")
async def create_key(
    request: Request,
    session: SessionDep,
    user: CsrfUserDep,
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    scopes = [s for s in (await request.form()).getlist("scopes") if isinstance(s, str)]
    try:
        _, plaintext = access.create_key(session, user.principal, scopes, label)
    except ValidationProblem as exc:  # nothing was stored
        return _render(request, session, user, 422, findings=translated_findings(exc.errors))
    # Shown once, in this answer only (no redirect that could carry it in a URL).
    return _render(request, session, user, 201, new_key=plaintext)


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: uuid.UUID, session: SessionDep, user: CsrfUserDep) -> Response:
    access.revoke_key(session, user.principal, key_id)
    return RedirectResponse("/app/access", status_code=303)
