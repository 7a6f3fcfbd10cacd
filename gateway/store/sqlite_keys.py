"""Idempotency keys in SQLite: reserve, answer (inside a create's writer op), release.

What the rows mean, and why a create's record and answer are one write: gateway/core/idempotency.py.
"""

from __future__ import annotations

import sqlite3

from gateway.core.errors import KeyInUse
from gateway.core.idempotency import HEADER, KeyAnswer, KeyClaim, StoredKey
from gateway.store.sqlite_db import SqliteDb, changes, fetch_all, fetch_one

__all__ = ["KeyQueries", "answer_key"]

_PURGE_BATCH = 100  # expired keys deleted per reservation: a cheap, steady sweep

_RESERVE = (
    "INSERT INTO idempotency_keys (organization_id, idem_key, fingerprint, owner, created_at,"
    " lease_until) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (organization_id, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint,"
    " owner = excluded.owner, created_at = excluded.created_at,"
    " lease_until = excluded.lease_until, status = NULL, response = NULL"
    # an expired key is free; an unanswered one whose lease ended, to a repeat of its request
    " WHERE idempotency_keys.created_at < ? OR (idempotency_keys.response IS NULL"
    "  AND idempotency_keys.lease_until <= excluded.created_at"
    "  AND idempotency_keys.fingerprint = excluded.fingerprint)"
    " RETURNING owner"
)


def answer_key(db: sqlite3.Connection, answer: KeyAnswer | None) -> None:
    """Store the first answer with the record it describes (part of the create's writer op:
    if the reservation was taken over meanwhile, the op fails and creates nothing)."""
    if answer is None:
        return
    claim = answer.claim
    if not changes(
        db,
        "UPDATE idempotency_keys SET status = ?, response = ?"
        " WHERE organization_id = ? AND idem_key = ? AND owner = ?"
        " AND response IS NULL",
        (answer.status, answer.body, claim.organization_id, claim.key, claim.owner),
    ):
        raise KeyInUse(
            f"A repeat of this request under the same {HEADER} took it over; its"
            " answer is the one that counts: retry to get it."
        )


def _reserve(
    db: sqlite3.Connection,
    claim: KeyClaim,
    fingerprint: str,
    now: str,
    lease_until: str,
    expired_before: str,
) -> StoredKey | None:
    db.execute(
        "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys"
        " WHERE created_at < ? ORDER BY created_at LIMIT ?)",
        (expired_before, _PURGE_BATCH),
    )
    if fetch_all(
        db,
        _RESERVE,
        (
            claim.organization_id,
            claim.key,
            fingerprint,
            claim.owner,
            now,
            lease_until,
            expired_before,
        ),
    ):
        return None
    row = fetch_one(
        db,
        "SELECT fingerprint, status, response FROM idempotency_keys"
        " WHERE organization_id = ? AND idem_key = ?",
        (claim.organization_id, claim.key),
    )
    assert row is not None  # the conflict that kept our row out is there, in this op
    return StoredKey(row["fingerprint"], row["status"], row["response"])


class KeyQueries(SqliteDb):
    async def reserve_key(
        self, claim: KeyClaim, fingerprint: str, now: str, lease_until: str, expired_before: str
    ) -> StoredKey | None:
        return await self._run(
            lambda db: _reserve(db, claim, fingerprint, now, lease_until, expired_before)
        )

    async def release_key(self, claim: KeyClaim) -> None:
        await self._write(
            "DELETE FROM idempotency_keys WHERE organization_id = ?"
            " AND idem_key = ? AND owner = ? AND response IS NULL",
            (claim.organization_id, claim.key, claim.owner),
        )
