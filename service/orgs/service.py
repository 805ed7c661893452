"""Use cases for organisations, keys and grants (the CLI and the API call these)."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from service.db import utcnow
from service.errors import Conflict, Forbidden, NotFound, ProblemError, ValidationProblem
from service.orgs.keys import DEFAULT_SCOPES, SCOPES, generate_key, hash_key
from service.orgs.models import ORG_KINDS, ApiKey, EndedSession, Grant, Organisation
from service.orgs.schemas import GrantOut, MeOut
from service.teryt import TerytError, validate_teryt


@dataclass(frozen=True)
class Principal:
    """Who is calling: the organisation behind the key and the key's scopes."""

    org_id: uuid.UUID
    org_kind: str
    key_id: uuid.UUID
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this key lacks the scope '{scope}'")


def create_org(
    session: Session, kind: str, name: str, teryt: str | None = None, org_id: uuid.UUID | None = None
) -> Organisation:
    if kind not in ORG_KINDS:
        raise ValidationProblem(
            f"unknown organisation kind '{kind}'", errors=[{"field": "kind", "value": kind}]
        )
    if kind == "city":
        if teryt is None:
            raise ValidationProblem("a city needs its TERYT gmina code", errors=[{"field": "teryt"}])
        try:
            teryt = validate_teryt(teryt)
        except TerytError as exc:
            raise ValidationProblem(
                str(exc), errors=[{"field": "teryt", "value": teryt, "reason": str(exc)}]
            ) from exc
        if session.scalar(select(Organisation).where(Organisation.teryt == teryt)):
            raise Conflict(f"a city with TERYT {teryt} already exists")
    elif teryt is not None:
        raise ValidationProblem("only a city has a TERYT code", errors=[{"field": "teryt", "value": teryt}])
    org = Organisation(id=org_id or uuid.uuid4(), kind=kind, name=name.strip(), teryt=teryt)
    session.add(org)
    session.flush()
    return org


def get_org(session: Session, org_ref: str) -> Organisation:
    """Find an organisation by id, TERYT code or exact name (CLI convenience)."""
    org = None
    with contextlib.suppress(ValueError):  # not a UUID: try TERYT and name below
        org = session.get(Organisation, uuid.UUID(org_ref))
    org = org or session.scalar(select(Organisation).where(Organisation.teryt == org_ref))
    org = org or session.scalar(select(Organisation).where(Organisation.name == org_ref))
    if org is None:
        raise NotFound(f"no organisation '{org_ref}'")
    return org


def org_row(session: Session, org_id: uuid.UUID) -> Organisation | None:
    """The organisation of this id, for another domain's service (which must not query this
    domain's models itself)."""
    return session.get(Organisation, org_id)


