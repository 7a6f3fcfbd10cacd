"""A whitelist submission's answer in SQLite, and the carrier decision that overtook it.

Why this differs from PostgreSQL (pg_whitelist): the one writer runs one op at a time, so the
submission reads the decisions waiting for its sid and applies the first with no lock.
"""

from __future__ import annotations

import json
import sqlite3

from gateway.core.idempotency import KeyAnswer
from gateway.store.keys import answer_stmts
from gateway.store.sqlite_db import SqliteDb, fetch_all, run_statements, sqlite_sql
from gateway.store.whitelist import DECIDE

__all__ = ["SqliteWhitelistQueries"]


def _submitted(
    db: sqlite3.Connection, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None
) -> None:
    run_statements(db, answer_stmts(answer))
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
        db.execute(sqlite_sql(DECIDE), (event["status"], reason, event["received_at"], carrier_sid))
    if pending:
        db.execute(
            "UPDATE carrier_events SET applied = 1 WHERE carrier_sid = ?"
            " AND kind = 'whitelist' AND applied = 0",
            (carrier_sid,),
        )


class SqliteWhitelistQueries(SqliteDb):
    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None:
        """Write the carrier's sid, then apply a decision that overtook the submission's
        answer (stored by `record_whitelist_decision` with applied = 0)."""
        await self._run(lambda db: _submitted(db, request_id, carrier_sid, now, answer))
