"""Inventories: list, upload (drag and drop or file picker), one inventory's versions and diff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from service.deps import SessionDep
from service.errors import PayloadTooLarge, UnsupportedMediaType, ValidationProblem
from service.exports.responses import attachment
from service.web import queries
from service.web.findings import translated_findings
from service.web.render import page
from service.web.session import CsrfUserDep, UserDep

router = APIRouter(prefix="/app/inventories", include_in_schema=False)
# Problems of the uploaded file itself: shown on the form (422), never as an error page.
FILE_PROBLEMS = (ValidationProblem, UnsupportedMediaType, PayloadTooLarge)


@router.get("")
def list_page(request: Request, session: SessionDep, user: UserDep) -> Response:
    items = queries.inventory_list(session, user.principal)
    return page(request, "inventories/list.html", nav="inventories", items=items, findings=[], name="")


async def _read(upload: UploadFile | None) -> tuple[bytes, str, str | None]:
    if upload is None:
        return b"", "", None
    content = await upload.read()
    return content, upload.content_type or "application/octet-stream", upload.filename


@router.post("")
async def upload_new(
    request: Request,
    session: SessionDep,
    user: CsrfUserDep,
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    content, ctype, filename = await _read(file)
    try:
        inventory_id, version = queries.upload_inventory(
            session, user.principal, None, name, content, ctype, filename, request.app.state.settings
        )
    except FILE_PROBLEMS as exc:  # the service rolled back: a rejected file stores nothing
        items = queries.inventory_list(session, user.principal)
        return page(
            request,
            "inventories/list.html",
            status_code=422,
            nav="inventories",
            items=items,
            findings=translated_findings(exc.errors),
            name=name,
            filename=filename,
        )
    return RedirectResponse(f"/app/inventories/{inventory_id}?uploaded={version}", status_code=303)


@router.get("/{inventory_id}")
def detail_page(
    request: Request,
    inventory_id: uuid.UUID,
    session: SessionDep,
    user: UserDep,
    uploaded: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    view = queries.inventory_view(session, user.principal, inventory_id)
    return page(
        request, "inventories/detail.html", nav="inventories", view=view, uploaded=uploaded, findings=[]
    )


@router.post("/{inventory_id}/versions")
async def upload_version(
    request: Request,
    inventory_id: uuid.UUID,
    session: SessionDep,
    user: CsrfUserDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    content, ctype, filename = await _read(file)
    try:
        _, version = queries.upload_inventory(
            session, user.principal, inventory_id, "", content, ctype, filename, request.app.state.settings
        )
    except FILE_PROBLEMS as exc:
        view = queries.inventory_view(session, user.principal, inventory_id)
        findings = translated_findings(exc.errors)
        return page(
            request,
            "inventories/detail.html",
            422,
            nav="inventories",
            view=view,
            uploaded=None,
            findings=findings,
        )
    return RedirectResponse(f"/app/inventories/{inventory_id}?uploaded={version}", status_code=303)


@router.get("/{inventory_id}/versions/{version}.xlsx")
def version_xlsx(
    inventory_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    session: SessionDep,
    user: UserDep,
) -> Response:
    content, name = queries.inventory_download(session, user.principal, inventory_id, version)
    return attachment(content, name, "xlsx")


@router.get("/{inventory_id}/diff")
def diff_page(
    request: Request,
    inventory_id: uuid.UUID,
    session: SessionDep,
    user: UserDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=1_000_000)],
) -> Response:
    diff = queries.version_diff(session, user.principal, inventory_id, from_version, to_version)
    return page(
        request,
        "inventories/diff.html",
        nav="inventories",
        inventory_id=inventory_id,
        old=from_version,
        new=to_version,
        diff=diff,
    )
