"""The carrier error catalogue: Twilio code -> title, when it happens, our stable reason and
the plain words a user sees.

Like httpx's status codes: data plus a few classifying lookups. Both sides read it: the simulator
to answer with the right code and title, the gateway to label failures. Every code the
simulator answers is here (tests/telecom/test_errors.py holds it to that).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "CATALOGUE",
    "CarrierError",
    "Reason",
    "error_message",
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
    INVALID_SENDER = "invalid_sender"
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
    Reason.INVALID_SENDER: "The sending number is not an SMS-capable number of this account",
    Reason.EXPIRED: "The message could not be sent in time and expired",
    Reason.NUMBER_RELEASED: "The sending number was released before this message was sent",
    Reason.UNKNOWN: "The carrier reported an unknown error",
}


@dataclass(frozen=True, slots=True)
class CarrierError:
    code: int
    title: str  # Twilio's words, as the carrier answers them
    reason: Reason
    at_create: bool  # answered synchronously (HTTP 4xx) rather than in a callback
    http_status: int = 400
    final_status: str = "undelivered"  # the message status when it happens after create
    # the plain words a user sees, where the reason's own would be wrong for this code
    message: str | None = None


_C = CarrierError
_ENTRIES = [
    # Requests the carrier refuses whatever the message (our side's mistakes, or its state)
    _C(
        20001,
        "Unknown parameter",
        Reason.UNKNOWN,
        True,
        message="The carrier refused a parameter of the request as malformed",
    ),
    _C(
        20003,
        "Authenticate",
        Reason.UNKNOWN,
        True,
        401,
        message="The carrier refused our account credentials",
    ),
    _C(
        20004,
        "Method not allowed",
        Reason.UNKNOWN,
        True,
        405,
        message="The carrier does not allow this method on this resource",
    ),
    _C(
        20009,
        "Cannot delete message because delivery has not been completed",
        Reason.UNKNOWN,
        True,
        message="The carrier cannot delete a message it is still delivering",
    ),
    _C(
        20404,
        "The requested resource was not found",
        Reason.UNKNOWN,
        True,
        404,
        message="The carrier has no such message, number or request",
    ),
    _C(
        20429,
        "Too Many Requests",
        Reason.UNKNOWN,
        True,
        429,
        message="The carrier was too busy to take the request; it may be retried",
    ),
    _C(
        20500,
        "Internal Server Error",
        Reason.UNKNOWN,
        True,
        500,
        message="The carrier had an internal error",
    ),
    _C(
        20503,
        "Service Unavailable",
        Reason.UNKNOWN,
        True,
        503,
        message="The carrier was unavailable",
    ),
    _C(
        20504,
        "Gateway Timeout",
        Reason.UNKNOWN,
        True,
        504,
        message="The carrier did not answer in time",
    ),
    _C(
        21220,
        "Invalid state for this update",
        Reason.UNKNOWN,
        True,
        message="Only a scheduled message can be canceled",
    ),
    # Creating a message: the recipient
    _C(21211, "Invalid 'To' Phone Number", Reason.INVALID_NUMBER, True),
    _C(
        21266,
        "'To' and 'From' numbers cannot be the same",
        Reason.INVALID_NUMBER,
        True,
        message="The recipient's phone number is the sending number itself",
    ),
    _C(
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number",
        Reason.UNSUPPORTED_COUNTRY,
        True,
    ),
    _C(
        21604,
        "A 'To' phone number is required",
        Reason.INVALID_NUMBER,
        True,
        message="The message has no recipient phone number",
    ),
    _C(21610, "Attempt to send to unsubscribed recipient", Reason.OPTED_OUT, True),
    _C(
        21612,
        "The 'To' phone number is not currently reachable via SMS",
        Reason.UNREACHABLE,
        True,
        message="The carrier has no SMS route to the recipient's phone number",
    ),
    _C(21614, "'To' number is not a valid mobile number", Reason.LANDLINE, True),
    # Creating a message: the sender
    _C(
        21212,
        "Invalid 'From' Number",
        Reason.INVALID_SENDER,
        True,
        message="The sending number is not a valid phone number",
    ),
    _C(
        21603,
        "A 'From' phone number is required",
        Reason.INVALID_SENDER,
        True,
        message="The message has no sending number",
    ),
    _C(
        21606,
        "The 'From' phone number provided is not a valid message-capable Twilio phone number "
        "for this destination.",
        Reason.INVALID_SENDER,
        True,
        message="The From number is not an SMS-capable number of this account",
    ),
    _C(
        21611,
        "This 'From' number has exceeded the maximum number of queued messages",
        Reason.EXPIRED,
        True,
        message="The sending number's queue at the carrier is full (too many messages waiting)",
    ),
    # Creating a message: the text, the schedule
    _C(21602, "Message body is required", Reason.UNKNOWN, True, message="The message has no text"),
    _C(
        21617,
        "The concatenated message body exceeds the 1600 character limit",
        Reason.UNKNOWN,
        True,
        message="The text is longer than the carrier's limit of 1,600 characters",
    ),
    _C(
        35114,
        "Scheduling does not support this timestamp",
        Reason.UNKNOWN,
        True,
        message="The carrier schedules a message 5 minutes to 35 days ahead, no sooner or later",
    ),
    _C(
        35118,
        "MessagingServiceSid is required to schedule a message",
        Reason.UNKNOWN,
        True,
        message="The carrier schedules only messages sent through a Messaging Service",
    ),
    # Renting numbers, whitelist requests (an extension of ours: Twilio has no such resource)
    _C(
        21421,
        "PhoneNumber is invalid",
        Reason.UNKNOWN,
        True,
        message="The number to rent is not a valid phone number",
    ),
    _C(
        21422,
        "PhoneNumber is not available",
        Reason.UNKNOWN,
        True,
        message="The number to rent is not available (taken, or not for sale)",
    ),
    _C(
        21452,
        "No phone numbers found in area code",
        Reason.UNKNOWN,
        True,
        message="The carrier has no numbers for sale in that area code",
    ),
    _C(
        21620,
        "Invalid whitelist request",
        Reason.UNKNOWN,
        True,
        message="The carrier refused the whitelist request's form (content type, examples "
        "or opt-in)",
    ),
    # After create, in a status callback
    _C(30001, "Queue overflow", Reason.EXPIRED, False, final_status="failed"),
    _C(
        30002,
        "Account suspended",
        Reason.UNKNOWN,
        False,
        final_status="failed",
        message="The carrier account is suspended; the message was not sent",
    ),
    _C(30003, "Unreachable destination handset", Reason.UNREACHABLE, False),
    _C(
        30004,
        "Message blocked",
        Reason.SPAM,
        False,
        message="The message was blocked on its way to the recipient",
    ),
    _C(
        30005,
        "Unknown destination handset",
        Reason.INVALID_NUMBER,
        False,
        message="The recipient's phone number does not exist (unknown to its carrier)",
    ),
    _C(30006, "Landline or unreachable carrier", Reason.LANDLINE, False),
    _C(30007, "Message filtered", Reason.SPAM, False),
    _C(30008, "Unknown error", Reason.UNKNOWN, False),
    _C(30036, "Validity Period Expired", Reason.EXPIRED, False, final_status="failed"),
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


def error_message(code: int | None) -> str:
    """The plain-words label a user sees for a carrier code: the code's own words where its
    reason's would be wrong, else the reason's; an unknown code's is the unknown reason's."""
    entry = CATALOGUE.get(code) if code is not None else None
    if entry is None:
        return _MESSAGES[Reason.UNKNOWN]
    return entry.message or _MESSAGES[entry.reason]
