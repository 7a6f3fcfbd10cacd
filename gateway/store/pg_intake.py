"""Carrier intake in PostgreSQL: status callbacks and inbound messages.

Why this differs from SQLite (sqlite_intake): several processes take webhooks at once, so each
intake takes the advisory locks that make "is the sid known?" and "is the sender known?" hold
until it commits. The statements written are the shared ones (gateway.store.intake).
"""

from __future__ import annotations

import asyncpg

from gateway.core.models import InboundSms, Lead, Sms, StatusEvent
from gateway.search.compile import POSTGRESQL
from gateway.store.intake import inbound_stmts, owner_sql, status_event_stmt
from gateway.store.pg_db import run_statements
from gateway.store.pg_sms import PgSmsQueries, lock_sid, move_forward
from telecom.keywords import Keyword

__all__ = ["PgIntakeQueries"]


async def lock_sender(db: asyncpg.Connection, org_id: str, phone: str) -> None:
    """Serialise, until the transaction ends, the inbound intake of one sender's texts to one
    organization. Taken after the sid's lock, in that order only, so intakes cannot deadlock."""
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtext('inbound:' || $1 || ':' || $2))", org_id, phone
    )


class PgIntakeQueries(PgSmsQueries):
    async def record_status(self, event: StatusEvent) -> tuple[str, str | None] | None:
        """Store the raw event and move its message forward if we know the sid yet; if not,
        `record_accepted` replays the event (applied = false) once it writes the sid. Both
        hold the sid's lock, so one of them always sees the other's work."""
        async with self._tx() as db:
            await lock_sid(db, event.carrier_sid)
            known = await self.locked_outcome(db, event.carrier_sid)
            await run_statements(db, [status_event_stmt(event, known is not None)])
            if known is None:
                return None
            sms_id, outcome, date_sent = known
            await move_forward(
                db, sms_id, outcome, [(event.status, event.error_code)], event.received_at
            )
            return (sms_id, date_sent)

    async def record_inbound(
        self,
        message: InboundSms,
        sms: Sms,
        new_lead: Lead,
        keyword: Keyword | None,
        reply: Sms | None = None,
    ) -> str:
        async with self._tx() as db:
            # a webhook retried onto another process meanwhile waits here, then sees ours
            await lock_sid(db, message.carrier_sid)
            existing = await self._one(
                "SELECT id FROM sms WHERE carrier_sid = $1", (message.carrier_sid,), db
            )
            if existing is not None:
                return str(existing[0])  # the carrier retried a webhook we already stored
            org_id = sms.organization_id
            # two quick texts from a new sender, taken on two connections, must not both
            # find no owner and each create a lead: one intake per sender at a time
            await lock_sender(db, org_id, message.from_phone)
            owner = await self._one(owner_sql(POSTGRESQL), (org_id, message.from_phone), db)
            await run_statements(
                db, inbound_stmts(message, sms, new_lead, keyword, reply, owner, POSTGRESQL)
            )
            return sms.id
