"""NUL characters refused at the door: PostgreSQL's text cannot hold U+0000 (SQLite's can), so
the same request must get the same clear 400 on either backend instead of a 500 on one."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.core.errors import BadRequest, ValidationFailed

__all__ = ["NUL_MESSAGE", "first_nul_field", "nul_middleware"]

NUL_MESSAGE = "must not contain NUL (\\u0000) characters"


def first_nul_field(value: Any, where: str = "") -> str | None:
    """The dotted path of the first key or string in a JSON value holding a NUL, else None
    (the top level is named `body`)."""
    if isinstance(value, str):
        return (where or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                return name
            found = first_nul_field(item, name)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = first_nul_field(item, f"{where}.{i}" if where else str(i))
            if found:
                return found
    return None


@web.middleware
async def nul_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if "\x00" in request.path:
        raise BadRequest(f"The URL {NUL_MESSAGE}.")
    for key, value in request.query.items():
        if "\x00" in key or "\x00" in value:
            raise ValidationFailed({key: NUL_MESSAGE})
    return await handler(request)
