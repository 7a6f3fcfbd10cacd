"""The life of an outbound SMS after validation: a pure, forward-only state machine.

Close's status (`sent` / `error`) is derived from the carrier's delivery status, which only
moves forward along queued -> sending -> sent -> (delivered | undelivered | failed | canceled).
A callback whose status is not further along than what we hold (a duplicate, a late `sent`
after `delivered`, anything after a final status) yields None: nothing to write. That makes
the intake idempotent by construction instead of by bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass

from telecom import Reason, error_message, reason_for, reason_message

__all__ = [
    "FINAL_DELIVERY",
    "Outcome",
    "accepted",
    "failed_locally",
    "on_callback",
    "rejected",
]

# How far along each carrier status is; equal ranks never replace each other.
_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
}
FINAL_DELIVERY = frozenset({"delivered", "undelivered", "failed", "canceled"})
_FAILED = frozenset({"undelivered", "failed", "canceled"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the activity shows about delivery: Close status plus the carrier's view."""

    status: str  # Close: sent | error (or the pre-send status while nothing happened yet)
    delivery_status: str | None
    error_code: int | None = None
    error_reason: str | None = None
    error_message: str | None = None


def _error(delivery_status: str | None, code: int | None, reason: Reason) -> Outcome:
    # a code's own words where it has them (21606 is not "unknown", whatever its reason)
    message = error_message(code) if code is not None else reason_message(reason)
    return Outcome("error", delivery_status, code, reason.value, message)


_TAKEN = Outcome("sent", "queued")


def accepted(carrier_status: str = "queued", error_code: int | None = None) -> Outcome:
    """The carrier took the message (HTTP 201): it has left us, so Close calls it `sent`.

    The answer carries the message's status as the carrier holds it now, which for a create
    repeated under its Idempotency-Key may already be final (`undelivered` with a code): it
    goes through the same forward-only machine as a callback, so a failure is an `error`
    with its code and reason whichever way it reached us."""
    return on_callback(_TAKEN, carrier_status, error_code) or _TAKEN


def rejected(code: int | None) -> Outcome:
    """The carrier refused it at create time: final, with the code's reason."""
    return _error("failed", code, reason_for(code))


def failed_locally(reason: Reason) -> Outcome:
    """We never handed it to the carrier (unsupported country, opted out, expired)."""
    return _error(None, None, reason)


def on_callback(current: Outcome, carrier_status: str, error_code: int | None) -> Outcome | None:
    """The outcome after a status callback, or None when the callback changes nothing."""
    new_rank = _RANK.get(carrier_status)
    if new_rank is None:  # read, receiving, or a status we do not track
        return None
    held = current.delivery_status
    if held in FINAL_DELIVERY:
        return None
    if held is not None and new_rank <= _RANK.get(held, -1):
        return None
    if carrier_status in _FAILED:
        code = error_code if carrier_status != "canceled" else None
        return _error(carrier_status, code, reason_for(code))
    return Outcome("sent", carrier_status)
