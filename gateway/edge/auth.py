"""API keys and tenancy: HTTP Basic with the key as user name and an empty password.

Keys are stored as SHA-256 hashes (they are long random tokens, so a fast hash is enough);
the plain key is shown once, when the organization is created.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import secrets
import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.core import dates
from gateway.core.errors import Unauthorized
from gateway.core.ids import new_id
from gateway.core.models import Organization
from gateway.edge.throttle import RateLimiter, client_address, too_many_requests
from gateway.keys import API_KEY_CACHE, METRICS, ORGANIZATION, STORE
from gateway.store import Store

__all__ = ["auth_middleware", "create_organization", "hash_key", "key_from_header", "new_api_key"]


def new_api_key() -> str:
    return "api_" + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_from_header(header: str | None) -> str | None:
    """The API key from `Authorization: Basic base64(KEY:)` (or `Bearer KEY`)."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, _password = decoded.partition(":")
    return user or None


async def create_organization(store: Store, name: str) -> tuple[Organization, str]:
    """A new organization and its first API key (plain: show it once, we keep the hash)."""
    org = Organization(new_id("orga"), name, dates.iso(dates.now()))
    key = new_api_key()
    await store.create_organization(org, hash_key(key))
    return org, key


def auth_middleware(failures: RateLimiter | None = None) -> Middleware:
    """Authenticate `/api/` requests; a key found once is cached (no lookup again).

    `failures` is a token bucket per client address, taken before an unknown key is looked up
    and given back when the key was good: an address whose keys keep matching nothing gets
    429 without touching the store, and random keys cost at most the bucket's burst in
    lookups, then its rate. Requests with a cached key never wait on it, and concurrent
    requests with one unknown key share one lookup (a fresh process meets many of those)."""
    lookups: dict[str, asyncio.Task[str | None]] = {}  # key hash -> its lookup in flight

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        # the API's description is public, as API documentation is (gateway.edge.openapi)
        if not request.path.startswith("/api/") or request.path == "/api/v1/openapi.json":
            return await handler(request)
        key = key_from_header(request.headers.get("Authorization"))
        if key is None:
            request.app[METRICS].auth_failures.inc()
            raise Unauthorized("Unauthorized")
        digest = hash_key(key)
        org_id = request.app[API_KEY_CACHE].get(digest)
        if org_id is None:
            lookup = lookups.get(digest)
            if lookup is None:
                address = client_address(request.remote)
                refused = _refused(request.app, failures, address)
                if refused is not None:
                    return refused
                lookup = asyncio.create_task(_look_up(request.app, digest, address, failures))
                lookups[digest] = lookup
                lookup.add_done_callback(lambda _done: lookups.pop(digest, None))
            # shielded: a client that hangs up does not cancel what others wait on
            org_id = await asyncio.shield(lookup)
            if org_id is None:
                request.app[METRICS].auth_failures.inc()
                raise Unauthorized("Unauthorized")
        request[ORGANIZATION] = org_id
        return await handler(request)

    return middleware


def _refused(
    app: web.Application, failures: RateLimiter | None, address: str
) -> web.Response | None:
    """429 when `address` has no failure left to spend, else None (one is taken)."""
    wait = 0.0 if failures is None else failures.take(address, time.monotonic())
    if failures is None or wait <= 0:
        return None
    app[METRICS].auth_throttled.inc()
    return too_many_requests(
        "Too many failed authentications from this address.", wait, failures.burst
    )


async def _look_up(
    app: web.Application, digest: str, address: str, failures: RateLimiter | None
) -> str | None:
    org_id = await app[STORE].organization_for_key(digest)
    if org_id is not None:
        app[API_KEY_CACHE][digest] = org_id  # keys are never revoked yet: evict here then
        if failures is not None:
            failures.give_back(address)  # only failures count against an address
    return org_id
