"""Gateway records for tests that write straight into a store: each builder gives a valid
record (organization orga_a, its number +14155550100 texting +14155550199, at T0) and takes
keyword overrides, by field name, for what a test is about. Through the API instead:
tests/gateway/harness.py."""

from __future__ import annotations

import dataclasses
from typing import Any

from gateway.core.models import Lead, Organization, PhoneNumber, Sms
from gateway.core.whitelist import WhitelistRequest
from gateway.store import Store

__all__ = [
    "DAY1",
    "DAY2",
    "DAY3",
    "LATER",
    "T0",
    "T1",
    "T9",
    "create_org",
    "make_lead",
    "make_number",
    "make_request",
    "make_sms",
    "mixed_usage",
]

T0 = "2026-01-01T00:00:00.000000+00:00"
T1 = "2026-01-01T00:00:01.000000+00:00"
T9 = "2026-01-01T00:00:09.000000+00:00"


async def create_org(
    store: Store,
    org_id: str = "orga_a",
    *,
    name: str | None = None,
    key_hash: str | None = None,
    created: str = T0,
) -> str:
    """The organization, named as its id and keyed by `hash-<id>` unless told otherwise."""
    await store.create_organization(
        Organization(org_id, org_id if name is None else name, created),
        f"hash-{org_id}" if key_hash is None else key_hash,
    )
    return org_id


def make_sms(sms_id: str = "acti_1", org: str = "orga_a", **fields: Any) -> Sms:
    """An outbound SMS in the outbox, due since T0: what the dispatcher's round picks up."""
    base: dict[str, Any] = dict(
        id=sms_id,
        organization_id=org,
        lead_id=None,
        contact_id=None,
        direction="outbound",
        status="outbox",
        text="hi",
        local_phone="+14155550100",
        remote_phone="+14155550199",
        date_created=T0,
        date_updated=T0,
        due_at=T0,
        due_since=T0,
    )
    return Sms(**(base | fields))


def make_number(
    number_id: str = "phon_1", org: str = "orga_a", number: str = "+14155550100", **fields: Any
) -> PhoneNumber:
    """A rented internal US number that texts the US and Canada."""
    rented = PhoneNumber(
        number_id, org, number, None, "internal", "US", True, ("CA", "US"), "PN" + number_id, T0, T0
    )
    return dataclasses.replace(rented, **fields)


def make_lead(lead_id: str = "lead_1", org: str = "orga_a", **fields: Any) -> Lead:
    """A lead without contacts, created at T0."""
    lead = Lead(lead_id, org, None, None, (), T0, T0)
    return dataclasses.replace(lead, **fields)


def make_request(request_id: str = "smswl_1", **fields: Any) -> WhitelistRequest:
    """A whitelist request for phon_1, submitted at T1."""
    base: dict[str, Any] = dict(
        id=request_id,
        organization_id="orga_a",
        phone_number_id="phon_1",
        phone_number="+14155550100",
        website="https://acme.example.com",
        content_type="marketing",
        examples=("Sale!", "20% off"),
        opted_in=True,
        relationship="customers",
        status="submitted",
        date_created=T1,
        date_updated=T1,
    )
    return WhitelistRequest(**(base | fields))


DAY1 = "2026-11-01T23:30:00.000000+00:00"  # 2026-11-02 00:30 at UTC+1
DAY2 = "2026-11-02T10:00:00.000000+00:00"
DAY3 = "2026-11-03T10:00:00.000000+00:00"
LATER = "2026-12-01T00:00:00.000000+00:00"


def mixed_usage() -> list[Sms]:
    """Several countries, both directions, three days, failures of every kind."""
    out = dict(status="sent", due_at=None, delivery_status="delivered")
    return [
        make_sms("acti_us1", carrier_sid="SM1", date_sent=DAY1, cost="0.83", **out),
        make_sms("acti_us2", carrier_sid="SM2", date_sent=DAY2, cost="1.66", segments=2, **out),
        make_sms(
            "acti_ca",
            remote_phone="+16135550100",
            carrier_sid="SM3",
            date_sent=DAY2,
            cost="0.83",
            **out,
        ),
        make_sms(
            "acti_gb",
            local_phone="+447400100000",
            remote_phone="+447400100001",
            carrier_sid="SM4",
            date_sent=DAY3,
            cost="4.6",
            **out,
        ),
        # accepted, then filtered as spam: the carrier took it, so it is billed
        make_sms(
            "acti_spam",
            carrier_sid="SM5",
            date_sent=DAY3,
            cost="0.83",
            status="error",
            delivery_status="undelivered",
            error_reason="spam",
            due_at=None,
        ),
        # inbound: priced in the receiving number's country
        make_sms(
            "acti_in1",
            direction="inbound",
            status="inbox",
            carrier_sid="SM6",
            date_created=DAY1,
            cost="0.83",
            due_at=None,
        ),
        make_sms(
            "acti_in2",
            direction="inbound",
            status="inbox",
            local_phone="+447400100000",
            remote_phone="+14155550199",
            carrier_sid="SM7",
            date_created=DAY3,
            cost="0.83",
            due_at=None,
        ),
        # refused before the carrier, logged through the API, pending, or out of range
        make_sms("acti_local", status="error", error_reason="unsupported_country", due_at=None),
        make_sms("acti_logged", status="sent", cost="0.83", date_created=DAY2, due_at=None),
        make_sms("acti_draft", status="draft", cost="0.83", date_created=DAY2, due_at=None),
        make_sms("acti_late", carrier_sid="SM8", date_sent=LATER, cost="0.83", **out),
    ]
