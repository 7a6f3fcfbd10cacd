"""Client retries: the `Idempotency-Key` header on the API's creating POSTs. Pure.

A key belongs to one organization for 24 hours. The first request with it reserves it
(`KeyClaim`, written before the create runs); the create then writes its record and its answer
(`KeyAnswer`) in one transaction, so either both are stored or neither is: a crash between the
two cannot happen, and a retry after a crash finds no answer and runs the create again, as if
for the first time. A repeat finds the stored key and gets the first answer (`repeat_of`), or a
4xx naming the header. The store keeps the keys (`gateway.store.sqlite_keys`, `pg_keys`);
`gateway.api.idempotent` is the shell.

A reservation without an answer is taken over by a repeat of the same request once its lease
ends. A create that calls no carrier has a lease of zero: its record and answer commit
together, so a reservation without an answer holds nothing and a repeat may take it over at
once; the request that loses its reservation that way fails its commit (`KeyInUse`) and
creates nothing. A create that calls the carrier (renting a number, a whitelist request) holds
its key for as long as those calls can take: a repeat meanwhile is a 409, not a second call.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from gateway.core.errors import KeyInUse, KeyReused, ValidationFailed

__all__ = [
    "HEADER",
    "TTL",
    "KeyAnswer",
    "KeyClaim",
    "StoredKey",
    "fingerprint",
    "lease_for",
    "parse_key",
    "repeat_of",
]

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)  # how long a key's first answer is kept (and the key taken)
MAX_LENGTH = 255
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")  # visible ASCII: a UUID, a ULID, a hash


@dataclass(frozen=True, slots=True)
class KeyClaim:
    """A reservation of `key` in `organization_id`, held by one request (`owner`)."""

    organization_id: str
    key: str
    owner: str


@dataclass(frozen=True, slots=True)
class KeyAnswer:
    """The first answer to a claimed key, stored with the record the request created."""

    claim: KeyClaim
    status: int
    body: str  # JSON


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key someone else holds: the request it was first sent with and, once answered, the
    answer."""

    fingerprint: str
    status: int | None
    body: str | None


def parse_key(raw: str | None) -> str | None:
    """The header's key, None without one; a bad one is a 400 naming the header."""
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise ValidationFailed(
            {
                HEADER: f"Must be 1 to {MAX_LENGTH} visible ASCII characters"
                " (letters, digits, punctuation; no spaces)."
            }
        )
    return raw


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes a repeat the same request: method, path (with its query) and body. A
    trailing slash is Close's spelling, not another request."""
    head, _, query = path.partition("?")
    digest = hashlib.sha256(f"{method.upper()} {head.rstrip('/')}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def lease_for(carrier_calls: int, carrier_timeout: float) -> timedelta:
    """How long a reservation holds off a repeat: as long as its carrier calls can take
    (twice each call's timeout); zero for a create that calls no carrier."""
    return timedelta(seconds=carrier_calls * carrier_timeout * 2)


def repeat_of(stored: StoredKey, fingerprint: str) -> tuple[int, str]:
    """The first answer to replay for a repeat; raises when there is none to give."""
    if stored.fingerprint != fingerprint:
        raise KeyReused(
            f"This {HEADER} was already used with a different request (method,"
            " path or body) in the last 24 hours; use a new key for a new request."
        )
    if stored.status is None or stored.body is None:
        raise KeyInUse(
            f"A request with this {HEADER} is still in progress; retry it shortly"
            " to get its answer."
        )
    return stored.status, stored.body