def create_key(
    session: Session, org: Organisation, scopes: list[str] | None = None, label: str | None = None
) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned once and never stored."""
    chosen = list(scopes) if scopes else list(DEFAULT_SCOPES[org.kind])
    unknown = sorted(set(chosen) - set(SCOPES))
    if unknown:
        raise ValidationProblem(
            f"unknown scope(s): {', '.join(unknown)}", errors=[{"field": "scopes", "value": unknown}]
        )
    if "admin" in chosen and org.kind != "admin":
        raise Forbidden("only the admin organisation can hold the admin scope")
    plaintext, prefix, digest = generate_key()
    key = ApiKey(org_id=org.id, prefix=prefix, key_hash=digest, scopes=chosen, label=label)
    session.add(key)
    session.flush()
    return key, plaintext


def revoke_key(session: Session, key_ref: str) -> ApiKey:
    key = None
    try:
        key = session.get(ApiKey, uuid.UUID(key_ref))
    except ValueError:
        key = session.scalar(select(ApiKey).where(ApiKey.prefix == key_ref))
    if key is None:
        raise NotFound(f"no key '{key_ref}'")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    session.flush()
    return key


def grant(session: Session, city: Organisation, advisor: Organisation, access: str) -> Grant:
    if city.kind != "city":
        raise ValidationProblem(
            "only a city can grant access", errors=[{"field": "city", "value": city.name}]
        )
    if advisor.kind != "advisor":
        raise ValidationProblem(
            "access can be granted to an advisor only", errors=[{"field": "advisor_org_id"}]
        )
    if access not in ("read", "plan"):
        raise ValidationProblem(
            "access must be 'read' or 'plan'", errors=[{"field": "access", "value": access}]
        )
    existing = session.scalar(
        select(Grant).where(Grant.city_org_id == city.id, Grant.advisor_org_id == advisor.id)
    )
    if existing is None:
        existing = Grant(city_org_id=city.id, advisor_org_id=advisor.id, access=access)
        session.add(existing)
    existing.access, existing.revoked_at = access, None
    session.flush()
    return existing


def revoke_grant(session: Session, city: Organisation, advisor_org_id: uuid.UUID) -> Grant:
    existing = session.scalar(
        select(Grant).where(Grant.city_org_id == city.id, Grant.advisor_org_id == advisor_org_id)
    )
    if existing is None or existing.revoked_at is not None:
        raise NotFound("no such grant")
    existing.revoked_at = utcnow()
    session.flush()
    return existing


def access_level(session: Session, principal: Principal, city_org_id: uuid.UUID) -> str | None:
    """'own', 'plan', 'read' or None for the caller on a city's data."""
    if principal.org_id == city_org_id or "admin" in principal.scopes:
        return "own"
    if principal.org_kind != "advisor":
        return None
    found = session.scalar(
        select(Grant.access).where(
            Grant.city_org_id == city_org_id,
            Grant.advisor_org_id == principal.org_id,
            Grant.revoked_at.is_(None),
        )
    )
    return found


def require_access(
    session: Session, principal: Principal, city_org_id: uuid.UUID, need: str, what: str
) -> str:
    """Raise NotFound (not 403) when the caller may not even see the resource: tenants stay invisible."""
    level = access_level(session, principal, city_org_id)
    order = {"read": 1, "plan": 2, "own": 3}
    if level is None:
        raise NotFound(f"{what} not found")
    if order[level] < order[need]:
        raise Forbidden(f"your access to this city's data is '{level}'; this action needs '{need}'")
    return level


def visible_city_ids(session: Session, principal: Principal) -> list[uuid.UUID]:
    ids = [principal.org_id]
    if principal.org_kind == "advisor":
        ids += list(
            session.scalars(
                select(Grant.city_org_id).where(
                    Grant.advisor_org_id == principal.org_id, Grant.revoked_at.is_(None)
                )
            )
        )
    return ids


def visible_cities(session: Session, principal: Principal) -> list[tuple[Organisation, str]]:
    """The cities whose data the caller sees, with its access level ('own', 'plan', 'read'), by name."""
    query = select(Organisation).where(Organisation.kind == "city").order_by(Organisation.name)
    if "admin" not in principal.scopes:
        query = query.where(Organisation.id.in_(visible_city_ids(session, principal)))
    levels: dict[uuid.UUID, str] = {}
    if principal.org_kind == "advisor" and "admin" not in principal.scopes:
        rows = session.execute(
            select(Grant.city_org_id, Grant.access).where(
                Grant.advisor_org_id == principal.org_id, Grant.revoked_at.is_(None)
            )
        ).all()
        levels = {city_id: level for city_id, level in rows}
    return [(org, levels.get(org.id, "own")) for org in session.scalars(query)]


__all__ = ["Principal", "ProblemError"]


def list_advisors(session: Session, name_contains: str | None = None) -> list[Organisation]:
    """Advisor organisations by name (a city picks one to grant access; no UUID pasting)."""
    query = select(Organisation).where(Organisation.kind == "advisor").order_by(Organisation.name)
    if name_contains:
        query = query.where(Organisation.name.ilike(f"%{name_contains.strip()}%"))
    return list(session.scalars(query.limit(200)))


