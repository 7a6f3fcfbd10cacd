"""Spam whitelist requests in SQLite, their carrier decisions, and each number's spam flags."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from gateway.core.idempotency import KeyAnswer
from gateway.core.models import PhoneNumber
from gateway.core.whitelist import WhitelistRequest
from gateway.store.rows import WHITELIST_COLUMNS, whitelist_request_from_row
from gateway.store.sqlite_db import SqliteDb, fetch_all, fetch_one
from gateway.store.sqlite_keys import answer_key

__all__ = ["WhitelistQueries"]

_DECIDE = (
    "UPDATE sms_whitelist_requests SET status = ?, reason = ?, date_decided = ?,"
    " date_updated = ? WHERE carrier_sid = ? AND status = 'submitted'"
)


def _insert(db: sqlite3.Connection, req: WhitelistRequest, stale_before: str) -> str | None:
    db.execute(
        "DELETE FROM sms_whitelist_requests WHERE phone_number_id = ?"
        " AND status = 'submitted' AND carrier_sid IS NULL AND date_created < ?",
        (req.phone_number_id, stale_before),
    )
    try:
        db.execute(
            f"INSERT INTO sms_whitelist_requests ({WHITELIST_COLUMNS})"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                req.id,
                req.organization_id,
                req.phone_number_id,
                req.phone_number,
                req.website,
                req.content_type,
                json.dumps(list(req.examples)),
                int(req.opted_in),
                req.relationship,
                req.status,
                req.reason,
                req.carrier_sid,
                req.date_created,
                req.date_updated,
                req.date_decided,
            ),
        )
    except sqlite3.IntegrityError:  # the unique index on open requests
        row = fetch_one(
            db,
            "SELECT id FROM sms_whitelist_requests"
            " WHERE phone_number_id = ? AND status = 'submitted'",
            (req.phone_number_id,),
        )
        return str(row[0]) if row else "unknown"
    return None


def _submitted(
    db: sqlite3.Connection, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None
) -> None:
    answer_key(db, answer)
    db.execute(
        "UPDATE sms_whitelist_requests SET carrier_sid = ?, date_updated = ? WHERE id = ?",
        (carrier_sid, now, request_id),
    )
    pending = fetch_all(
        db,
        "SELECT status, payload, received_at FROM carrier_events"
        " WHERE carrier_sid = ? AND kind = 'whitelist' AND applied = 0 ORDER BY id",
        (carrier_sid,),
    )
    for event in pending[:1]:  # the first decision is the decision
        reason = json.loads(event["payload"]).get("Reason") or None
        db.execute(
            _DECIDE,
            (event["status"], reason, event["received_at"], event["received_at"], carrier_sid),
        )
    if pending:
        db.execute(
            "UPDATE carrier_events SET applied = 1 WHERE carrier_sid = ?"
            " AND kind = 'whitelist' AND applied = 0",
            (carrier_sid,),
        )


def _decided(
    db: sqlite3.Connection,
    carrier_sid: str,
    decision: str,
    reason: str | None,
    payload: dict[str, str],
    received_at: str,
) -> bool:
    known = (
        fetch_one(db, "SELECT 1 FROM sms_whitelist_requests WHERE carrier_sid = ?", (carrier_sid,))
        is not None
    )
    if known:
        db.execute(_DECIDE, (decision, reason, received_at, received_at, carrier_sid))
    db.execute(
        "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
        " received_at, applied) VALUES ('whitelist', ?, ?, NULL, ?, ?, ?)",
        (carrier_sid, decision, json.dumps(payload), received_at, int(known)),
    )
    return known


class WhitelistQueries(SqliteDb):
    async def insert_whitelist_request(
        self, req: WhitelistRequest, stale_before: str
    ) -> str | None:
        """Insert `req` unless its number has an open request; returns that request's id.

        A submitted request that never got a carrier sid and is older than `stale_before` was
        cut off by a crash mid-submission: it no longer blocks a new one.
        """
        return await self._run(lambda db: _insert(db, req, stale_before))

    async def get_whitelist_request(self, org_id: str, request_id: str) -> WhitelistRequest | None:
        row = await self._one(
            f"SELECT {WHITELIST_COLUMNS} FROM sms_whitelist_requests"
            " WHERE organization_id = ? AND id = ?",
            (org_id, request_id),
        )
        return whitelist_request_from_row(row) if row else None

    async def list_whitelist_requests(
        self, org_id: str, phone_number_id: str | None, status: str | None, skip: int, limit: int
    ) -> list[WhitelistRequest]:
        where, params = ["organization_id = ?"], [org_id]
        for column, value in (("phone_number_id", phone_number_id), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = await self._all(
            f"SELECT {WHITELIST_COLUMNS} FROM sms_whitelist_requests WHERE {' AND '.join(where)}"
            " ORDER BY date_created DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, skip],
        )
        return [whitelist_request_from_row(row) for row in rows]

    async def delete_whitelist_request(self, org_id: str, request_id: str) -> None:
        await self._write(
            "DELETE FROM sms_whitelist_requests WHERE organization_id = ? AND id = ?",
            (org_id, request_id),
        )

    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None:
        """Write the carrier's sid, then apply a decision that overtook the submission's
        answer (stored by `record_whitelist_decision` with applied = 0)."""
        await self._run(lambda db: _submitted(db, request_id, carrier_sid, now, answer))

    async def record_whitelist_decision(
        self,
        carrier_sid: str,
        decision: str,
        reason: str | None,
        payload: dict[str, str],
        received_at: str,
    ) -> bool:
        """Store the raw callback and decide the request if it is still submitted (a
        duplicate or a second decision changes nothing). False when no request has the sid
        yet: `record_whitelist_submitted` applies it later."""
        return await self._run(
            lambda db: _decided(db, carrier_sid, decision, reason, payload, received_at)
        )

    async def phone_number_flags(
        self, org_id: str, numbers: Sequence[PhoneNumber]
    ) -> dict[str, tuple[bool, int]]:
        """number id -> (whitelisted, how many of its SMS the carrier flagged as spam), for
        the organization's internal numbers among `numbers` (others are (False, 0))."""
        internal = [n for n in numbers if n.type == "internal"]
        flags = {n.id: (False, 0) for n in numbers}
        if not internal:
            return flags
        marks = ",".join("?" * len(internal))
        approved = {
            row[0]
            for row in await self._all(
                "SELECT DISTINCT phone_number_id FROM sms_whitelist_requests"
                f" WHERE organization_id = ? AND status = 'approved' AND "
                f"phone_number_id IN ({marks})",
                [org_id, *(n.id for n in internal)],
            )
        }
        spam = {
            row[0]: int(row[1])
            for row in await self._all(
                "SELECT local_phone, COUNT(*) FROM sms WHERE organization_id = ?"
                f" AND error_reason = 'spam' AND local_phone IN ({marks}) GROUP BY local_phone",
                [org_id, *(n.number for n in internal)],
            )
        }
        for n in internal:
            flags[n.id] = (n.id in approved, spam.get(n.number, 0))
        return flags
