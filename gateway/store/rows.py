"""Rows -> records for lead and contact reads: the same for every dialect (a row is anything
indexable by column name: sqlite3.Row, asyncpg.Record)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gateway.models import Contact, ContactPhone, Lead

__all__ = ["contacts_from_rows", "leads_from_rows"]


def contacts_from_rows(rows: Iterable[Any]) -> list[Contact]:
    """Contacts from rows of contact columns joined with their phones (phone, phone_type,
    outbound_sms_blocked; NULL phone for a contact without any), in the rows' order."""
    phones: dict[str, list[ContactPhone]] = defaultdict(list)
    firsts: dict[str, Any] = {}
    for row in rows:
        firsts.setdefault(row["id"], row)
        if row["phone"] is not None:
            phones[row["id"]].append(ContactPhone(row["phone"], row["phone_type"],
                                                  bool(row["outbound_sms_blocked"])))
    return [
        Contact(row["id"], row["organization_id"], row["lead_id"], row["name"], row["title"],
                tuple(phones[row["id"]]), row["date_created"], row["date_updated"])
        for row in firsts.values()
    ]


def leads_from_rows(rows: Iterable[Any], contacts: Iterable[Contact]) -> list[Lead]:
    by_lead: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        by_lead[contact.lead_id].append(contact)
    return [
        Lead(row["id"], row["organization_id"], row["name"], row["description"],
             tuple(by_lead[row["id"]]), row["date_created"], row["date_updated"])
        for row in rows
    ]
