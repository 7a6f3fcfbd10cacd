"""Spam whitelist requests, the carrier's decisions, and each number's spam flags. How a
submission's answer meets a decision that overtook it differs by backend (sqlite_whitelist,
pg_whitelist)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from gateway.core.models import PhoneNumber
from gateway.core.whitelist import WhitelistRequest
from gateway.store.db import Binds, Db, Stmt
from gateway.store.rows import WHITELIST_COLUMNS, whitelist_request_from_row

__all__ = ["DECIDE", "WhitelistQueries"]

# decide a request still submitted (values: status, reason, when, carrier sid)
DECIDE = (
    "UPDATE sms_whitelist_requests SET status = $1, reason = $2, date_decided = $3,"
    " date_updated = $3 WHERE carrier_sid = $4 AND status = 'submitted'"
)


class WhitelistQueries(Db):
    async def insert_whitelist_request(
        self, req: WhitelistRequest, stale_before: str
    ) -> str | None:
        # A submitted request that never got a carrier sid and is older than `stale_before`
        # was cut off by a crash mid-submission: it no longer blocks a new one. The conflict
        # left is the unique index on open requests (ids are random).
        _stale, inserted, open_request = await self._batch(
            [
                Stmt(
                    "DELETE FROM sms_whitelist_requests WHERE phone_number_id = $1"
                    " AND status = 'submitted' AND carrier_sid IS NULL AND date_created < $2",
                    (req.phone_number_id, stale_before),
                ),
                Stmt(
                    f"INSERT INTO sms_whitelist_requests ({WHITELIST_COLUMNS}) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                    " ON CONFLICT DO NOTHING RETURNING id",
                    (
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
                    ),
                ),
                Stmt(
                    "SELECT id FROM sms_whitelist_requests"
                    " WHERE phone_number_id = $1 AND status = 'submitted'",
                    (req.phone_number_id,),
                ),
            ]
        )
        if inserted:
            return None
        return str(open_request[0][0]) if open_request else "unknown"

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
        b = Binds()
        where = [f"organization_id = {b(org_id)}"]
        for column, value in (("phone_number_id", phone_number_id), ("status", status)):
            if value is not None:
                where.append(f"{column} = {b(value)}")
        rows = await self._all(
            f"SELECT {WHITELIST_COLUMNS} FROM sms_whitelist_requests WHERE {' AND '.join(where)}"
            f" ORDER BY date_created DESC, {self.search_dialect.sequence} DESC"
            f" LIMIT {b(limit)} OFFSET {b(skip)}",
            b.values,
        )
        return [whitelist_request_from_row(row) for row in rows]

    async def delete_whitelist_request(self, org_id: str, request_id: str) -> None:
        await self._write(
            "DELETE FROM sms_whitelist_requests WHERE organization_id = $1 AND id = $2",
            (org_id, request_id),
        )

    async def record_whitelist_decision(
        self,
        carrier_sid: str,
        decision: str,
        reason: str | None,
        payload: dict[str, str],
        received_at: str,
    ) -> bool:
        # the same key as record_whitelist_submitted's: a submission's answer and its decision
        # may land on different processes
        *_, (event,) = await self._batch(
            [
                *self._serialise(f"whitelist:{carrier_sid}"),
                Stmt(DECIDE, (decision, reason, received_at, carrier_sid)),
                Stmt(
                    "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
                    " received_at, applied) VALUES ('whitelist', $1, $2, NULL, $3, $4, EXISTS"
                    " (SELECT 1 FROM sms_whitelist_requests WHERE carrier_sid = $1))"
                    " RETURNING applied",
                    (carrier_sid, decision, json.dumps(payload), received_at),
                ),
            ]
        )
        return bool(event[0])

    async def phone_number_flags(
        self, org_id: str, numbers: Sequence[PhoneNumber]
    ) -> dict[str, tuple[bool, int]]:
        internal = [n for n in numbers if n.type == "internal"]
        flags = {n.id: (False, 0) for n in numbers}
        if not internal:
            return flags
        dialect = self.search_dialect
        in_list = dialect.in_list.format("$2")
        approved = {
            row[0]
            for row in await self._all(
                "SELECT DISTINCT phone_number_id FROM sms_whitelist_requests"
                " WHERE organization_id = $1 AND status = 'approved'"
                f" AND phone_number_id {in_list}",
                (org_id, dialect.list_value(n.id for n in internal)),
            )
        }
        spam = {
            row[0]: int(row[1])
            for row in await self._all(
                "SELECT local_phone, count(*) FROM sms WHERE organization_id = $1"
                f" AND error_reason = 'spam' AND local_phone {in_list} GROUP BY local_phone",
                (org_id, dialect.list_value(n.number for n in internal)),
            )
        }
        for n in internal:
            flags[n.id] = (n.id in approved, spam.get(n.number, 0))
        return flags
