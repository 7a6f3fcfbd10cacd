"""Token buckets (pure, given the time) and the 429 they answer, in Close's error shape.

Two limits use them: requests per API key (`gateway.edge.limits`) and failed authentications per
client address, counted before the key lookup (`gateway.edge.auth`). Both live in this process's
memory: with several gateway processes, each counts on its own.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict

from aiohttp import web

__all__ = ["RateLimiter", "client_address", "too_many_requests"]

_MAX_KEYS = 10_000  # buckets kept; the least recently used go first (they are full anyway)


class RateLimiter:
    """`rate` requests per second per key, up to `burst` at once; at most `max_keys` buckets
    in memory."""

    def __init__(self, rate: float, burst: int, max_keys: int = _MAX_KEYS) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
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
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    def give_back(self, key: str) -> None:
        """Return the token a request took: what it was held for did not happen."""
        if key in self._buckets:
            tokens, at = self._buckets[key]
            self._buckets[key] = (min(float(self.burst), tokens + 1), at)

    def __len__(self) -> int:
        return len(self._buckets)


def client_address(remote: str | None) -> str:
    """The bucket of a peer address: itself for IPv4, its /64 for IPv6 (one host commonly holds
    a whole /64, so single addresses would be free for the asking)."""
    if not remote:
        return ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def too_many_requests(why: str, wait: float, limit: int) -> web.Response:
    """429 with `Retry-After` and `RateLimit` in whole seconds: Close's own client
    (`closeio_api`) reads `RateLimit` and sleeps before it retries."""
    reset = max(1, math.ceil(wait))
    return web.json_response(
        {"error": f"{why} Retry in {reset} s.", "rate_reset": reset},
        status=429,
        headers={
            "Retry-After": str(reset),
            "RateLimit": f"limit={limit}, remaining=0, reset={reset}",
        },
    )
