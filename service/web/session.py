"""The workspace's sign-in session, CSRF token, language and the calling principal.

Signing in with an API key sets one signed cookie (itsdangerous, 8 hours) that holds the key's *id*
and a random CSRF token, never the key. Every request looks the key up again by id, the way the API
looks it up by hash, so a revoked key ends the session at once. The cookie is HttpOnly, SameSite=Lax
and Secure when the request came over HTTPS.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from service.deps import SessionDep
from service.errors import Forbidden, ProblemError
from service.i18n import negotiate
from service.orgs.service import Principal, live_key_id, principal_for_key_id, session_ended

SESSION_COOKIE = "miasto_session"
LANG_COOKIE = "miasto_lang"
SESSION_MAX_AGE_S = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(ProblemError):
    """No valid session: a page redirects to the sign-in form (the error handler does that)."""

    status, type, title = 401, "sign-in-required", "Sign-in required"


class CsrfRefused(Forbidden):
    type, title = "csrf", "Form refused"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.web_secret, salt="miasto-web-session")


def page_lang(request: Request) -> str:
    """``?lang=`` first, then the language cookie, then ``Accept-Language``, else Polish."""
    return negotiate(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def read_session(request: Request) -> dict | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and "k" in data and "c" in data else None


def session_cookie_value(request: Request, key_id: uuid.UUID) -> str:
    return _serializer(request).dumps({"k": str(key_id), "c": secrets.token_urlsafe(24)})


def set_session_cookie(request: Request, response, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/app",
    )


@dataclass(frozen=True)
class WebUser:
    """A signed-in person: the principal of their key, the organisation's name, the CSRF token."""

    principal: Principal
    org_name: str
    csrf: str

    def can(self, scope: str) -> bool:
        return scope in self.principal.scopes or "admin" in self.principal.scopes


def current_user(request: Request, session: SessionDep) -> WebUser:
    """Dependency of every signed-in page; raises :class:`SignInRequired` without a live session."""
    data = read_session(request)
    found = principal_for_key_id(session, data["k"]) if data else None
    if data is None or found is None or session_ended(session, data["c"]):
        raise SignInRequired("sign in with your API key")
    request.state.web_user = WebUser(found[0], found[1], data["c"])
    return request.state.web_user


UserDep = Annotated[WebUser, Depends(current_user)]


def check_csrf(user: WebUser, token: str | None) -> None:
    """403 unless ``token`` (form field ``csrf_token`` or header ``X-CSRF-Token``) is the session's."""
    if not token or not hmac.compare_digest(token, user.csrf):
        raise CsrfRefused("the form's security token is missing or stale; reload the page")


async def csrf_user(request: Request, user: UserDep) -> WebUser:
    """Dependency of every page POST: a signed-in user whose form carries the session's CSRF token."""
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    check_csrf(user, token)
    return user


CsrfUserDep = Annotated[WebUser, Depends(csrf_user)]


def sign_in(request: Request, session: Session, api_key: str) -> str | None:
    """The session cookie's value for a live API key (the same hash lookup as the API), or None."""
    key_id = live_key_id(session, api_key) if api_key.strip() else None
    if key_id is None:
        return None
    return session_cookie_value(request, key_id)
