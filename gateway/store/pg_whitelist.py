"""Spam whitelist requests in PostgreSQL, their carrier decisions, and each number's spam
flags."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from gateway.core.idempotency import KeyAnswer
from gateway.core.models import PhoneNumber
from gateway.core.whitelist import WhitelistRequest
from gateway.store.pg_db import PgDb
from gateway.store.pg_keys import answer_key
from gateway.store.rows import WHITELIST_COLUMNS, whitelist_request_from_row

__all__ = ["PgWhitelistQueries"]

_DECIDE = (
    "UPDATE sms_whitelist_requests SET status = $1, reason = $2, date_decided = $3,"
    " date_updated = $3 WHERE carrier_sid = $4 AND status = 'submitted'"
)


async def _lock_sid(db: asyncpg.Connection, carrier_sid: str) -> None:
    # a submission's answer and its decision may land on different processes: one at a time
    await db.execute("SELECT pg_advisory_xact_lock(hashtext('whitelist:' || $1))", carrier_sid)


class PgWhitelistQueries(PgDb):
    async def insert_whitelist_request(
        self, req: WhitelistRequest, stale_before: str
    ) -> str | None:
        """Insert `req` unless its number has an open request; returns that request's id.
        A submitted request without a carrier sid older than `stale_before` was cut off by a
        crash mid-submission: it no longer blocks a new one."""
        try:
            async with self._tx() as db:
                await db.execute(
                    "DELETE FROM sms_whitelist_requests WHERE phone_number_id = $1"
                    " AND status = 'submitted' AND carrier_sid IS NULL AND date_created < $2",
                    req.phone_number_id,
                    stale_before,
                )
                await db.execute(
                    f"INSERT INTO sms_whitelist_requests ({WHITELIST_COLUMNS}) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    req.id,
                    req.organization_id,
                    req.phone_number_id,
                    req.phone_number,
                    req.website,
                    req.content_type,
                    json.dumps(list(req.examples)),
                    req.opted_in,
                    req.relationship,
                    req.status,
                    req.reason,
                    req.carrier_sid,
                    req.date_created,
                    req.date_updated,
                    req.date_decided,
                )
        except asyncpg.UniqueViolationError:  # the unique index on open requests
            row = await self._one(
                "SELECT id FROM sms_whitelist_requests"
                " WHERE phone_number_id = $1 AND status = 'submitted'",
                (req.phone_number_id,),
            )
            return str(row[0]) if row else "unknown"
        return None

    async def get_whitelist_request(self, org_id: str, request_id: str) -> WhitelistRequest | None:
        row = await self._one(
            f"SELECT {WHITELIST_COLUMNS} FROM sms_whitelist_requests"
            " WHERE organization_id = $1 AND id = $2",
            (org_id, request_id),
        )
        return whitelist_request_from_row(row) if row else None

    async def list_whitelist_requests(
        self, org_id: str, phone_number_id: str | None, status: str | None, skip: int, limit: int
    ) -> list[WhitelistRequest]:
        rows = await self._all(
            f"SELECT {WHITELIST_COLUMNS} FROM sms_whitelist_requests WHERE organization_id = $1"
            " AND ($2::text IS NULL OR phone_number_id = $2)"
            " AND ($3::text IS NULL OR status = $3)"
            " ORDER BY date_created DESC, seq DESC LIMIT $4 OFFSET $5",
            [org_id, phone_number_id, status, limit, skip],
        )
        return [whitelist_request_from_row(row) for row in rows]

    async def delete_whitelist_request(self, org_id: str, request_id: str) -> None:
        await self._write(
            "DELETE FROM sms_whitelist_requests WHERE organization_id = $1 AND id = $2",
            (org_id, request_id),
        )

    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None:
        """Write the carrier's sid, then apply a decision that overtook the submission's
        answer (stored by `record_whitelist_decision` with applied = false)."""
        async with self._tx() as db:
            await answer_key(db, answer)
            await _lock_sid(db, carrier_sid)
            await db.execute(
                "UPDATE sms_whitelist_requests SET carrier_sid = $1,"
                " date_updated = $2 WHERE id = $3",
                carrier_sid,
                now,
                request_id,
            )
            pending = await db.fetch(
                "UPDATE carrier_events SET applied = TRUE WHERE carrier_sid = $1"
                " AND kind = 'whitelist' AND NOT applied"
                " RETURNING id, status, payload, received_at",
                carrier_sid,
            )
            for event in sorted(pending, key=lambda e: e["id"])[:1]:  # the first decides
                reason = json.loads(event["payload"]).get("Reason") or None
                await db.execute(
                    _DECIDE, event["status"], reason, event["received_at"], carrier_sid
                )

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
        async with self._tx() as db:
            await _lock_sid(db, carrier_sid)
            known = await db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM sms_whitelist_requests WHERE carrier_sid = $1)",
                carrier_sid,
            )
            if known:
                await db.execute(_DECIDE, decision, reason, received_at, carrier_sid)
            await db.execute(
                "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
                " received_at, applied) VALUES ('whitelist', $1, $2, NULL, $3, $4, $5)",
                carrier_sid,
                decision,
                json.dumps(payload),
                received_at,
                known,
            )
        return bool(known)

    async def phone_number_flags(
        self, org_id: str, numbers: Sequence[PhoneNumber]
    ) -> dict[str, tuple[bool, int]]:
        """number id -> (whitelisted, how many of its SMS the carrier flagged as spam), for
        the organization's internal numbers among `numbers` (others are (False, 0))."""
        internal = [n for n in numbers if n.type == "internal"]
        flags = {n.id: (False, 0) for n in numbers}
        if not internal:
            return flags
        approved = {
            row[0]
            for row in await self._all(
                "SELECT DISTINCT phone_number_id FROM sms_whitelist_requests"
                " WHERE organization_id = $1 AND status = 'approved'"
                " AND phone_number_id = ANY($2::text[])",
                [org_id, [n.id for n in internal]],
            )
        }
        spam = {
            row[0]: int(row[1])
            for row in await self._all(
                "SELECT local_phone, count(*) FROM sms WHERE organization_id = $1"
                " AND error_reason = 'spam' AND local_phone = ANY($2::text[]) GROUP BY local_phone",
                [org_id, [n.number for n in internal]],
            )
        }
        for n in internal:
            flags[n.id] = (n.id in approved, spam.get(n.number, 0))
        return flags
