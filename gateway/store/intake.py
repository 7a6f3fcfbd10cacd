"""The statements carrier intake writes, the same on both backends; when they run (the
locks, the reads that decide) differs: sqlite_intake, pg_intake."""

from __future__ import annotations

import dataclasses
import json

from gateway.core.models import InboundSms, Lead, Sms, StatusEvent
from gateway.search.compile import Dialect
from gateway.store.db import Row, Stmt
from gateway.store.leads import lead_stmts
from gateway.store.rows import inbound_suppression
from gateway.store.sms import insert_sms_stmt
from gateway.store.suppressions import add_stmt, clear_stmts
from telecom.keywords import Keyword, normalized

__all__ = ["inbound_stmts", "owner_sql", "status_event_stmt"]


def owner_sql(dialect: Dialect) -> str:
    """The first contact (id, lead_id) with phone $2 in organization $1."""
    return (
        "SELECT c.id, c.lead_id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id"
        f" WHERE p.organization_id = $1 AND p.phone = $2 ORDER BY p.{dialect.sequence} LIMIT 1"
    )


def status_event_stmt(event: StatusEvent, applied: bool) -> Stmt:
    """The raw status callback; `applied`: its message was moved forward by it already (if
    not, record_accepted replays it once it writes the sid)."""
    return Stmt(
        "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
        " received_at, applied) VALUES ('status', $1, $2, $3, $4, $5, $6)",
        (
            event.carrier_sid,
            event.status,
            event.error_code,
            json.dumps(event.payload),
            event.received_at,
            applied,
        ),
    )


def inbound_stmts(
    message: InboundSms,
    sms: Sms,
    new_lead: Lead,
    keyword: Keyword | None,
    reply: Sms | None,
    owner: Row | None,
    dialect: Dialect,
) -> list[Stmt]:
    """Store `sms` and `reply` on `owner`'s lead (the contact with the sender's phone: id,
    lead_id), else on `new_lead`, inserted; apply the keyword; keep the raw webhook."""
    org_id = sms.organization_id
    stmts: list[Stmt] = []
    if owner is not None:
        lead_id, contact_id = owner["lead_id"], owner["id"]
    else:
        stmts += lead_stmts(dataclasses.replace(new_lead, organization_id=org_id))
        lead_id = new_lead.id
        contact_id = new_lead.contacts[0].id if new_lead.contacts else None
    stmts.append(insert_sms_stmt(dataclasses.replace(sms, lead_id=lead_id, contact_id=contact_id)))
    if reply is not None:  # after the inbound: it sorts as the newer of the two
        stmts.append(
            insert_sms_stmt(dataclasses.replace(reply, lead_id=lead_id, contact_id=contact_id))
        )
    if keyword is Keyword.OPT_OUT:
        stmts.append(add_stmt(inbound_suppression(org_id, message)))
    elif keyword is Keyword.OPT_IN:
        stmts += clear_stmts(
            dialect,
            org_id,
            message.from_phone,
            "recipient",
            normalized(message.body),
            message.received_at,
        )
    stmts.append(
        Stmt(
            "INSERT INTO carrier_events (kind, carrier_sid, status, error_code, payload,"
            " received_at, applied) VALUES ('inbound', $1, 'received', NULL, $2, $3, TRUE)",
            (message.carrier_sid, json.dumps(message.payload), message.received_at),
        )
    )
    return stmts
