"""The dispatcher's side of SMS activities in SQLite: due messages, claims, and the writes
that apply the carrier's answers (the API's side is gateway.store.sms, written once).

Why this differs from PostgreSQL (pg_sms): SQLite has one writer, which runs one op at a time,
so a claim or a status write reads, decides and writes with no lock; a claim has no owner (one
gateway per file, sqlite_owner), and due messages are found by walking the senders' index.
"""

from __future__ import annotations

import json
import sqlite3

from gateway.core.lifecycle import Outcome, on_callback
from gateway.core.models import DueSms
from gateway.store.rows import due_from_row, outcome_of, suppressed
from gateway.store.sms import OUTCOME_SET, outcome_values
from gateway.store.sqlite_db import SqliteDb, changes, fetch_all, fetch_one

__all__ = ["SqliteSmsQueries", "move_forward"]


def move_forward(
    db: sqlite3.Connection, carrier_sid: str, steps: list[tuple[str, int | None]], now: str
) -> None:
    """Apply carrier statuses to the message with `carrier_sid` through the lifecycle. Part
    of a writer op: nobody moves the message between our read and our write."""
    row = fetch_one(
        db,
        "SELECT id, status, delivery_status, error_code, error_reason,"
        " error_message FROM sms WHERE carrier_sid = ?",
        (carrier_sid,),
    )
    if row is None:
        return
    current = target = outcome_of(row)
    for status, code in steps:
        target = on_callback(target, status, code) or target
    if target != current:  # else a duplicate, late or out-of-order callback: nothing to write
        db.execute(
            f"UPDATE sms SET {OUTCOME_SET}, date_updated = $6 WHERE id = $7",
            (*outcome_values(target), now, row["id"]),
        )


def _accept(
    db: sqlite3.Connection,
    sms_id: str,
    carrier_sid: str,
    outcome: Outcome,
    now: str,
    segments: int | None,
    cost: str | None,
) -> None:
    if not changes(
        db,
        "UPDATE sms SET carrier_sid = ?, date_sent = ?, due_at = NULL, claimed_until = NULL,"
        " status = ?, delivery_status = ?, error_code = ?, error_reason = ?, error_message = ?,"
        " segments = COALESCE(?, segments), cost = COALESCE(?, cost), date_updated = ?"
        " WHERE id = ? AND carrier_sid IS NULL",
        (carrier_sid, now, *outcome_values(outcome), segments, cost, now, sms_id),
    ):
        return  # deleted meanwhile, or already recorded
    # Callbacks that overtook the create answer were stored with applied = 0 (see
    # record_status): replay them now that the message has its sid.
    events = fetch_all(
        db,
        "SELECT status, error_code FROM carrier_events"
        " WHERE carrier_sid = ? AND applied = 0 ORDER BY id",
        (carrier_sid,),
    )
    if events:
        move_forward(db, carrier_sid, [(e["status"], e["error_code"]) for e in events], now)
        db.execute(
            "UPDATE carrier_events SET applied = 1 WHERE carrier_sid = ? AND applied = 0",
            (carrier_sid,),
        )


class SqliteSmsQueries(SqliteDb):
    # -- the dispatcher's side -------------------------------------------------------------

    async def release_claims(self) -> None:
        """At start-up nothing of ours is in flight: anything claimed was interrupted."""
        await self._write("UPDATE sms SET claimed_until = NULL WHERE claimed_until IS NOT NULL")

    async def due_sms(
        self, now: str, limit: int, per_number: int, skip_numbers: frozenset[str]
    ) -> list[DueSms]:
        # The senders are walked one index seek at a time (sms_due_sender), and each gives its
        # oldest unclaimed due rows: the cost follows the senders, not the backlog.
        rows = await self._all(
            "WITH RECURSIVE senders(phone) AS ("
            " SELECT MIN(local_phone) FROM sms WHERE due_at IS NOT NULL"
            " UNION ALL SELECT (SELECT MIN(local_phone) FROM sms"
            "  WHERE due_at IS NOT NULL AND local_phone > phone)"
            " FROM senders WHERE phone IS NOT NULL)"
            " SELECT sms.id, organization_id, local_phone, remote_phone, text, due_since,"
            " attempts, segments, first_claimed_at,"
            f" {suppressed('sms.organization_id', 'sms.remote_phone')} AS blocked"
            " , EXISTS (SELECT 1 FROM phone_numbers n WHERE n.number = sms.local_phone"
            "  AND n.type = 'internal' AND n.organization_id = sms.organization_id) AS rented"
            " FROM senders JOIN sms ON sms.id IN (SELECT s.id FROM sms AS s"
            "  WHERE s.local_phone = senders.phone AND s.due_at IS NOT NULL AND s.due_at <= ?"
            "  AND (s.claimed_until IS NULL OR s.claimed_until < ?)"
            "  ORDER BY s.due_at, s.rowid LIMIT ?)"
            " WHERE senders.phone IS NOT NULL"
            " AND senders.phone NOT IN (SELECT value FROM json_each(?))"
            " ORDER BY sms.due_at, sms.rowid LIMIT ?",
            # no sender can give more than the round takes
            (now, now, min(per_number, limit), json.dumps(sorted(skip_numbers)), limit),
        )
        return [due_from_row(r) for r in rows]

    async def claim_sms(
        self, ids: list[str], now: str, lease_until: str, paced: bool = True
    ) -> list[str]:
        # `paced` is for a shared pace (PostgreSQL); here the dispatcher's pacer is the only one
        if not ids:
            return []
        rows = await self._write(
            "UPDATE sms SET claimed_until = ?, first_claimed_at = COALESCE(first_claimed_at, ?)"
            f" WHERE id IN ({','.join('?' * len(ids))})"
            " AND due_at IS NOT NULL AND due_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until < ?) RETURNING id",
            (lease_until, now, *ids, now, now),
        )
        return [row[0] for row in rows]

    async def record_accepted(
        self,
        sms_id: str,
        carrier_sid: str,
        outcome: Outcome,
        now: str,
        segments: int | None = None,
        cost: str | None = None,
    ) -> None:
        await self._run(lambda db: _accept(db, sms_id, carrier_sid, outcome, now, segments, cost))

    async def expire_unclaimed(
        self, due_before: str, now: str, outcome: Outcome, keep_claimed_before: bool
    ) -> int:
        return await self._changes(
            "UPDATE sms SET due_at = NULL, status = ?, delivery_status = ?, error_code = ?,"
            " error_reason = ?, error_message = ?, cost = NULL, date_updated = ?"
            " WHERE due_at IS NOT NULL AND due_since < ? AND carrier_sid IS NULL"
            " AND (claimed_until IS NULL OR claimed_until < ?)"
            " AND NOT (? AND first_claimed_at IS NOT NULL)",
            (*outcome_values(outcome), now, due_before, now, keep_claimed_before),
        )
