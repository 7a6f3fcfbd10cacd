"""The console's one way to read and write: the API's own handlers, called in process.

A console page is an API client that skips the network: it resolves `/api/v1/...` through the
application's router and runs the handler it finds (with its Idempotency-Key wrapper and all)
on a copy of the browser's request whose body is the JSON the API expects. So every rule the
API applies (validation, the composer, opt-outs, the carrier calls of renting and releasing)
applies to the console by construction, and what a page shows is the API's own JSON.
The organization comes from the console's session, set on the request before the call.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from yarl import URL

from gateway.core.errors import NotFound
from gateway.keys import ORGANIZATION

__all__ = ["API", "ApiAnswer", "call_api", "keep_pristine"]

API = "/api/v1"
_PRISTINE = web.RequestKey("ui_pristine_request", web.Request)


class ApiAnswer:
    """What a handler answered: its status, JSON (or text, for CSV) and headers."""

    def __init__(self, response: web.Response) -> None:
        self.status = response.status
        self.headers = response.headers
        raw = response.body if isinstance(response.body, bytes) else b""
        self.text = raw.decode() if raw else (response.text or "")
        self.data: Any = (
            json.loads(self.text)
            if response.content_type == "application/json" and self.text
            else None
        )


def keep_pristine(request: web.Request) -> None:
    """Copy the request before its form is read: aiohttp refuses to copy one after."""
    request[_PRISTINE] = request.clone()


async def call_api(
    request: web.Request,
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    tz_offset: str | None = None,
) -> ApiAnswer:
    """Run `METHOD /api/v1/path` as the session's organization. An ApiError the handler
    raises (ValidationFailed, NotFound, ...) reaches the caller as it is."""
    base = request.get(_PRISTINE) or request
    headers = {"Content-Type": "application/json"}
    if tz_offset:
        headers["X-TZ-Offset"] = tz_offset
    sub = base.clone(
        method=method, rel_url=URL(API + path).with_query(query or {}), headers=headers
    )
    # the body the handler reads (aiohttp caches it here once read; we give it up front)
    sub._read_bytes = json.dumps(body).encode() if body is not None else b""
    sub[ORGANIZATION] = request[ORGANIZATION]  # the session's, never one the browser names
    match = await request.app.router.resolve(sub)
    if match.http_exception is not None:
        raise NotFound("Not found.")
    match.add_app(request.app)  # as the application's own dispatch does
    match.freeze()
    sub._match_info = match
    response = await match.handler(sub)
    assert isinstance(response, web.Response)
    return ApiAnswer(response)
