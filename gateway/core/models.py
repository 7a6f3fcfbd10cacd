"""The gateway's records as frozen dataclasses: what the store returns and the API renders."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Contact",
    "ContactPhone",
    "DueSms",
    "InboundSms",
    "Lead",
    "Organization",
    "PhoneNumber",
    "Sms",
    "SmsQuery",
    "StatusEvent",
    "Suppression",
    "SuppressionClearing",
]


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    date_created: str


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    id: str
    organization_id: str
    number: str
    label: str | None
    type: str  # internal | external
    country: str | None
    sms_enabled: bool
    supports_sms_to_countries: tuple[str, ...]
    carrier_sid: str | None
    date_created: str
    date_updated: str


@dataclass(frozen=True, slots=True)
class ContactPhone:
    phone: str  # E.164
    type: str = "office"
    # read-only: whether the organization's suppression list has this phone (never written)
    outbound_sms_blocked: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    organization_id: str
    lead_id: str
    name: str | None
    title: str | None
    phones: tuple[ContactPhone, ...]
    date_created: str
    date_updated: str


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    organization_id: str
    name: str | None
    description: str | None
    contacts: tuple[Contact, ...]
    date_created: str
    date_updated: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Sms:
    id: str
    organization_id: str
    lead_id: str | None
    contact_id: str | None
    direction: str  # outbound | inbound
    status: str  # draft | scheduled | outbox | sent | error | inbox
    text: str
    local_phone: str | None
    remote_phone: str | None
    date_created: str
    date_updated: str
    source: str = "Close.io"
    user_id: str | None = None
    activity_at: str | None = None
    date_scheduled: str | None = None
    date_sent: str | None = None
    due_at: str | None = None  # set while the dispatcher owes it to the carrier
    due_since: str | None = None  # when it first became due: the age that ends in `expired`
    attempts: int = 0
    segments: int = 1
    encoding: str = "GSM-7"
    cost: str | None = None
    delivery_status: str | None = None
    error_code: int | None = None
    error_reason: str | None = None
    error_message: str | None = None
    carrier_sid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsQuery:
    organization_id: str
    ids: tuple[str, ...] = ()
    lead_ids: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    created_gte: str | None = None
    created_gt: str | None = None
    created_lte: str | None = None
    created_lt: str | None = None
    skip: int = 0
    limit: int = 100


@dataclass(frozen=True, slots=True)
class DueSms:
    """What the dispatcher needs to hand one message to the carrier."""

    id: str
    organization_id: str
    local_phone: str
    remote_phone: str
    text: str
    due_since: str
    attempts: int
    blocked: bool  # the recipient is suppressed (opted out since the message was accepted)
    rented: bool = True  # its organization still rents the sending number
    segments: int = 1  # the sender's send slots it takes (gateway.core.pacing)
    # set when a dispatcher claimed it before: an earlier create may have reached the carrier
    first_claimed_at: str | None = None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    carrier_sid: str
    status: str
    error_code: int | None
    received_at: str
    payload: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InboundSms:
    carrier_sid: str
    from_phone: str  # E.164
    to_phone: str  # E.164: one of our rented numbers
    body: str
    segments: int
    encoding: str
    received_at: str
    payload: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A recipient who opted out of an organization's messages: nothing is sent to `phone`
    until the same phone opts in again or an operator clears it (a SuppressionClearing)."""

    organization_id: str
    phone: str  # E.164
    keyword: str  # the word the recipient sent (STOP, UNSUBSCRIBE, ...) or "21610" (the carrier)
    local_phone: str | None  # our number it was sent to
    date_created: str


@dataclass(frozen=True, slots=True)
class SuppressionClearing:
    """A suppression that ended: by the recipient's opt-in keyword (`cleared_by` "recipient",
    `why` the word) or by an operator (`cleared_by` the operator's name, `why` their reason)."""

    suppression: Suppression
    cleared_by: str
    why: str
    date_cleared: str
