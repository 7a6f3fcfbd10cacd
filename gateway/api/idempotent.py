"""`Idempotency-Key` on the creating POSTs: the handler wrapper (the rules are in
gateway.core.idempotency).

A request with a key reserves it before the handler runs; the handler answers through
`common.created` and hands that answer to the store with the record it creates, in one
transaction. A repeat within 24 hours gets the stored answer (with `Idempotent-Replayed:
true`); one still in progress a 409; the same key with another request a 422. A create that
fails frees its key, so a corrected retry may use it again.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from gateway.api.common import Handler, config_of, org_of, store_of
from gateway.core import dates
from gateway.core.idempotency import (
    HEADER,
    TTL,
    KeyClaim,
    fingerprint,
    lease_for,
    parse_key,
    repeat_of,
)
from gateway.keys import KEY_CLAIM

__all__ = ["REPLAYED", "idempotent"]

REPLAYED = "Idempotent-Replayed"  # on an answer given again: Stripe's name for it


def idempotent(handler: Handler, carrier_calls: int = 0) -> Handler:
    """`handler` under the header's rules; `carrier_calls`: how many carrier calls it can make
    at most (they set how long a repeat waits for its answer: gateway.core.idempotency)."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        key = parse_key(request.headers.get(HEADER))
        if key is None:
            return await handler(request)
        store, now = store_of(request), dates.now()
        claim = KeyClaim(org_of(request), key, secrets.token_hex(16))
        lease = lease_for(carrier_calls, config_of(request).carrier_timeout)
        same = fingerprint(request.method, request.path_qs, await request.read())
        stored = await store.reserve_key(
            claim, same, dates.iso(now), dates.iso(now + lease), dates.iso(now - TTL)
        )
        if stored is not None:
            status, body = repeat_of(stored, same)
            return web.Response(
                text=body,
                status=status,
                content_type="application/json",
                headers={REPLAYED: "true"},
            )
        request[KEY_CLAIM] = claim
        try:
            return await handler(request)
        except Exception:
            await store.release_key(claim)
            raise

    return wrapped
