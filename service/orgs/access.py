"""Access use cases of an organisation (the workspace's access screen calls these): grants by advisor name, the organisation's API keys.

Each write commits (the screen redirects or shows the new key next), and a refused one stores
nothing. Same rules as the API: granting needs ``grants:write`` (a city); keys are managed by a key with
``grants:write`` or ``admin``, may only carry scopes the creating key holds, and only keys of the
caller's own organisation can be revoked (another organisation's key is a 404).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import Forbidden, NotFound, ValidationProblem
from service.orgs import service as orgs
from service.orgs.keys import SCOPES
from service.orgs.models import ApiKey, Grant, Organisation
from service.orgs.service import Principal
from service.transactions import transaction


@dataclass
class AccessView:
    org: Organisation
    grants: list[tuple[Grant, str]]
    advisors: list[Organisation]
    keys: list[ApiKey]
    scopes: list[str]


def access_view(session: Session, principal: Principal) -> AccessView:
    org = session.get(Organisation, principal.org_id)
    if org is None:
        raise NotFound("organisation not found")
    grants = session.scalars(
        select(Grant).where(
            (Grant.city_org_id == org.id) | (Grant.advisor_org_id == org.id), Grant.revoked_at.is_(None)
        )
    ).all()
    names = {o.id: o.name for o in session.scalars(select(Organisation))}
    pairs = [(g, names.get(g.advisor_org_id if org.kind == "city" else g.city_org_id, "")) for g in grants]
    keys = list(session.scalars(select(ApiKey).where(ApiKey.org_id == org.id).order_by(ApiKey.created_at)))
    advisors = orgs.list_advisors(session) if org.kind == "city" else []
    return AccessView(org, pairs, advisors, keys, grantable_scopes(principal))


def grantable_scopes(principal: Principal) -> list[str]:
    held = set(SCOPES) if "admin" in principal.scopes else set(principal.scopes)
    return [s for s in SCOPES if s in held and s != "admin"]


def grant_access(session: Session, principal: Principal, advisor_id: str, access: str) -> Grant:
    with transaction(session):
        return _grant_access(session, principal, advisor_id, access)


def _grant_access(session: Session, principal: Principal, advisor_id: str, access: str) -> Grant:
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    try:
        advisor = session.get(Organisation, uuid.UUID(advisor_id))
    except ValueError:
        advisor = None
    if advisor is None or advisor.kind != "advisor":
        raise ValidationProblem(
            "choose an advisor from the list",
            errors=[
                {"row": None, "field": "advisor_org_id", "value": advisor_id, "reason": "unknown advisor"}
            ],
        )
    assert city is not None
    return orgs.grant(session, city, advisor, access)


def revoke_access(session: Session, principal: Principal, advisor_id: uuid.UUID) -> Grant:
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    assert city is not None
    with transaction(session):
        return orgs.revoke_grant(session, city, advisor_id)


def _require_key_admin(principal: Principal) -> None:
    if "grants:write" not in principal.scopes and "admin" not in principal.scopes:
        raise Forbidden("this key may not manage API keys")


def create_key(session: Session, principal: Principal, scopes: list[str], label: str) -> tuple[ApiKey, str]:
    """A new key of the caller's organisation; the plaintext is returned once."""
    _require_key_admin(principal)
    allowed = set(grantable_scopes(principal))
    wrong = [s for s in scopes if s not in allowed]
    if not scopes or wrong:
        raise ValidationProblem(
            "choose at least one scope that your key holds",
            errors=[{"row": None, "field": "scopes", "value": ", ".join(wrong), "reason": "scopes"}],
        )
    org = session.get(Organisation, principal.org_id)
    assert org is not None
    with transaction(session):
        return orgs.create_key(session, org, scopes, label.strip()[:200] or None)


def revoke_key(session: Session, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    _require_key_admin(principal)
    key = session.get(ApiKey, key_id)
    if key is None or key.org_id != principal.org_id:
        raise NotFound(f"no key {key_id}")
    with transaction(session):
        return orgs.revoke_key(session, str(key.id))