def principal_for_key_id(session: Session, key_id: str) -> tuple[Principal, str] | None:
    """The principal of a live (not revoked) key and its organisation's name, or None (a workspace
    session holds the key's id, never the key, and is re-checked on every request)."""
    try:
        kid = uuid.UUID(key_id)
    except ValueError:
        return None
    row = session.execute(
        select(ApiKey, Organisation.kind, Organisation.name)
        .join(Organisation, Organisation.id == ApiKey.org_id)
        .where(ApiKey.id == kid)
    ).first()
    if row is None or row[0].revoked_at is not None:
        return None
    key, kind, name = row
    return Principal(org_id=key.org_id, org_kind=kind, key_id=key.id, scopes=frozenset(key.scopes)), name


def key_by_plaintext(session: Session, api_key: str) -> tuple[ApiKey, str] | None:
    """The API key given in plain text and its organisation's kind, revoked or not (callers decide what
    a revoked key means), or None: the one lookup by hash, for the API's ``Authorization`` header
    (``service.deps``), the workspace's sign-in and the idempotency middleware. One indexed query."""
    row = session.execute(
        select(ApiKey, Organisation.kind)
        .join(Organisation, Organisation.id == ApiKey.org_id)
        .where(ApiKey.key_hash == hash_key(api_key.strip()))
    ).first()
    return None if row is None else (row[0], row[1])


def live_key_id(session: Session, api_key: str) -> uuid.UUID | None:
    """The id of a live API key given in plain text (the same hash lookup as the API), or None."""
    found = key_by_plaintext(session, api_key)
    return found[0].id if found is not None and found[0].revoked_at is None else None


def _nonce_hash(nonce: str) -> str:
    import hashlib

    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def end_session(session: Session, nonce: str, max_age_s: int) -> None:
    """Sign a workspace session out on the server (its cookie stops working at once); ended entries
    older than ``max_age_s`` (when their cookies expire anyway) are dropped at the same time."""
    from datetime import timedelta

    session.execute(
        delete(EndedSession).where(EndedSession.ended_at < utcnow() - timedelta(seconds=max_age_s))
    )
    if session.get(EndedSession, _nonce_hash(nonce)) is None:
        session.add(EndedSession(nonce_hash=_nonce_hash(nonce)))
    session.flush()


def session_ended(session: Session, nonce: str) -> bool:
    return session.get(EndedSession, _nonce_hash(nonce)) is not None


# The API's answers (``service.orgs.router``): the caller, and the grants with their advisor's name.


def me(session: Session, principal: Principal) -> MeOut:
    """Who the key belongs to and what it may do."""
    org = session.get(Organisation, principal.org_id)
    assert org is not None
    return MeOut(
        org_id=org.id, kind=org.kind, name=org.name, teryt=org.teryt, scopes=sorted(principal.scopes)
    )


def grant_list(session: Session, principal: Principal) -> list[GrantOut]:
    """Live grants the caller's city gave (or, for an advisor, holds), each with the advisor's name
    (one query)."""
    query = (
        select(Grant)
        .options(joinedload(Grant.advisor))
        .where(
            (Grant.city_org_id == principal.org_id) | (Grant.advisor_org_id == principal.org_id),
            Grant.revoked_at.is_(None),
        )
    )
    return [GrantOut.model_validate(g) for g in session.scalars(query)]


def grant_advisor(session: Session, principal: Principal, advisor_org_id: uuid.UUID, access: str) -> GrantOut:
    """The caller's city grants an advisor ``read`` or ``plan`` access (flush only)."""
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    advisor = session.get(Organisation, advisor_org_id)
    if advisor is None or advisor.kind != "advisor":
        raise NotFound(f"advisor {advisor_org_id} not found")
    assert city is not None
    return GrantOut.model_validate(grant(session, city, advisor, access))


def revoke_advisor(session: Session, principal: Principal, advisor_org_id: uuid.UUID) -> None:
    """The caller's city revokes an advisor's grant (404 when there is none)."""
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    assert city is not None
    revoke_grant(session, city, advisor_org_id)
