"""The forward-only state machine, table by table."""

import pytest

from gateway.core.lifecycle import Outcome, accepted, failed_locally, on_callback, rejected
from telecom import Reason, error_message, reason_message

QUEUED = accepted("queued")
SENT = Outcome("sent", "sent")
DELIVERED = Outcome("sent", "delivered")
UNDELIVERED_LANDLINE = Outcome(
    "error", "undelivered", 30006, "landline", reason_message(Reason.LANDLINE)
)


@pytest.mark.parametrize(
    ("current", "status", "code", "expected"),
    [
        # forward moves
        (QUEUED, "sending", None, Outcome("sent", "sending")),
        (QUEUED, "sent", None, SENT),
        (QUEUED, "delivered", None, DELIVERED),  # skipped `sent`: still fine
        (SENT, "delivered", None, DELIVERED),
        (SENT, "undelivered", 30006, UNDELIVERED_LANDLINE),
        (
            QUEUED,
            "failed",
            30001,
            Outcome("error", "failed", 30001, "expired", reason_message(Reason.EXPIRED)),
        ),
        (
            SENT,
            "undelivered",
            30007,
            Outcome("error", "undelivered", 30007, "spam", reason_message(Reason.SPAM)),
        ),
        (
            SENT,
            "undelivered",
            30003,
            Outcome(
                "error", "undelivered", 30003, "unreachable", reason_message(Reason.UNREACHABLE)
            ),
        ),
        (
            SENT,
            "undelivered",
            30008,
            Outcome("error", "undelivered", 30008, "unknown", reason_message(Reason.UNKNOWN)),
        ),
        (
            SENT,
            "undelivered",
            39999,  # a code we have never heard of
            Outcome("error", "undelivered", 39999, "unknown", reason_message(Reason.UNKNOWN)),
        ),
        (
            SENT,
            "undelivered",
            None,
            Outcome("error", "undelivered", None, "unknown", reason_message(Reason.UNKNOWN)),
        ),
        (
            QUEUED,
            "canceled",
            None,
            Outcome("error", "canceled", None, "unknown", reason_message(Reason.UNKNOWN)),
        ),
        # duplicates, late and out-of-order callbacks: nothing to write
        (QUEUED, "queued", None, None),
        (SENT, "sent", None, None),
        (SENT, "queued", None, None),
        (DELIVERED, "sent", None, None),
        (DELIVERED, "delivered", None, None),
        (DELIVERED, "undelivered", 30006, None),
        (UNDELIVERED_LANDLINE, "delivered", None, None),
        (UNDELIVERED_LANDLINE, "sent", None, None),
        (rejected(21614), "delivered", None, None),
        # statuses we do not track
        (SENT, "read", None, None),
        (SENT, "receiving", None, None),
        (SENT, "bogus", None, None),
    ],
)
def test_on_callback(
    current: Outcome, status: str, code: int | None, expected: Outcome | None
) -> None:
    assert on_callback(current, status, code) == expected


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21211, "invalid_number"),
        (21408, "unsupported_country"),
        (21610, "opted_out"),
        (21614, "landline"),
        (21612, "unreachable"),
        (21617, "unknown"),
        (21606, "invalid_sender"),
        (21266, "invalid_number"),
        (None, "unknown"),
    ],
)
def test_rejected_at_create(code: int | None, reason: str) -> None:
    outcome = rejected(code)
    assert (outcome.status, outcome.delivery_status) == ("error", "failed")
    assert outcome.error_code == code
    assert outcome.error_reason == reason
    assert outcome.error_message == error_message(code)


def test_a_code_with_words_of_its_own_is_labelled_with_them() -> None:
    assert (
        rejected(21606).error_message
        == "The From number is not an SMS-capable number of this account"
    )
    assert rejected(21612).error_message != reason_message(Reason.UNREACHABLE)
    assert on_callback(SENT, "undelivered", 30005) == Outcome(
        "error", "undelivered", 30005, "invalid_number", error_message(30005)
    )
    assert error_message(30005) != reason_message(Reason.INVALID_NUMBER)


def test_accepted_means_sent_in_close() -> None:
    assert accepted("queued") == Outcome("sent", "queued")
    assert accepted("weird") == Outcome("sent", "queued")
    assert accepted("scheduled") == Outcome("sent", "queued")
    assert accepted("delivered") == DELIVERED


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("undelivered", 30006, UNDELIVERED_LANDLINE),
        ("failed", 30007, Outcome("error", "failed", 30007, "spam", reason_message(Reason.SPAM))),
        (
            "undelivered",
            None,
            Outcome("error", "undelivered", None, "unknown", reason_message(Reason.UNKNOWN)),
        ),
    ],
)
def test_a_create_answer_that_is_already_final_is_a_failure(
    status: str, code: int | None, expected: Outcome
) -> None:
    # a create repeated under its Idempotency-Key answers the message as it is by then
    assert accepted(status, code) == expected


@pytest.mark.parametrize(
    "reason", [Reason.UNSUPPORTED_COUNTRY, Reason.OPTED_OUT, Reason.EXPIRED, Reason.NUMBER_RELEASED]
)
def test_failed_locally_never_reached_the_carrier(reason: Reason) -> None:
    outcome = failed_locally(reason)
    assert outcome == Outcome("error", None, None, reason.value, reason_message(reason))
