"""HTTP for bring-your-own-index: POST a data table, a metadata table and a configuration (a job)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from service.deps import PrincipalDep, SessionDep
from service.indices import service
from service.indices.schemas import IndexOut, IndexRequest
from service.jobs.dispatch import accepted
from service.jobs.schemas import JobOut
from service.openapi import problem_responses

router = APIRouter(prefix="/v1/indices", tags=["bring your own index"])


@router.post("", status_code=202, response_model=JobOut, responses=problem_responses(401, 403, 422))
def post_index(
    body: IndexRequest, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Build your own composite index (COINr iData/iMeta + pipeline configuration) as a job.

    The configuration is checked now (unknown methods or keys: 422); the tables are checked by the job."""
    run, job = service.start_index(session, principal, body.model_dump())
    return accepted(request, session, job, f"/v1/indices/{run.id}")


@router.get("/{index_id}", response_model=IndexOut, responses=problem_responses(401, 404))
def get_index(index_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> IndexOut:
    """The index: status, scores and ranks of every unit and the names of all intermediate tables."""
    return service.index_view(session, principal, index_id)


@router.get(
    "/{index_id}/tables/{name}",
    responses={**problem_responses(401, 404, 422), 200: {"content": {"text/csv": {}}}},
)
def get_table(
    index_id: uuid.UUID, session: SessionDep, principal: PrincipalDep,
    name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,80}$", examples=["data_Normalised"])],
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
) -> Response:  # fmt: skip
    """One output table (scores, ranks, results_long, data_<step>, imputed, treatment, ...) as CSV or JSON."""
    content = service.table_file(session, principal, index_id, name, format)
    if format == "json":
        return Response(content, media_type="application/json")
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})  # fmt: skip
