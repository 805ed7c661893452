"""HTTP answers for files: one media type, one attachment header, one private cache rule."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX,
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
}


def attachment(content: bytes | str, filename: str, kind: str, inline: bool = False) -> Response:
    """A file response: media type by ``kind`` (csv, xlsx, pdf, svg), a download name (RFC 6266)."""
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    header = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": header, "Cache-Control": "private, no-store"},
    )


def svg(content: str) -> Response:
    """An SVG image shown in the page (charts and maps)."""
    return Response(content, media_type=MEDIA["svg"], headers={"Cache-Control": "private, max-age=300"})
