"""The small pure pieces: pricing, pacing, backoff, dates, SMS rules."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gateway.core.dates import iso, parse_moment, parse_tz_offset
from gateway.core.models import PhoneNumber
from gateway.core.pacing import Pace, Pacer, backoff, grant
from gateway.core.pricing import Rate, cost_of
from gateway.core.sms_rules import check_send_in, check_text, local_phone_problem, send_blocker
from telecom import Reason

RATES = {"US": Rate(Decimal("0.83"), Decimal("0.5")), "GB": Rate(Decimal(4), Decimal(1))}


@pytest.mark.parametrize(
    ("country", "direction", "segments", "cost"),
    [
        ("US", "outbound", 1, "0.83"),
        ("US", "outbound", 3, "2.49"),
        ("US", "inbound", 2, "1"),
        ("GB", "outbound", 25, "100"),
        ("FR", "outbound", 1, None),
        (None, "outbound", 1, None),
    ],
)
def test_cost_in_cents(
    country: str | None, direction: str, segments: int, cost: str | None
) -> None:
    assert cost_of(RATES, country, direction, segments) == cost


def test_default_rate() -> None:
    assert cost_of({"default": Rate(Decimal(2), Decimal(0))}, "FR", "outbound", 2) == "4"


def test_pacer_spaces_each_number() -> None:
    pacer = Pacer(per_second=2, slack=0.0)
    assert pacer.take("+1", 100.0)
    assert not pacer.take("+1", 100.1)
    assert pacer.take("+2", 100.1)  # another number has its own budget
    assert pacer.take("+1", 100.5)
    # over ten seconds, no more than the rate (plus the first)
    pacer = Pacer(per_second=2, slack=0.2)
    taken = sum(pacer.take("+1", 200 + i / 100) for i in range(1000))
    assert taken <= 21


def test_pacer_slack_allows_a_small_burst_after_idle() -> None:
    pacer = Pacer(per_second=100, slack=0.05)
    assert sum(pacer.take("+1", 10.0) for _ in range(20)) == 6


def test_grant_is_what_as_many_takes_would_allow() -> None:
    pace = Pace(per_second=100, slack=0.05)
    assert grant(0.0, 10.0, pace, [1] * 20) == (6, pytest.approx(10.01))  # the burst, then wait
    assert grant(10.01, 10.0, pace, [1] * 5) == (0, 10.01)
    assert grant(10.01, 10.02, pace, [1] * 5) == (2, pytest.approx(10.03))
    # takes granted in rounds never beat the rate: 10 s of polling every 50 ms
    free, taken = 0.0, 0
    for i in range(200):
        got, free = grant(free, 20 + i * 0.05, pace, [1] * 50)
        taken += got
    assert taken <= 100 * 10 + 6


def test_pacer_counts_segments() -> None:
    # Twilio's throughput counts segments: a 3-segment SMS on a 1 MPS number takes 3 s
    pacer = Pacer(per_second=1, slack=0.0)
    assert pacer.take("+1", 100.0, 3)
    assert not any(pacer.take("+1", t) for t in (101.0, 102.0, 102.9))
    assert pacer.take("+1", 103.0, 3)
    assert not pacer.take("+1", 105.5)
    assert pacer.take("+1", 106.0)
    assert pacer.take("+1", 107.0)  # a single segment leaves the next one a second later


def test_a_message_longer_than_the_burst_still_goes() -> None:
    pacer = Pacer(per_second=10, slack=0.2)  # a burst of 3 slots
    assert pacer.burst == 3
    assert pacer.take("+1", 50.0, 10)  # an idle number sends it at once, never starving it
    assert "+1" in pacer.waiting(50.0)  # and then owes its slots: 1 s at 10 a second
    assert not pacer.take("+1", 50.7)
    assert pacer.take("+1", 50.8)  # its slots, less the slack, are spent


def test_grant_counts_each_takes_segments_in_order() -> None:
    pace = Pace(per_second=10, slack=0.0)
    assert grant(0.0, 5.0, pace, [3, 1]) == (1, pytest.approx(5.3))
    assert grant(5.3, 5.3, pace, [1, 1]) == (1, pytest.approx(5.4))
    # what one take per round allows, one Pacer.take at a time
    pacer, free, moments = Pacer(per_second=10, slack=0.0), 0.0, [5.0, 5.3, 5.5, 5.6]
    for moment in moments:
        took, free = grant(free, moment, pace, [2])
        assert took == pacer.take("+1", moment, 2)


@pytest.mark.parametrize(
    ("attempt", "low", "high"), [(1, 0.5, 1), (2, 1, 2), (3, 2, 4), (10, 30, 60)]
)
def test_backoff_grows_with_jitter(attempt: int, low: float, high: float) -> None:
    assert backoff(attempt, 1, 60, 0.0) == low
    assert backoff(attempt, 1, 60, 0.999) == pytest.approx(high, rel=0.01)


def test_dates() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000000+00:00"
    minus4 = parse_tz_offset("-4.0")
    assert minus4 == timezone(timedelta(hours=-4))
    assert parse_tz_offset(None) == UTC
    assert parse_tz_offset("5.5") == timezone(timedelta(hours=5, minutes=30))
    assert parse_tz_offset("23.99") == timezone(timedelta(hours=23, minutes=59))
    assert parse_tz_offset("-23.99") == timezone(-timedelta(hours=23, minutes=59))
    # what the OpenAPI description says (a number from -23.99 to 23.99), not all float() reads
    for bad in (
        "garbage",
        "23.99999999999",
        "23.991",
        "-24",
        "nan",
        "inf",
        "1e309",
        "1_0",
        "٥",
        "0x10",
        "",
        " ",
    ):
        with pytest.raises(ValueError, match=r"between -23\.99 and 23\.99"):
            parse_tz_offset(bad)
    for outside in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"):
        with pytest.raises(ValueError, match="outside the dates we can store"):
            parse_moment(outside)
    assert parse_moment("2026-01-02T10:00:00", minus4) == datetime(2026, 1, 2, 14, tzinfo=UTC)
    assert parse_moment("2026-01-02T10:00:00Z") == datetime(2026, 1, 2, 10, tzinfo=UTC)
    assert parse_moment("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
    for bad in ("tomorrow", "", None, 12):
        with pytest.raises(ValueError):
            parse_moment(bad)


@pytest.mark.parametrize(
    ("text", "required", "problem"),
    [
        ("hi", True, None),
        ("x" * 1000, True, None),
        ("x" * 1001, True, "at most 1000"),
        ("", True, "cannot be empty"),
        ("   ", True, "cannot be empty"),
        (None, True, "required"),
        (None, False, None),
        ("", False, None),
        (5, True, "string"),
    ],
)
def test_check_text(text: object, required: bool, problem: str | None) -> None:
    found = check_text(text, required)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("value", "ok"),
    [(None, True), (0, True), (59.9, True), (60, False), (-1, False), ("5", False), (True, False)],
)
def test_check_send_in(value: object, ok: bool) -> None:
    assert (check_send_in(value)[1] is None) is ok


def _number(kind: str = "internal", sms: bool = True) -> PhoneNumber:
    return PhoneNumber(
        "phon_1", "orga_1", "+14155550100", None, kind, "US", sms, ("CA", "US"), None, "", ""
    )


def test_local_phone_problems() -> None:
    assert local_phone_problem(_number()) is None
    assert "not a phone number of your organization" in (local_phone_problem(None) or "")
    assert "External numbers cannot send SMS" in (local_phone_problem(_number("external")) or "")
    assert "not SMS-enabled" in (local_phone_problem(_number(sms=False)) or "")


def test_send_blockers() -> None:
    assert send_blocker(_number(), "US", False) is None
    assert send_blocker(_number(), "GB", False) is Reason.UNSUPPORTED_COUNTRY
    assert send_blocker(_number(), "CA", True) is Reason.OPTED_OUT
