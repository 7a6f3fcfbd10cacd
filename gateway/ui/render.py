"""Jinja2 for the console: autoescaping on for every template, our templates only."""

from __future__ import annotations

import hashlib
from typing import Any

import jinja2
from aiohttp import web

from gateway.ui.keys import CSRF_TOKEN, SESSION

__all__ = ["environment", "fragment", "live", "page"]

# Our own files only: no inline script or style, so an escaping slip cannot run anything
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

environment = jinja2.Environment(
    loader=jinja2.PackageLoader("gateway.ui", "templates"),
    autoescape=True,  # every template, whatever its name: all user text is escaped
    trim_blocks=True,
    lstrip_blocks=True,
)


def _context(request: web.Request, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "csrf": request.get(CSRF_TOKEN, ""),
        "signed_in": SESSION in request,
        "path": request.path,
        **values,
    }


def fragment(request: web.Request, template: str, **values: Any) -> str:
    return environment.get_template(template).render(_context(request, values))


def page(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    response = web.Response(
        text=fragment(request, template, **values),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
    response.headers["Content-Security-Policy"] = _POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def live(html: str) -> web.Response:
    """A live region's new content and a version, so the page swaps it only when it moved."""
    version = hashlib.sha256(html.encode()).hexdigest()[:16]
    response = web.json_response({"version": version, "html": html})
    response.headers["Cache-Control"] = "no-store"
    return response
