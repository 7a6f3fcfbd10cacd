"""Carrier intake in SQLite: status callbacks and inbound messages, each one writer op."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from gateway.core.models import InboundSms, Lead, Sms, StatusEvent
from gateway.store.rows import inbound_suppression
from gateway.store.sqlite_db import fetch_one
from gateway.store.sqlite_leads import write_contact
from gateway.store.sqlite_sms import SmsQueries, insert_sms_row, move_forward
from gateway.store.sqlite_suppressions import add_suppression, clear_suppression
from telecom.keywords import Keyword, normalized

__all__ = ["IntakeQueries"]


def _record_status(db: sqlite3.Connection, event: StatusEvent) -> bool:
    """Store the raw event; move its message forward if we know the sid yet. `applied`
    records whether we did: if not, `record_accepted` replays the event once it writes the
    sid (the writer runs one op at a time, so one of the two always sees the other)."""
    known = fetch_one(db, "SELECT 1 FROM sms WHERE carrier_sid = ?", (event.carrier_sid,))
    db.execute(
        "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
        " received_at, applied) VALUES ('status', ?, ?, ?, ?, ?, ?)",
        (
            event.carrier_sid,
            event.status,
            event.error_code,
            json.dumps(event.payload),
            event.received_at,
            int(known is not None),
        ),
    )
    if known is None:
        return False
    move_forward(db, event.carrier_sid, [(event.status, event.error_code)], event.received_at)
    return True


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
    owner = fetch_one(
        db,
        "SELECT c.id, c.lead_id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id"
        " WHERE p.organization_id = ? AND p.phone = ? ORDER BY p.rowid LIMIT 1",
        (org_id, message.from_phone),
    )
    if owner is not None:
        lead_id, contact_id = owner["lead_id"], owner["id"]
    else:
        db.execute(
            "INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?)",
            (
                new_lead.id,
                org_id,
                new_lead.name,
                new_lead.description,
                new_lead.date_created,
                new_lead.date_updated,
            ),
        )
        for contact in new_lead.contacts:
            write_contact(db, contact)
        lead_id = new_lead.id
        contact_id = new_lead.contacts[0].id if new_lead.contacts else None
    insert_sms_row(db, dataclasses.replace(sms, lead_id=lead_id, contact_id=contact_id))
    if reply is not None:  # after the inbound: it sorts as the newer of the two
        insert_sms_row(db, dataclasses.replace(reply, lead_id=lead_id, contact_id=contact_id))
    if keyword is Keyword.OPT_OUT:
        add_suppression(db, inbound_suppression(org_id, message))
    elif keyword is Keyword.OPT_IN:
        clear_suppression(
            db,
            org_id,
            message.from_phone,
            "recipient",
            normalized(message.body),
            message.received_at,
        )
    db.execute(
        "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
        " received_at, applied) VALUES ('inbound', ?, 'received', NULL, ?, ?, 1)",
        (message.carrier_sid, json.dumps(message.payload), message.received_at),
    )
    return sms.id


class IntakeQueries(SmsQueries):
    async def record_status(self, event: StatusEvent) -> bool:
        return await self._run(lambda db: _record_status(db, event))

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
        return await self._run(
            lambda db: _record_inbound(db, message, sms, new_lead, keyword, reply)
        )
