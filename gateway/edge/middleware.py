"""The one place errors become HTTP answers, in Close's JSON shapes. Never a 500 for bad input."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.core.errors import ApiError

__all__ = ["error_middleware"]

log = logging.getLogger("gateway")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response(exc.body(), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        # the router's own 404/405/413 and friends, in Close's shape
        return web.json_response({"error": exc.reason}, status=exc.status, headers=_allow(exc))
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "Internal server error"}, status=500)


def _allow(exc: web.HTTPException) -> dict[str, str]:
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else {}
