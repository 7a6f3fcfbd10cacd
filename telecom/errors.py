"""The carrier error catalogue: Twilio code -> title, when it happens, and our stable reason.

Like httpx's status codes: data plus a few classifying lookups. Both sides read it: the simulator
to answer with the right code and title, the gateway to label failures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "CATALOGUE",
    "CarrierError",
    "Reason",
    "lookup",
    "reason_for",
    "reason_message",
]


class Reason(enum.StrEnum):
    """One stable word per kind of failure, as the gateway's `error_reason` shows it."""

    LANDLINE = "landline"
    UNSUPPORTED_COUNTRY = "unsupported_country"
    SPAM = "spam"
    UNREACHABLE = "unreachable"
    OPTED_OUT = "opted_out"
    INVALID_NUMBER = "invalid_number"
    EXPIRED = "expired"
    NUMBER_RELEASED = "number_released"
    UNKNOWN = "unknown"


_MESSAGES = {
    Reason.LANDLINE: "The recipient's phone number does not support SMS (for example a landline)",
    Reason.UNSUPPORTED_COUNTRY: "The recipient's phone number is in a country we don't send SMS to",
    Reason.SPAM: "The carrier identified this message as spam",
    Reason.UNREACHABLE: "The recipient's phone could not be reached (switched off or no signal)",
    Reason.OPTED_OUT: "The recipient has opted out of SMS from this number (replied STOP)",
    Reason.INVALID_NUMBER: "The recipient's phone number is not a valid phone number",
    Reason.EXPIRED: "The message could not be sent in time and expired",
    Reason.NUMBER_RELEASED: "The sending number was released before this message was sent",
    Reason.UNKNOWN: "The carrier reported an unknown error",
}


@dataclass(frozen=True, slots=True)
class CarrierError:
    code: int
    title: str
    reason: Reason
    at_create: bool  # answered synchronously (HTTP 4xx) rather than in a callback
    http_status: int = 400
    final_status: str = "undelivered"  # the message status when it happens after create


_ENTRIES = [
    CarrierError(20003, "Authenticate", Reason.UNKNOWN, True, 401),
    CarrierError(20404, "The requested resource was not found", Reason.UNKNOWN, True, 404),
    CarrierError(20429, "Too Many Requests", Reason.UNKNOWN, True, 429),
    CarrierError(21211, "Invalid 'To' Phone Number", Reason.INVALID_NUMBER, True),
    CarrierError(21212, "Invalid 'From' Number", Reason.UNKNOWN, True),
    CarrierError(
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number",
        Reason.UNSUPPORTED_COUNTRY,
        True,
    ),
    CarrierError(
        21606,
        "The 'From' phone number provided is not a valid message-capable Twilio phone number "
        "for this destination.",
        Reason.UNKNOWN,
        True,
    ),
    CarrierError(21610, "Attempt to send to unsubscribed recipient", Reason.OPTED_OUT, True),
    CarrierError(
        21611,
        "This 'From' number has exceeded the maximum number of queued messages",
        Reason.UNKNOWN,
        True,
    ),
    CarrierError(
        21612, "The 'To' phone number is not currently reachable via SMS", Reason.UNREACHABLE, True
    ),
    CarrierError(21614, "'To' number is not a valid mobile number", Reason.LANDLINE, True),
    CarrierError(
        21617,
        "The concatenated message body exceeds the 1600 character limit",
        Reason.UNKNOWN,
        True,
    ),
    CarrierError(21602, "Message body is required", Reason.UNKNOWN, True),
    CarrierError(21603, "A 'From' phone number is required", Reason.UNKNOWN, True),
    CarrierError(21604, "A 'To' phone number is required", Reason.INVALID_NUMBER, True),
    CarrierError(21421, "PhoneNumber is invalid", Reason.UNKNOWN, True),
    CarrierError(21422, "PhoneNumber is not available", Reason.UNKNOWN, True),
    CarrierError(21452, "No phone numbers found in area code", Reason.UNKNOWN, True),
    CarrierError(30001, "Queue overflow", Reason.EXPIRED, False, final_status="failed"),
    CarrierError(30002, "Account suspended", Reason.UNKNOWN, False, final_status="failed"),
    CarrierError(30003, "Unreachable destination handset", Reason.UNREACHABLE, False),
    CarrierError(30004, "Message blocked", Reason.SPAM, False),
    CarrierError(30005, "Unknown destination handset", Reason.INVALID_NUMBER, False),
    CarrierError(30006, "Landline or unreachable carrier", Reason.LANDLINE, False),
    CarrierError(30007, "Message filtered", Reason.SPAM, False),
    CarrierError(30008, "Unknown error", Reason.UNKNOWN, False),
    CarrierError(30036, "Validity Period Expired", Reason.EXPIRED, False, final_status="failed"),
]

CATALOGUE: dict[int, CarrierError] = {entry.code: entry for entry in _ENTRIES}


def lookup(code: int) -> CarrierError | None:
    return CATALOGUE.get(code)


def reason_for(code: int | None) -> Reason:
    """The stable reason for a carrier code; unknown codes are `Reason.UNKNOWN`."""
    entry = CATALOGUE.get(code) if code is not None else None
    return entry.reason if entry else Reason.UNKNOWN


def reason_message(reason: Reason) -> str:
    """The plain-words label a user sees for a reason."""
    return _MESSAGES[reason]
