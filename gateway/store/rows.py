"""Rows -> records: the same for every dialect (a row is anything indexable by column name:
sqlite3.Row, asyncpg.Record), with the column lists both stores select."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gateway.core.lifecycle import Outcome
from gateway.core.models import (
    Contact,
    ContactPhone,
    DueSms,
    InboundSms,
    Lead,
    PhoneNumber,
    Sms,
    Suppression,
    SuppressionClearing,
)
from gateway.core.pricing import priced_country
from gateway.core.whitelist import WhitelistRequest
from telecom.keywords import normalized

__all__ = [
    "CLEARING_COLUMNS",
    "NUMBER_COLUMNS",
    "SMS_FIELDS",
    "SMS_UPDATABLE",
    "SMS_WRITTEN",
    "SUPPRESSION_COLUMNS",
    "WHITELIST_COLUMNS",
    "clearing_from_row",
    "contacts_from_rows",
    "due_from_row",
    "inbound_suppression",
    "leads_from_rows",
    "number_from_row",
    "outcome_of",
    "sms_from_row",
    "sms_values",
    "suppressed",
    "suppression_from_row",
    "whitelist_request_from_row",
]

SMS_FIELDS = tuple(f.name for f in dataclasses.fields(Sms))  # what a read selects
# What a write sets: the record's fields plus `country`, the country that priced it
# (gateway.core.pricing.priced_country), so that usage reports group in SQL (migration 011).
# It is derived from the record at every write, never read back nor set by callers, so it
# cannot disagree with the message's direction and phones.
SMS_WRITTEN = (*SMS_FIELDS, "country")
SMS_UPDATABLE = tuple(f for f in SMS_WRITTEN if f not in ("id", "organization_id", "date_created"))
NUMBER_COLUMNS = (
    "id, organization_id, number, label, type, country, sms_enabled, supports_sms_to_countries,"
    " carrier_sid, date_created, date_updated"
)
WHITELIST_COLUMNS = (
    "id, organization_id, phone_number_id, phone_number, website, content_type, examples,"
    " opted_in, relationship, status, reason, carrier_sid, date_created, date_updated,"
    " date_decided"
)

SUPPRESSION_COLUMNS = "organization_id, phone, keyword, local_phone, date_created"
CLEARING_COLUMNS = (
    "organization_id, phone, keyword, local_phone, date_suppressed, cleared_by, why, date_cleared"
)


def suppressed(org_column: str, phone_column: str) -> str:
    """SQL (either dialect) that is true when that organization's list has that phone."""
    return (
        f"EXISTS (SELECT 1 FROM suppressions AS sup WHERE sup.organization_id = {org_column}"
        f" AND sup.phone = {phone_column})"
    )


def sms_values(sms: Sms, columns: tuple[str, ...] = SMS_WRITTEN) -> tuple[Any, ...]:
    """The values of `columns` (SMS_WRITTEN or SMS_UPDATABLE) for writing `sms`."""
    # not dataclasses.astuple: it deep-copies every field, a visible cost per message
    country = priced_country(sms.direction, sms.local_phone, sms.remote_phone)
    return tuple(country if name == "country" else getattr(sms, name) for name in columns)


def sms_from_row(row: Any) -> Sms:
    return Sms(**{name: row[name] for name in SMS_FIELDS})


def due_from_row(row: Any) -> DueSms:
    """From the dispatcher's due_sms rows: the message's columns, `blocked` and `rented`."""
    return DueSms(
        row["id"],
        row["organization_id"],
        row["local_phone"],
        row["remote_phone"],
        row["text"],
        row["due_since"],
        row["attempts"],
        bool(row["blocked"]),
        bool(row["rented"]),
        row["segments"],
        row["first_claimed_at"],
    )


def outcome_of(row: Any) -> Outcome:
    return Outcome(
        row["status"],
        row["delivery_status"],
        row["error_code"],
        row["error_reason"],
        row["error_message"],
    )


def number_from_row(row: Any) -> PhoneNumber:
    return PhoneNumber(
        id=row["id"],
        organization_id=row["organization_id"],
        number=row["number"],
        label=row["label"],
        type=row["type"],
        country=row["country"],
        sms_enabled=bool(row["sms_enabled"]),
        supports_sms_to_countries=tuple(json.loads(row["supports_sms_to_countries"])),
        carrier_sid=row["carrier_sid"],
        date_created=row["date_created"],
        date_updated=row["date_updated"],
    )


def whitelist_request_from_row(row: Any) -> WhitelistRequest:
    return WhitelistRequest(
        id=row["id"],
        organization_id=row["organization_id"],
        phone_number_id=row["phone_number_id"],
        phone_number=row["phone_number"],
        website=row["website"],
        content_type=row["content_type"],
        examples=tuple(json.loads(row["examples"])),
        opted_in=bool(row["opted_in"]),
        relationship=row["relationship"],
        status=row["status"],
        reason=row["reason"],
        carrier_sid=row["carrier_sid"],
        date_created=row["date_created"],
        date_updated=row["date_updated"],
        date_decided=row["date_decided"],
    )


def suppression_from_row(row: Any) -> Suppression:
    return Suppression(
        row["organization_id"],
        row["phone"],
        row["keyword"],
        row["local_phone"],
        row["date_created"],
    )


def inbound_suppression(org_id: str, message: InboundSms) -> Suppression:
    """The list entry an opt-out keyword from `message` makes."""
    return Suppression(
        org_id, message.from_phone, normalized(message.body), message.to_phone, message.received_at
    )


def clearing_from_row(row: Any) -> SuppressionClearing:
    return SuppressionClearing(
        Suppression(
            row["organization_id"],
            row["phone"],
            row["keyword"],
            row["local_phone"],
            row["date_suppressed"],
        ),
        row["cleared_by"],
        row["why"],
        row["date_cleared"],
    )


def contacts_from_rows(rows: Iterable[Any]) -> list[Contact]:
    """Contacts from rows of contact columns joined with their phones (phone, phone_type,
    outbound_sms_blocked, computed from the suppression list; NULL phone for a contact without
    any), in the rows' order."""
    phones: dict[str, list[ContactPhone]] = defaultdict(list)
    firsts: dict[str, Any] = {}
    for row in rows:
        firsts.setdefault(row["id"], row)
        if row["phone"] is not None:
            phones[row["id"]].append(
                ContactPhone(row["phone"], row["phone_type"], bool(row["outbound_sms_blocked"]))
            )
    return [
        Contact(
            row["id"],
            row["organization_id"],
            row["lead_id"],
            row["name"],
            row["title"],
            tuple(phones[row["id"]]),
            row["date_created"],
            row["date_updated"],
        )
        for row in firsts.values()
    ]


def leads_from_rows(rows: Iterable[Any], contacts: Iterable[Contact]) -> list[Lead]:
    by_lead: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        by_lead[contact.lead_id].append(contact)
    return [
        Lead(
            row["id"],
            row["organization_id"],
            row["name"],
            row["description"],
            tuple(by_lead[row["id"]]),
            row["date_created"],
            row["date_updated"],
        )
        for row in rows
    ]
