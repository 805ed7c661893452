"""Reading raw request bodies (JSON, CSV, XLSX, multipart) with a size limit."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from service.errors import PayloadTooLarge, ValidationProblem


@dataclass
class RawBody:
    content: bytes
    content_type: str
    filename: str | None


async def read_raw_body(request: Request) -> RawBody:
    settings = request.app.state.settings
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 1_000_000:
        raise PayloadTooLarge(
            f"the request is {int(declared) / 1e6:.1f} MB; the limit is {settings.max_upload_mb} MB"
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception as exc:  # noqa: BLE001 - any malformed multipart body is the client's error
            raise ValidationProblem(
                f"the multipart body cannot be read: {exc}"[:300],
                errors=[{"field": "file", "reason": "malformed multipart/form-data"}],
            ) from exc
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationProblem(
                "a multipart upload needs its file in the field 'file'",
                errors=[{"field": "file", "reason": "missing"}],
            )
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"the file is larger than {settings.max_upload_mb} MB")
        name = upload.filename or ""
        ctype = (upload.content_type or "").lower()
        if name.lower().endswith(".xlsx"):
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif name.lower().endswith(".csv"):
            ctype = "text/csv"
        elif name.lower().endswith(".json"):
            ctype = "application/json"
        return RawBody(data, ctype, name or None)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request is larger than {settings.max_upload_mb} MB")
        chunks.append(chunk)
    return RawBody(b"".join(chunks), content_type, None)
