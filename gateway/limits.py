"""Request hardening: a body size limit (413) and a per-API-key rate limit (429), both answered
in Close's error shape.

The rate limit is a token bucket per key (pure, given the time). A refused request gets
`Retry-After` and `RateLimit: limit=N, remaining=0, reset=S` with whole seconds, the header
Close's own client (`closeio_api`) reads to sleep before it retries.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.auth import hash_key, key_from_header
from gateway.keys import CONFIG, METRICS

__all__ = ["RateLimiter", "body_limit_middleware", "rate_limit_middleware"]

_MAX_KEYS = 10_000  # buckets kept; the least recently used go first (they are full anyway)


class RateLimiter:
    """`rate` requests per second per key, up to `burst` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def take(self, key: str, now: float) -> float:
        """0 when the request may go (a token is spent), else seconds until one is free."""
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > _MAX_KEYS:
            self._buckets.popitem(last=False)
        return wait


def _too_large(limit: int) -> web.Response:
    return web.json_response({"error": f"Request body too large (limit {limit} bytes)."},
                             status=413)


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
        reset = max(1, math.ceil(wait))
        return web.json_response(
            {"error": f"Too many requests: at most {limiter.rate:g} per second per API key."
                      f" Retry in {reset} s.", "rate_reset": reset},
            status=429,
            headers={"Retry-After": str(reset),
                     "RateLimit": f"limit={limiter.burst}, remaining=0, reset={reset}"},
        )

    return middleware
