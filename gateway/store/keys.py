"""Idempotency keys: reserve, answer (a statement of the create's own transaction), release.

What the rows mean, and why a create's record and answer are one write: gateway/core/idempotency.py.
Two PostgreSQL processes reserving one key meet on its primary key: the second waits for the
first's insert, then sees its row.
"""

from __future__ import annotations

from gateway.core.errors import KeyInUse
from gateway.core.idempotency import HEADER, KeyAnswer, KeyClaim, StoredKey
from gateway.search.compile import POSTGRESQL, SQLITE
from gateway.store.db import Db, Stmt

__all__ = ["KeyQueries", "answer_stmts"]

_PURGE_BATCH = 100  # expired keys deleted per reservation: a cheap, steady sweep

# Differs by backend: SQLite's one writer deletes by rowid; on PostgreSQL, SKIP LOCKED leaves
# the keys another process is purging to it, and = ANY(ARRAY(...)) deletes by ctid (a TID scan)
_PURGE = {
    SQLITE: "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys"
    " WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
    POSTGRESQL: "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid"
    " FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2"
    " FOR UPDATE SKIP LOCKED))",
}

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


def answer_stmts(answer: KeyAnswer | None) -> list[Stmt]:
    """Store the first answer with the record it describes: the last statement of the
    create's batch, which fails (creating nothing) if the reservation was taken over."""
    if answer is None:
        return []
    claim = answer.claim
    return [
        Stmt(
            "UPDATE idempotency_keys SET status = $1, response = $2 WHERE organization_id = $3"
            " AND idem_key = $4 AND owner = $5 AND response IS NULL RETURNING 1",
            (answer.status, answer.body, claim.organization_id, claim.key, claim.owner),
            or_fail=KeyInUse(
                f"A repeat of this request under the same {HEADER} took it over; its"
                " answer is the one that counts: retry to get it."
            ),
        )
    ]


class KeyQueries(Db):
    async def reserve_key(
        self, claim: KeyClaim, fingerprint: str, now: str, lease_until: str, expired_before: str
    ) -> StoredKey | None:
        key = (claim.organization_id, claim.key)
        _purged, reserved, stored = await self._batch(
            [
                Stmt(_PURGE[self.search_dialect], (expired_before, _PURGE_BATCH)),
                Stmt(
                    _RESERVE,
                    (*key, fingerprint, claim.owner, now, lease_until, expired_before),
                ),
                # what kept our row out, if something did (read in the same transaction)
                Stmt(
                    "SELECT fingerprint, status, response FROM idempotency_keys"
                    " WHERE organization_id = $1 AND idem_key = $2",
                    key,
                ),
            ]
        )
        if reserved:
            return None
        if not stored:  # PostgreSQL: deleted between our conflict and our read: free again
            return await self.reserve_key(claim, fingerprint, now, lease_until, expired_before)
        row = stored[0]
        return StoredKey(row["fingerprint"], row["status"], row["response"])

    async def release_key(self, claim: KeyClaim) -> None:
        await self._write(
            "DELETE FROM idempotency_keys WHERE organization_id = $1"
            " AND idem_key = $2 AND owner = $3 AND response IS NULL",
            (claim.organization_id, claim.key, claim.owner),
        )
