"""HTTP for the caller's organisation and the grants a city gives advisors."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from service.deps import PrincipalDep, SessionDep
from service.inventory.schemas import GrantIn
from service.openapi import problem_responses
from service.orgs import service
from service.orgs.schemas import GrantOut, MeOut

router = APIRouter(prefix="/v1", tags=["organisations"])


@router.get("/me", response_model=MeOut, responses=problem_responses(401))
def me(session: SessionDep, principal: PrincipalDep) -> MeOut:
    """Who the key belongs to and what it may do."""
    return service.me(session, principal)


@router.get("/grants", response_model=list[GrantOut], responses=problem_responses(401))
def list_grants(session: SessionDep, principal: PrincipalDep) -> list[GrantOut]:
    """Grants your city gave (or, for an advisor, the grants you hold)."""
    return service.grant_list(session, principal)


@router.post(
    "/grants", status_code=201, response_model=GrantOut, responses=problem_responses(401, 403, 404, 422)
)
def create_grant(body: GrantIn, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """A city grants an advisor read access, or read-and-plan access, to its data."""
    return service.grant_advisor(session, principal, body.advisor_org_id, body.access)


@router.delete(
    "/grants/{advisor_org_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def revoke_grant(advisor_org_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke an advisor's access to your city's data."""
    service.revoke_advisor(session, principal, advisor_org_id)
    return Response(status_code=204)
