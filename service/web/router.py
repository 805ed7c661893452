"""The workspace's own routes (sign-in, sign-out, home) and the list of page modules under ``/app``.

Each page module (``service/web/pages/*.py``) has a ``router`` (an ``APIRouter`` with prefix
``/app/...``); :func:`page_routers` names them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.deps import SessionDep
from service.orgs.service import end_session
from service.web.pages import access, assessments, inventories, portfolios, readiness
from service.web.render import page
from service.web.session import (
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    CsrfUserDep,
    UserDep,
    set_session_cookie,
    sign_in,
)

router = APIRouter(prefix="/app", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a local ``/app`` path is followed after sign-in (no open redirect)."""
    if target and target.startswith("/app") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app/inventories"


@router.get("")
@router.get("/")
def home(user: UserDep) -> Response:
    return RedirectResponse("/app/inventories", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return page(request, "sign_in.html", next=_safe_next(next), failed=False)


@router.post("/sign-in")
def sign_in_post(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """No CSRF token yet (there is no session); SameSite=Lax and the key itself protect this form."""
    cookie = sign_in(request, session, api_key)
    if cookie is None:
        return page(request, "sign_in.html", status_code=401, next=_safe_next(next), failed=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, cookie)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, user: CsrfUserDep) -> Response:
    """Ends the session on the server too: a copy of the cookie no longer signs anyone in."""
    end_session(session, user.csrf, SESSION_MAX_AGE_S)
    response = RedirectResponse("/app/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/app")
    return response


def page_routers() -> list[APIRouter]:
    return [
        router,
        inventories.router,
        assessments.router,
        access.router,
        portfolios.router,
        readiness.router,
    ]
