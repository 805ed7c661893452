"""FastAPI dependencies: a session per request and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service.errors import Unauthorized
from service.orgs.service import Principal, key_by_plaintext
from service.transactions import commit

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer mst_...`")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits (services only flush).

    Function-scoped (``SessionDep``): FastAPI runs this exit code when the endpoint has returned,
    *before* the response is sent, so a client never gets a success for a write another connection
    cannot read yet (a request-scoped ``yield`` exits only after the response has gone out)."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        commit(session)  # a lost race on a unique constraint is a 409 here too, not a 500
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
    found = key_by_plaintext(session, credentials.credentials)
    if found is None:
        raise Unauthorized("unknown API key")
    key, kind = found
    if key.revoked_at is not None:
        raise Unauthorized("this API key has been revoked")
    return Principal(org_id=key.org_id, org_kind=kind, key_id=key.id, scopes=frozenset(key.scopes))


PrincipalDep = Annotated[Principal, Depends(get_principal)]
