"""Render a report template to PDF bytes, reproducibly.

The same inputs give the same bytes: the PDF's creation date is the run's date (not the clock) and
its file identifier is derived from the run id, so an archived report can be checked against a new
render. Fonts (DejaVu Sans: Latin with Polish letters, Cyrillic with Ukrainian ones) ship in
``static/fonts`` and are embedded; nothing is fetched from outside the package.
"""

from __future__ import annotations

import base64
import hashlib
import os
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


def render_pdf(template: str, lang: str, run_key: str, **context: Any) -> bytes:
    """``template`` rendered in ``lang`` as PDF; ``run_key`` (the run id) fixes the file identifier."""
    html = render(_ENV, template, lang, **context)
    fonts = FontConfiguration()
    css = CSS(filename=str(STATIC / "report.css"), font_config=fonts)
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=_FETCHER)
    identifier = hashlib.sha256(f"{run_key}:{template}:{lang}".encode()).hexdigest()[:32].encode()
    return document.write_pdf(stylesheets=[css], font_config=fonts, pdf_identifier=identifier)
