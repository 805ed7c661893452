"""HTTP for the caller's organisation and the grants a city gives advisors."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from service.deps import PrincipalDep, SessionDep
from service.errors import NotFound
from service.inventory.schemas import GrantIn
from service.openapi import problem_responses
from service.orgs import service
from service.orgs.models import Grant, Organisation

router = APIRouter(prefix="/v1", tags=["organisations"])


class MeOut(BaseModel):
    org_id: uuid.UUID
    kind: str = Field(examples=["city"])
    name: str = Field(examples=["Miasto Lublin"])
    teryt: str | None = Field(None, examples=["0663011"])
    scopes: list[str]


class GrantOut(BaseModel):
    id: uuid.UUID
    city_org_id: uuid.UUID
    advisor_org_id: uuid.UUID
    advisor_name: str
    access: str


@router.get("/me", response_model=MeOut, responses=problem_responses(401))
def me(session: SessionDep, principal: PrincipalDep) -> MeOut:
    """Who the key belongs to and what it may do."""
    org = session.get(Organisation, principal.org_id)
    assert org is not None
    return MeOut(
        org_id=org.id, kind=org.kind, name=org.name, teryt=org.teryt, scopes=sorted(principal.scopes)
    )


def _grant_out(session, g: Grant) -> GrantOut:
    advisor = session.get(Organisation, g.advisor_org_id)
    return GrantOut(
        id=g.id,
        city_org_id=g.city_org_id,
        advisor_org_id=g.advisor_org_id,
        advisor_name=advisor.name if advisor else "",
        access=g.access,
    )


@router.get("/grants", response_model=list[GrantOut], responses=problem_responses(401))
def list_grants(session: SessionDep, principal: PrincipalDep) -> list[GrantOut]:
    """Grants your city gave (or, for an advisor, the grants you hold)."""
    query = select(Grant).where(
        (Grant.city_org_id == principal.org_id) | (Grant.advisor_org_id == principal.org_id),
        Grant.revoked_at.is_(None),
    )
    return [_grant_out(session, g) for g in session.scalars(query)]


@router.post(
    "/grants", status_code=201, response_model=GrantOut, responses=problem_responses(401, 403, 404, 422)
)
def create_grant(body: GrantIn, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """A city grants an advisor read access, or read-and-plan access, to its data."""
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    advisor = session.get(Organisation, body.advisor_org_id)
    if advisor is None or advisor.kind != "advisor":
        raise NotFound(f"advisor {body.advisor_org_id} not found")
    assert city is not None
    return _grant_out(session, service.grant(session, city, advisor, body.access))


@router.delete(
    "/grants/{advisor_org_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def revoke_grant(advisor_org_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke an advisor's access to your city's data."""
    principal.require("grants:write")
    city = session.get(Organisation, principal.org_id)
    assert city is not None
    service.revoke_grant(session, city, advisor_org_id)
    return Response(status_code=204)
