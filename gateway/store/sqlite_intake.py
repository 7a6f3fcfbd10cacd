"""Carrier intake in SQLite: status callbacks and inbound messages, each one writer op.

Why this differs from PostgreSQL (pg_intake): the one writer runs one op at a time, so reading
whether the sid or the sender is known and writing on that answer needs no lock. The
statements written are the shared ones (gateway.store.leads, sms, suppressions).
"""

from __future__ import annotations

import sqlite3

from gateway.core.models import InboundSms, Lead, Sms, StatusEvent
from gateway.search.compile import SQLITE
from gateway.store.intake import inbound_stmts, owner_sql, status_event_stmt
from gateway.store.sqlite_db import fetch_one, run_statements
from gateway.store.sqlite_sms import SqliteSmsQueries, move_forward
from telecom.keywords import Keyword

__all__ = ["SqliteIntakeQueries"]


def _record_status(db: sqlite3.Connection, event: StatusEvent) -> tuple[str, str | None] | None:
    """Store the raw event; move its message forward if we know the sid yet. `applied`
    records whether we did: if not, `record_accepted` replays the event once it writes the
    sid (the writer runs one op at a time, so one of the two always sees the other)."""
    known = fetch_one(
        db, "SELECT id, date_sent FROM sms WHERE carrier_sid = ?", (event.carrier_sid,)
    )
    run_statements(db, [status_event_stmt(event, known is not None)])
    if known is None:
        return None
    move_forward(db, event.carrier_sid, [(event.status, event.error_code)], event.received_at)
    return (known[0], known[1])


def _record_inbound(
    db: sqlite3.Connection,
    message: InboundSms,
    sms: Sms,
    new_lead: Lead,
    keyword: Keyword | None,
    reply: Sms | None,
) -> str:
    existing = fetch_one(db, "SELECT id FROM sms WHERE carrier_sid = ?", (message.carrier_sid,))
    if existing is not None:
        return str(existing[0])  # the carrier retried a webhook we already stored
    org_id = sms.organization_id
    # no lock for the sender, unlike PostgreSQL: the one writer runs one op at a time, so a
    # second text from a new sender finds the lead the first one created
    owner = fetch_one(db, owner_sql(SQLITE), (org_id, message.from_phone))
    run_statements(db, inbound_stmts(message, sms, new_lead, keyword, reply, owner, SQLITE))
    return sms.id


class SqliteIntakeQueries(SqliteSmsQueries):
    async def record_status(self, event: StatusEvent) -> tuple[str, str | None] | None:
        return await self._run(lambda db: _record_status(db, event))

    async def record_inbound(
        self,
        message: InboundSms,
        sms: Sms,
        new_lead: Lead,
        keyword: Keyword | None,
        reply: Sms | None = None,
    ) -> str:
        return await self._run(
            lambda db: _record_inbound(db, message, sms, new_lead, keyword, reply)
        )
