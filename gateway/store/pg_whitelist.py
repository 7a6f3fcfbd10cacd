"""A whitelist submission's answer in PostgreSQL, and the carrier decision that overtook it.

Why this differs from SQLite (sqlite_whitelist): a submission's answer and its decision may
land on different processes, so both take the sid's lock first (the decision: in
gateway.store.whitelist, through `_serialise`).
"""

from __future__ import annotations

import json

from gateway.core.idempotency import KeyAnswer
from gateway.store.keys import answer_stmts
from gateway.store.pg_db import PgDb, run_statements
from gateway.store.whitelist import DECIDE

__all__ = ["PgWhitelistQueries"]


class PgWhitelistQueries(PgDb):
    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None:
        """Write the carrier's sid, then apply a decision that overtook the submission's
        answer (stored by `record_whitelist_decision` with applied = false)."""
        async with self._tx() as db:
            await run_statements(
                db, [*answer_stmts(answer), *self._serialise(f"whitelist:{carrier_sid}")]
            )
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
                await db.execute(DECIDE, event["status"], reason, event["received_at"], carrier_sid)
