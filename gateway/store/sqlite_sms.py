"""SMS activities in SQLite: the API's reads and writes and the dispatcher's claims."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from gateway.core.idempotency import KeyAnswer
from gateway.core.lifecycle import Outcome, on_callback
from gateway.core.models import DueSms, Sms, SmsQuery
from gateway.store.rows import (
    SMS_FIELDS,
    SMS_UPDATABLE,
    SMS_WRITTEN,
    outcome_of,
    sms_from_row,
    sms_values,
    suppressed,
)
from gateway.store.sqlite_db import SqliteDb, changes, fetch_all, fetch_one
from gateway.store.sqlite_keys import answer_key

__all__ = ["SmsQueries"]

_COLUMNS = ", ".join(SMS_FIELDS)


def _in(column: str, values: tuple[str, ...], where: list[str], params: list[Any]) -> None:
    if values:
        where.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)


_INSERT = f"INSERT INTO sms ({', '.join(SMS_WRITTEN)}) VALUES ({','.join('?' * len(SMS_WRITTEN))})"


def insert_sms_row(db: sqlite3.Connection, sms: Sms) -> None:
    db.execute(_INSERT, sms_values(sms))


_APPLY = (
    "UPDATE sms SET status = ?, delivery_status = ?, error_code = ?, error_reason = ?,"
    " error_message = ?, date_updated = ? WHERE id = ?"
)


def _outcome_values(outcome: Outcome) -> tuple[Any, ...]:
    return (
        outcome.status,
        outcome.delivery_status,
        outcome.error_code,
        outcome.error_reason,
        outcome.error_message,
    )


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
        db.execute(_APPLY, (*_outcome_values(target), now, row["id"]))


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
        (carrier_sid, now, *_outcome_values(outcome), segments, cost, now, sms_id),
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


class SmsQueries(SqliteDb):
    async def insert_sms(self, sms: Sms, answer: KeyAnswer | None = None) -> None:
        def insert(db: sqlite3.Connection) -> None:
            db.execute(_INSERT, sms_values(sms))
            answer_key(db, answer)

        await self._run(insert)

    async def get_sms(self, org_id: str, sms_id: str) -> Sms | None:
        row = await self._one(
            f"SELECT {_COLUMNS} FROM sms WHERE organization_id = ? AND id = ?", (org_id, sms_id)
        )
        return sms_from_row(row) if row else None

    async def list_sms(self, query: SmsQuery) -> list[Sms]:
        where, params = ["organization_id = ?"], [query.organization_id]
        _in("id", query.ids, where, params)
        _in("lead_id", query.lead_ids, where, params)
        _in("contact_id", query.contact_ids, where, params)
        _in("status", query.statuses, where, params)
        _in("direction", query.directions, where, params)
        for op, value in (
            (">=", query.created_gte),
            (">", query.created_gt),
            ("<=", query.created_lte),
            ("<", query.created_lt),
        ):
            if value is not None:
                where.append(f"date_created {op} ?")
                params.append(value)
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM sms WHERE {' AND '.join(where)}"
            " ORDER BY date_created DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, query.limit, query.skip],
        )
        return [sms_from_row(row) for row in rows]

    async def update_sms(self, sms: Sms, expected_status: str, now: str) -> bool:
        changed = await self._changes(
            f"UPDATE sms SET {', '.join(f'{c} = ?' for c in SMS_UPDATABLE)}"
            " WHERE id = ? AND organization_id = ? AND status = ? AND carrier_sid IS NULL"
            " AND (claimed_until IS NULL OR claimed_until < ?)",
            [*sms_values(sms, SMS_UPDATABLE), sms.id, sms.organization_id, expected_status, now],
        )
        return changed == 1

    async def delete_sms(self, org_id: str, sms_id: str) -> None:
        await self._write("DELETE FROM sms WHERE organization_id = ? AND id = ?", (org_id, sms_id))

    # -- the dispatcher's side -------------------------------------------------------------

    async def release_claims(self) -> None:
        """At start-up nothing of ours is in flight: anything claimed was interrupted."""
        await self._write("UPDATE sms SET claimed_until = NULL WHERE claimed_until IS NOT NULL")

    async def due_sms(
        self, now: str, limit: int, per_number: int, skip_numbers: frozenset[str]
    ) -> list[DueSms]:
        # At most `per_number` from each sender, and none from senders that are waiting on
        # their pace: one busy number must not fill the round and hold up everyone else. The
        # senders are walked one index seek at a time (sms_due_sender), and each gives its
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
        return [
            DueSms(
                r["id"],
                r["organization_id"],
                r["local_phone"],
                r["remote_phone"],
                r["text"],
                r["due_since"],
                r["attempts"],
                bool(r["blocked"]),
                bool(r["rented"]),
                r["segments"],
                r["first_claimed_at"],
            )
            for r in rows
        ]

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

    async def record_outcome(self, sms_id: str, outcome: Outcome, now: str) -> None:
        await self._write(
            "UPDATE sms SET due_at = NULL, claimed_until = NULL, status = ?,"
            " delivery_status = ?, error_code = ?, error_reason = ?, error_message = ?,"
            " date_updated = ? WHERE id = ?",
            (
                outcome.status,
                outcome.delivery_status,
                outcome.error_code,
                outcome.error_reason,
                outcome.error_message,
                now,
                sms_id,
            ),
        )

    async def record_retry(
        self, sms_id: str, attempts: int, due_at: str, unsent: bool = False
    ) -> None:
        await self._write(
            "UPDATE sms SET attempts = ?, due_at = ?, claimed_until = NULL,"
            " first_claimed_at = CASE WHEN ? THEN NULL ELSE first_claimed_at END"
            " WHERE id = ? AND carrier_sid IS NULL",
            (attempts, due_at, unsent, sms_id),
        )

    async def expire_unclaimed(
        self, due_before: str, now: str, outcome: Outcome, keep_claimed_before: bool
    ) -> int:
        return await self._changes(
            "UPDATE sms SET due_at = NULL, status = ?, delivery_status = ?, error_code = ?,"
            " error_reason = ?, error_message = ?, cost = NULL, date_updated = ?"
            " WHERE due_at IS NOT NULL AND due_since < ? AND carrier_sid IS NULL"
            " AND (claimed_until IS NULL OR claimed_until < ?)"
            " AND NOT (? AND first_claimed_at IS NOT NULL)",
            (*_outcome_values(outcome), now, due_before, now, keep_claimed_before),
        )
