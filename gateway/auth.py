"""API keys and tenancy: HTTP Basic with the key as user name and an empty password.

Keys are stored as SHA-256 hashes (they are long random tokens, so a fast hash is enough);
the plain key is shown once, when the organization is created.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway import dates
from gateway.errors import Unauthorized
from gateway.ids import new_id
from gateway.keys import API_KEY_CACHE, ORGANIZATION, STORE
from gateway.models import Organization
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


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    # the API's description is public, as API documentation is (gateway.openapi)
    if not request.path.startswith("/api/") or request.path == "/api/v1/openapi.json":
        return await handler(request)
    key = key_from_header(request.headers.get("Authorization"))
    if key is None:
        raise Unauthorized("Unauthorized")
    digest = hash_key(key)
    cache = request.app[API_KEY_CACHE]
    org_id = cache.get(digest)
    if org_id is None:
        org_id = await request.app[STORE].organization_for_key(digest)
        if org_id is None:
            raise Unauthorized("Unauthorized")
        cache[digest] = org_id  # keys are never revoked yet; a revocation must evict here
    request[ORGANIZATION] = org_id
    return await handler(request)
