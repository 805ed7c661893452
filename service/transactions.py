"""The end of a use case that writes: commit, or roll back so that a rejected request stores nothing.

Services own their transactions (``../shared/DESIGN.md``): routers and workspace pages never commit,
flush or roll back (``tests/service/test_layers.py`` checks their source). Use cases that the API
answers with a plain 2xx flush only and leave the commit to the request boundary
(``service.deps.SessionDep``); those a page calls before redirecting, and those that start jobs,
end in :func:`transaction` here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import Conflict


def commit(session: Session) -> None:
    """Commit; a lost race on a unique constraint is a 409, not a 500."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("a concurrent request changed the same resource; retry") from exc


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """Commit what the block stored when it ends; roll all of it back when it raises.

    The rollback is what lets a page catch a ``ValidationProblem`` and render the form again with
    422 without the request boundary committing a half-stored submission."""
    try:
        yield
        commit(session)
    except BaseException:
        session.rollback()
        raise
