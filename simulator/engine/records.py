"""The carrier's mutable records and the timed events the shell schedules for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.engine.fate import Fate

__all__ = [
    "CallbackPost",
    "Event",
    "HandsetReply",
    "MessageRecord",
    "NumberRecord",
    "Release",
    "StatusChange",
    "WhitelistRecord",
    "WhitelistVerdict",
]

FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled", "received"})


@dataclass(slots=True)
class NumberRecord:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    country: str
    sms: bool
    created_at: float
    updated_at: float
    sms_url: str = ""
    sms_method: str = "POST"
    status_callback: str = ""
    whitelisted: bool = False


@dataclass(slots=True)
class MessageRecord:
    sid: str
    account_sid: str
    from_: str | None
    to: str
    body: str
    direction: str
    status: str
    created_at: float
    updated_at: float
    num_segments: int
    status_callback: str = ""
    messaging_service_sid: str | None = None
    idempotency_key: str | None = None
    send_at: float | None = None
    sent_at: float | None = None
    error_code: int | None = None
    price: str | None = None
    fate: Fate | None = None
    create_calls: int = 1  # creates answered with this message (idempotent repeats included)
    callbacks: list[tuple[str, int | None]] = field(default_factory=list)  # posted, in order

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(slots=True)
class WhitelistRecord:
    sid: str
    account_sid: str
    phone_number: str
    website: str
    content_type: str
    examples: tuple[str, ...]
    opted_in: bool
    relationship: str
    status_callback: str
    status: str
    created_at: float
    updated_at: float
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: float
    sid: str
    status: str
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class CallbackPost:
    at: float
    sid: str
    status: str
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """A scheduled message reaches its SendAt and joins the sender's queue."""

    at: float
    sid: str


@dataclass(frozen=True, slots=True)
class HandsetReply:
    at: float
    from_: str
    to: str
    body: str


@dataclass(frozen=True, slots=True)
class WhitelistVerdict:
    at: float
    sid: str
    status: str  # approved or rejected
    reason: str | None = None


Event = StatusChange | CallbackPost | Release | HandsetReply | WhitelistVerdict
