"""Render a workspace page: the shared Jinja2 environment, the page context, the HTML response."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from service.i18n import LANGS
from service.i18n.templating import make_environment, render
from service.web.findings import reason_text
from service.web.session import CSRF_FIELD, LANG_COOKIE, page_lang

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return make_environment([TEMPLATES_DIR])


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language with the signed-in user (if any) and CSRF field.

    Templates get ``user`` (a :class:`~service.web.session.WebUser` or None), ``csrf_field`` and
    ``csrf_token``, ``langs``, ``path`` (for the language links) and ``nav`` (the active menu entry)."""
    lang = page_lang(request)
    user = getattr(request.state, "web_user", None)
    context.setdefault("nav", "")
    html = render(
        environment(),
        template,
        lang,
        user=user,
        csrf_token=user.csrf if user else "",
        csrf_field_name=CSRF_FIELD,
        langs=LANGS,
        reason_text=reason_text,
        path=request.url.path,
        lang_links={code: _lang_link(request, code) for code in LANGS},
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


def _lang_link(request: Request, code: str) -> str:
    """The same page (path and query) in language ``code``; a local link, never the host."""
    url = request.url.include_query_params(lang=code)
    return f"{url.path}?{url.query}"
