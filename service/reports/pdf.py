"""Render a report template to PDF bytes, reproducibly.

The same inputs give the same bytes: the PDF's creation date is the run's date (not the clock) and
its file identifier is derived from the run id, so an archived report can be checked against a new
render. Fonts (DejaVu Sans: Latin with Polish letters, Cyrillic with Ukrainian ones) ship in
``static/fonts`` and are embedded; nothing is fetched from outside the package.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from service.i18n.templating import make_environment, render

# fontTools stamps every font subset's 'head' table with the current time unless SOURCE_DATE_EPOCH is
# set (the reproducible-builds convention it honours); a fixed stamp keeps the same run's PDF identical.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
_ENV = make_environment([TEMPLATES])


def svg_data_uri(svg: str) -> str:
    """An SVG chart as a data URI for an ``<img>``: WeasyPrint draws it as vectors."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# Every resource a report uses is in the package (fonts, CSS) or a data URI (charts): other protocols
# are refused, so a report never waits on, or leaks to, the network.
_FETCHER = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


Progress = Callable[[str, float], None]
"""``progress(step, fraction)``: step is "layout" or "write", fraction of that step done (0-1)."""

_PAGE_LAID_OUT = re.compile(r"Step 5 - Creating layout - Page (\d+)")


class _LayoutPages(logging.Handler):
    """WeasyPrint announces each page it lays out on its 'weasyprint.progress' logger; this handler
    turns those messages of this thread (a worker may render in several threads) into progress."""

    def __init__(self, progress: Progress, expected_pages: int) -> None:
        super().__init__(logging.INFO)
        self.progress, self.expected, self.thread = progress, max(1, expected_pages), threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        found = _PAGE_LAID_OUT.match(record.getMessage())
        if found:
            self.progress("layout", min(0.99, int(found.group(1)) / self.expected))


@contextmanager
def _layout_progress(progress: Progress | None, expected_pages: int) -> Iterator[None]:
    if progress is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler, level = _LayoutPages(progress, expected_pages), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _paint_progress(document: Any, progress: Progress) -> None:
    """Report each page as WeasyPrint draws it into the PDF (``Page.paint``, called once per page)."""
    total = len(document.pages)
    for number, page in enumerate(document.pages, start=1):
        paint = page.paint

        def counted(*args: Any, _paint: Any = paint, _n: int = number, **kwargs: Any) -> Any:
            progress("write", _n / total)
            return _paint(*args, **kwargs)

        page.paint = counted


def render_pdf(template: str, lang: str, run_key: str, **context: Any) -> bytes:
    """``template`` rendered in ``lang`` as PDF bytes (see :func:`render_pdf_pages`)."""
    return render_pdf_pages(template, lang, run_key, **context)[0]


def render_pdf_pages(
    template: str,
    lang: str,
    run_key: str,
    progress: Progress | None = None,
    expected_pages: int = 20,
    **context: Any,
) -> tuple[bytes, int]:
    """``template`` rendered in ``lang`` as PDF, and its page count; ``run_key`` (the run id) fixes the file identifier.

    Layout (``render``) and writing (``write_pdf``) are two calls, with or without ``progress``, so a
    job's PDF and a synchronous one are made by the same steps and are the same bytes.
    ``expected_pages`` scales the layout's progress (the true count is known only at its end).
    """
    html = render(_ENV, template, lang, **context)
    fonts = FontConfiguration()
    css = CSS(filename=str(STATIC / "report.css"), font_config=fonts)
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=_FETCHER)
    identifier = hashlib.sha256(f"{run_key}:{template}:{lang}".encode()).hexdigest()[:32].encode()
    with _layout_progress(progress, expected_pages):
        laid_out = document.render(stylesheets=[css], font_config=fonts, pdf_identifier=identifier)
    if progress is not None:
        _paint_progress(laid_out, progress)
    return laid_out.write_pdf(pdf_identifier=identifier), len(laid_out.pages)
