"""HTTP for inventories: submit (JSON, CSV, XLSX), versions, exports, diffs, summary jobs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from service.body import RawBody, read_raw_body
from service.deps import PrincipalDep, SessionDep
from service.exports.responses import attachment
from service.inventory import service
from service.inventory.export import to_csv_bytes, to_records, to_xlsx_bytes
from service.inventory.schemas import (
    EXAMPLE_BUILDINGS,
    InventoryCreated,
    InventoryDetail,
    InventoryList,
    VersionBuildings,
    VersionDiff,
    VersionOut,
    building_row_schema,
)
from service.jobs.dispatch import accepted
from service.jobs.schemas import JobOut
from service.openapi import DialectQuery, problem_responses

router = APIRouter(prefix="/v1/inventories", tags=["inventories"])

EXAMPLE_CSV = (
    "building_id;name;building_type;construction_year;heated_area_m2;storeys;heating_system;lat;lon\n"
    "SP-24;Szkoła Podstawowa nr 24;school;1968;4820,0;3;district_heating;51,2365;22,5381\n"
    "P-7;Przedszkole nr 7;kindergarten;1985;1180,0;2;gas_boiler;51,2641;22,5720\n"
)
SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The buildings as JSON, CSV (comma or semicolon, decimal comma accepted) or an .xlsx file.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["buildings"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 200},
                        "buildings": {"type": "array", "minItems": 1, "items": building_row_schema()},
                    },
                },
                "example": {"name": "Budynki gminne Lublina 2026", "buildings": EXAMPLE_BUILDINGS},
            },
            "text/csv": {"schema": {"type": "string"}, "example": EXAMPLE_CSV},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "the city's workbook, e.g. budynki_lublin_2026.xlsx: the first sheet or one "
                    "named 'budynki'/'buildings', headers in row 1 in English or Polish (see COLUMNS.md)",
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "budynki_lublin_2026.xlsx or budynki.csv (the type follows the file name)",
                        }
                    },
                }
            },
        },
    }
}
BodyDep = Annotated[RawBody, Depends(read_raw_body)]


@router.post(
    "",
    status_code=201,
    response_model=InventoryCreated,
    openapi_extra=SUBMISSION_BODY,
    responses=problem_responses(401, 403, 409, 413, 415, 422),
)
def create_inventory(
    request: Request,
    body: BodyDep,
    session: SessionDep,
    principal: PrincipalDep,
    name: Annotated[str | None, Query(max_length=200, description="name for CSV/XLSX uploads")] = None,
) -> Response:
    """Create an inventory with its first version. Every error of the file comes back at once (422,
    row as in the file, header = row 1); plausibility findings come back as warnings with the 201."""
    out = service.submit_inventory(
        session, principal, name, body.content, body.content_type, body.filename, request.app.state.settings
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers={"Location": out.inventory.url})


@router.post(
    "/{inventory_id}/versions",
    status_code=201,
    response_model=VersionOut,
    openapi_extra=SUBMISSION_BODY,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
)
def add_version(
    inventory_id: uuid.UUID,
    request: Request,
    body: BodyDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """Submit a new immutable version of an inventory (same formats and validation as creation)."""
    out = service.submit_version(
        session,
        principal,
        inventory_id,
        body.content,
        body.content_type,
        body.filename,
        request.app.state.settings,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers={"Location": out.url})


@router.get("", response_model=InventoryList, responses=problem_responses(401))
def list_inventories(session: SessionDep, principal: PrincipalDep) -> InventoryList:
    """Your inventories and those of cities that granted you access."""
    return service.inventory_list(session, principal)


@router.get("/{inventory_id}", response_model=InventoryDetail, responses=problem_responses(401, 404))
def get_inventory(inventory_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> InventoryDetail:
    return service.inventory_detail(session, principal, inventory_id)


@router.get(
    "/{inventory_id}/versions", response_model=list[VersionOut], responses=problem_responses(401, 404)
)
def list_versions(inventory_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> list[VersionOut]:
    return service.version_list(session, principal, inventory_id)


@router.get(
    "/{inventory_id}/versions/{version}",
    response_model=VersionBuildings,
    responses={
        **problem_responses(401, 404, 422),
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
    },
)
def get_version(
    inventory_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    session: SessionDep,
    principal: PrincipalDep,
    format: Literal["json", "csv", "xlsx"] = "json",
    dialect: DialectQuery = "plain",
) -> Any:
    """One version's buildings as JSON, CSV or XLSX (`?format=`), with the API's column names so the
    file can be edited and submitted again; `?format=csv&dialect=excel-pl` for a Polish spreadsheet."""
    ver, frame = service.version_frame(session, principal, inventory_id, version)
    stem = f"inventory-{inventory_id}-v{ver.version}"
    if format == "csv":
        return attachment(to_csv_bytes(frame, dialect), f"{stem}.csv", "csv")
    if format == "xlsx":
        return attachment(to_xlsx_bytes(frame), f"{stem}.xlsx", "xlsx")
    return VersionBuildings(inventory_id=inventory_id, version=ver.version, buildings=to_records(frame))


@router.get("/{inventory_id}/diff", response_model=VersionDiff, responses=problem_responses(401, 404, 422))
def diff_versions(
    inventory_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=1_000_000)],
) -> VersionDiff:
    """Buildings added, removed and changed (with the changed fields) between two versions."""
    result = service.version_diff(session, principal, inventory_id, from_version, to_version)
    return VersionDiff(inventory_id=inventory_id, from_version=from_version, to_version=to_version, **result)


@router.post(
    "/{inventory_id}/summary",
    status_code=202,
    response_model=JobOut,
    responses=problem_responses(401, 403, 404, 422),
)
def start_summary(
    inventory_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    """Start an inventory summary job: counts and areas by type, heating system and era; data quality."""
    from service.inventory.summary import start_summary_job

    job = start_summary_job(session, principal, inventory_id, version)
    return accepted(request, session, job)
