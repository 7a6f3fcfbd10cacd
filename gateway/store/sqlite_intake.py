"""Carrier intake in SQLite: status callbacks and inbound messages."""

from __future__ import annotations

import dataclasses
import json

from gateway.keywords import Keyword
from gateway.lifecycle import Outcome
from gateway.models import InboundSms, Lead, Sms, StatusEvent
from gateway.store.sqlite_leads import LeadQueries
from gateway.store.sqlite_sms import SmsQueries, insert_sms_row

__all__ = ["IntakeQueries"]


class IntakeQueries(SmsQueries):
    async def record_status(self, event: StatusEvent) -> bool:
        """Store the raw event, then move its message forward if we know the sid yet.

        `applied` records whether the message had its sid when the event was stored: if
        not, `record_accepted` replays the event once it writes the sid. Both sides write
        before they read, so whichever comes second sees the other.
        """
        # one statement stores the event and reads the message's state as of that moment
        stored = await self._write(
            "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
            " received_at, applied) SELECT 'status', ?, ?, ?, ?, ?,"
            " EXISTS (SELECT 1 FROM sms WHERE carrier_sid = ?)"
            " RETURNING (SELECT json_array(id, status, delivery_status, error_code, error_reason,"
            "  error_message) FROM sms WHERE carrier_sid = ?)",
            (event.carrier_sid, event.status, event.error_code, json.dumps(event.payload),
             event.received_at, event.carrier_sid, event.carrier_sid),
        )
        state = stored[0][0]
        if state is None:
            return False
        sms_id, *outcome = json.loads(state)
        await self.move_forward(event.carrier_sid, [(event.status, event.error_code)],
                                event.received_at, known=(sms_id, Outcome(*outcome)))
        return True

    async def record_inbound(
        self, message: InboundSms, sms: Sms, new_lead: Lead, keyword: Keyword | None
    ) -> str:
        """Store `sms` on the lead whose contact has the sender's phone in its organization,
        else on `new_lead` (inserted here); apply the opt-out/in keyword. Idempotent by sid."""
        async with self._tx() as db:
            existing = await self._one("SELECT id FROM sms WHERE carrier_sid = ?",
                                       (message.carrier_sid,), db)
            if existing is not None:
                return str(existing[0])  # the carrier retried a webhook we already stored
            org_id = sms.organization_id
            owner = await self._one(
                "SELECT c.id, c.lead_id FROM contact_phones p"
                " JOIN contacts c ON c.id = p.contact_id"
                " WHERE p.organization_id = ? AND p.phone = ? ORDER BY p.rowid LIMIT 1",
                (org_id, message.from_phone), db,
            )
            if owner is not None:
                lead_id, contact_id = owner["lead_id"], owner["id"]
            else:
                await db.execute(
                    "INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?)",
                    (new_lead.id, org_id, new_lead.name, new_lead.description,
                     new_lead.date_created, new_lead.date_updated),
                )
                for contact in new_lead.contacts:
                    await LeadQueries._write_contact(db, contact)
                lead_id = new_lead.id
                contact_id = new_lead.contacts[0].id if new_lead.contacts else None
            await insert_sms_row(db, dataclasses.replace(sms, lead_id=lead_id,
                                                         contact_id=contact_id))
            if keyword is not None:
                await db.execute(
                    "UPDATE contact_phones SET outbound_sms_blocked = ?"
                    " WHERE organization_id = ? AND phone = ?",
                    (int(keyword is Keyword.OPT_OUT), org_id, message.from_phone),
                )
            await db.execute(
                "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
                " received_at, applied) VALUES ('inbound', ?, 'received', NULL, ?, ?, 1)",
                (message.carrier_sid, json.dumps(message.payload), message.received_at),
            )
            return sms.id
