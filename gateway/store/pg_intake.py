"""Carrier intake in PostgreSQL: status callbacks and inbound messages."""

from __future__ import annotations

import dataclasses
import json

import asyncpg

from gateway.core.models import InboundSms, Lead, Sms, StatusEvent
from gateway.store.pg_leads import insert_lead_row, write_contact
from gateway.store.pg_sms import PgSmsQueries, insert_sms_row, lock_sid, move_forward
from gateway.store.pg_suppressions import add_suppression, clear_suppression
from gateway.store.rows import inbound_suppression
from telecom.keywords import Keyword, normalized

__all__ = ["PgIntakeQueries"]


async def lock_sender(db: asyncpg.Connection, org_id: str, phone: str) -> None:
    """Serialise, until the transaction ends, the inbound intake of one sender's texts to one
    organization. Taken after the sid's lock, in that order only, so intakes cannot deadlock."""
    await db.execute(
        "SELECT pg_advisory_xact_lock(hashtext('inbound:' || $1 || ':' || $2))", org_id, phone
    )


class PgIntakeQueries(PgSmsQueries):
    async def record_status(self, event: StatusEvent) -> bool:
        """Store the raw event and move its message forward if we know the sid yet; if not,
        `record_accepted` replays the event (applied = false) once it writes the sid. Both
        hold the sid's lock, so one of them always sees the other's work."""
        async with self._tx() as db:
            await lock_sid(db, event.carrier_sid)
            known = await self.locked_outcome(db, event.carrier_sid)
            await db.execute(
                "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
                " received_at, applied) VALUES ('status', $1, $2, $3, $4, $5, $6)",
                event.carrier_sid,
                event.status,
                event.error_code,
                json.dumps(event.payload),
                event.received_at,
                known is not None,
            )
            if known is None:
                return False
            await move_forward(db, *known, [(event.status, event.error_code)], event.received_at)
            return True

    async def record_inbound(
        self,
        message: InboundSms,
        sms: Sms,
        new_lead: Lead,
        keyword: Keyword | None,
        reply: Sms | None = None,
    ) -> str:
        """Store `sms` (and the carrier's automatic `reply`) on the lead whose contact has the
        sender's phone in its organization, else on `new_lead` (inserted here); apply the
        opt-out/in keyword to the suppression list. Idempotent by sid."""
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
            owner = await self._one(
                "SELECT c.id, c.lead_id FROM contact_phones p"
                " JOIN contacts c ON c.id = p.contact_id"
                " WHERE p.organization_id = $1 AND p.phone = $2 ORDER BY p.seq LIMIT 1",
                (org_id, message.from_phone),
                db,
            )
            if owner is not None:
                lead_id, contact_id = owner["lead_id"], owner["id"]
            else:
                await insert_lead_row(db, dataclasses.replace(new_lead, organization_id=org_id))
                for contact in new_lead.contacts:
                    await write_contact(db, contact)
                lead_id = new_lead.id
                contact_id = new_lead.contacts[0].id if new_lead.contacts else None
            await insert_sms_row(
                db, dataclasses.replace(sms, lead_id=lead_id, contact_id=contact_id)
            )
            if reply is not None:  # after the inbound: it sorts as the newer of the two
                await insert_sms_row(
                    db, dataclasses.replace(reply, lead_id=lead_id, contact_id=contact_id)
                )
            if keyword is Keyword.OPT_OUT:
                await add_suppression(db, inbound_suppression(org_id, message))
            elif keyword is Keyword.OPT_IN:
                await clear_suppression(
                    db,
                    org_id,
                    message.from_phone,
                    "recipient",
                    normalized(message.body),
                    message.received_at,
                )
            await db.execute(
                "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
                " received_at, applied) VALUES ('inbound', $1, 'received', NULL, $2, $3, TRUE)",
                message.carrier_sid,
                json.dumps(message.payload),
                message.received_at,
            )
            return sms.id
