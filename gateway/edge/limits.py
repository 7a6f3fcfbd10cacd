"""Request hardening: a body size limit (413) and a per-API-key rate limit (429), both answered
in Close's error shape.

The rate limit is a token bucket per key (`gateway.edge.throttle`), kept in this process. A refused
request gets `Retry-After` and `RateLimit: limit=N, remaining=0, reset=S` with whole seconds,
the header Close's own client (`closeio_api`) reads to sleep before it retries.
"""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.edge.auth import hash_key, key_from_header
from gateway.edge.throttle import RateLimiter, too_many_requests
from gateway.keys import CONFIG, METRICS

__all__ = ["RateLimiter", "body_limit_middleware", "rate_limit_middleware"]


def _too_large(limit: int) -> web.Response:
    return web.json_response(
        {"error": f"Request body too large (limit {limit} bytes)."}, status=413
    )


@web.middleware
async def body_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a declared oversize body before reading it; aiohttp's `client_max_size` (set to
    the same limit) catches bodies that don't declare their length."""
    limit = request.app[CONFIG].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        request.app[METRICS].too_large.inc()
        return _too_large(limit)
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        request.app[METRICS].too_large.inc()
        return _too_large(limit)


def rate_limit_middleware(limiter: RateLimiter) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = key_from_header(request.headers.get("Authorization"))
        if not request.path.startswith("/api/") or key is None:
            return await handler(request)  # no key: auth answers 401 before we count
        wait = limiter.take(hash_key(key), time.monotonic())
        if wait <= 0:
            return await handler(request)
        request.app[METRICS].rate_limited.inc()
        return too_many_requests(
            f"Too many requests: at most {limiter.rate:g} per second per API key.",
            wait,
            limiter.burst,
        )

    return middleware
