"""Idempotency keys in PostgreSQL: reserve, answer (inside a create's transaction), release.

The same statements as gateway/store/sqlite_keys.py. Two processes reserving one key meet on
its primary key: the second waits for the first's insert, then sees its row.
"""

from __future__ import annotations

import asyncpg

from gateway.core.errors import KeyInUse
from gateway.core.idempotency import HEADER, KeyAnswer, KeyClaim, StoredKey
from gateway.store.pg_db import PgDb

__all__ = ["PgKeyQueries", "answer_key"]

_PURGE_BATCH = 100  # expired keys deleted per reservation: a cheap, steady sweep

_RESERVE = (
    "INSERT INTO idempotency_keys (organization_id, idem_key, fingerprint, owner, created_at,"
    " lease_until) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (organization_id, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint,"
    " owner = excluded.owner, created_at = excluded.created_at,"
    " lease_until = excluded.lease_until, status = NULL, response = NULL"
    # an expired key is free; an unanswered one whose lease ended, to a repeat of its request
    " WHERE idempotency_keys.created_at < $7 OR (idempotency_keys.response IS NULL"
    "  AND idempotency_keys.lease_until <= excluded.created_at"
    "  AND idempotency_keys.fingerprint = excluded.fingerprint)"
    " RETURNING owner"
)


async def answer_key(db: asyncpg.Connection, answer: KeyAnswer | None) -> None:
    """Store the first answer with the record it describes (in the create's transaction: if
    the reservation was taken over meanwhile, it rolls back and creates nothing)."""
    if answer is None:
        return
    claim = answer.claim
    status = await db.execute(
        "UPDATE idempotency_keys SET status = $1, response = $2 WHERE organization_id = $3"
        " AND idem_key = $4 AND owner = $5 AND response IS NULL",
        answer.status,
        answer.body,
        claim.organization_id,
        claim.key,
        claim.owner,
    )
    if status == "UPDATE 0":
        raise KeyInUse(
            f"A repeat of this request under the same {HEADER} took it over; its"
            " answer is the one that counts: retry to get it."
        )


class PgKeyQueries(PgDb):
    async def reserve_key(
        self, claim: KeyClaim, fingerprint: str, now: str, lease_until: str, expired_before: str
    ) -> StoredKey | None:
        async with self._tx() as db:
            await db.execute(
                "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid"
                " FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2"
                " FOR UPDATE SKIP LOCKED))",
                expired_before,
                _PURGE_BATCH,
            )
            if await db.fetchval(
                _RESERVE,
                claim.organization_id,
                claim.key,
                fingerprint,
                claim.owner,
                now,
                lease_until,
                expired_before,
            ):
                return None
            row = await db.fetchrow(
                "SELECT fingerprint, status, response FROM idempotency_keys"
                " WHERE organization_id = $1 AND idem_key = $2",
                claim.organization_id,
                claim.key,
            )
        if row is None:  # deleted between our conflict and our read: it is free again
            return await self.reserve_key(claim, fingerprint, now, lease_until, expired_before)
        return StoredKey(row["fingerprint"], row["status"], row["response"])

    async def release_key(self, claim: KeyClaim) -> None:
        await self._write(
            "DELETE FROM idempotency_keys WHERE organization_id = $1"
            " AND idem_key = $2 AND owner = $3 AND response IS NULL",
            (claim.organization_id, claim.key, claim.owner),
        )
