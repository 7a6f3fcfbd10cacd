"""Pure rules for SMS activities: statuses, text, send delay, and whether we may send at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.core.models import DueSms, PhoneNumber
from telecom import Reason

__all__ = [
    "CREATE_STATUSES",
    "EDIT_STATUSES",
    "MAX_SEND_IN",
    "MAX_TEXT",
    "SENDING_STATUSES",
    "check_send_in",
    "check_text",
    "dispatch_blocker",
    "local_phone_problem",
    "send_blocker",
]

CREATE_STATUSES = ("draft", "scheduled", "outbox", "sent", "inbox")
EDIT_STATUSES = ("draft", "scheduled", "outbox")  # what a draft may become
SENDING_STATUSES = frozenset({"scheduled", "outbox"})
MAX_TEXT = 1000  # Close's composer limit
MAX_SEND_IN = 60  # seconds; Close's undo window is "less than 60"


def check_text(value: Any, required: bool) -> str | None:
    """Why `value` is not an acceptable SMS text, or None."""
    if value is None:
        return "This field is required." if required else None
    if not isinstance(value, str):
        return "Must be a string."
    if not value.strip() and required:
        return "The text of an SMS cannot be empty."
    if len(value) > MAX_TEXT:
        return f"The text of an SMS is at most {MAX_TEXT} characters (got {len(value)})."
    return None


def check_send_in(value: Any) -> tuple[float, str | None]:
    if value is None:
        return 0.0, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0, "Must be a number of seconds."
    if not 0 <= value < MAX_SEND_IN:
        return 0.0, f"Must be at least 0 and less than {MAX_SEND_IN} seconds."
    return float(value), None


def local_phone_problem(number: PhoneNumber | None) -> str | None:
    """Why this number cannot send SMS for the organization, or None."""
    if number is None:
        return "This is not a phone number of your organization."
    if number.type != "internal":
        return "External numbers cannot send SMS; use a number rented through the gateway."
    if not number.sms_enabled:
        return "This phone number is not SMS-enabled."
    return None


def send_blocker(number: PhoneNumber, remote_country: str | None, opted_out: bool) -> Reason | None:
    """A reason to fail the message without a carrier call, or None to send it."""
    if remote_country not in number.supports_sms_to_countries:
        return Reason.UNSUPPORTED_COUNTRY
    if opted_out:
        return Reason.OPTED_OUT
    return None


def dispatch_blocker(message: DueSms, now: datetime, max_age: float) -> Reason | None:
    """A reason to end a claimed message without a carrier call, or None to send it: what
    changed since it was accepted (the number released, the recipient opted out, too long a
    wait behind downtime or an open breaker)."""
    if not message.rented:
        return Reason.NUMBER_RELEASED
    if message.blocked:
        return Reason.OPTED_OUT
    if (now - datetime.fromisoformat(message.due_since)).total_seconds() > max_age:
        return Reason.EXPIRED
    return None
