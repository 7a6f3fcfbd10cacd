"""Date values and their UTC spans in the caller's zone, given a fixed now
(gateway/search/dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from gateway.search.ast import CalendarDay, Moment, RelativeDay, RelativeMonth, RelativeWeek
from gateway.search.dates import MAX_DAYS_AGO, parse_date, resolve

NOW = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # a Friday, early morning UTC


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "value", "start", "end"),
    [
        # UTC-4: it is still the 26th, 22:30 local
        (-4, RelativeDay(0), "2026-11-26T04:00", "2026-11-27T04:00"),
        (-4, RelativeDay(-1), "2026-11-25T04:00", "2026-11-26T04:00"),
        (-4, RelativeDay(1), "2026-11-27T04:00", "2026-11-28T04:00"),
        (-4, RelativeDay(-3), "2026-11-23T04:00", "2026-11-24T04:00"),
        (-4, RelativeWeek(0), "2026-11-23T04:00", "2026-11-30T04:00"),  # Monday the 23rd
        (-4, RelativeWeek(-1), "2026-11-16T04:00", "2026-11-23T04:00"),
        (-4, RelativeMonth(0), "2026-11-01T04:00", "2026-12-01T04:00"),
        (-4, RelativeMonth(-1), "2026-10-01T04:00", "2026-11-01T04:00"),
        # UTC+5:30: already 08:00 on the 27th
        (5.5, RelativeDay(0), "2026-11-26T18:30", "2026-11-27T18:30"),
        (5.5, RelativeDay(-1), "2026-11-25T18:30", "2026-11-26T18:30"),
        (5.5, RelativeWeek(0), "2026-11-22T18:30", "2026-11-29T18:30"),
        (5.5, RelativeMonth(-1), "2026-09-30T18:30", "2026-10-31T18:30"),
        # UTC
        (0, RelativeDay(0), "2026-11-27T00:00", "2026-11-28T00:00"),
        (0, CalendarDay(date(2026, 11, 1)), "2026-11-01T00:00", "2026-11-02T00:00"),
        (-4, CalendarDay(date(2026, 11, 1)), "2026-11-01T04:00", "2026-11-02T04:00"),
        # +12:45 (Chatham): local 15:15 on the 27th
        (12.75, RelativeDay(0), "2026-11-26T11:15", "2026-11-27T11:15"),
    ],
)
def test_spans(hours: float, value: object, start: str, end: str) -> None:
    assert resolve(value, NOW, tz(hours)) == (utc(start), utc(end))  # type: ignore[arg-type]


def test_months_cross_years() -> None:
    january = datetime(2027, 1, 15, 12, tzinfo=UTC)
    assert resolve(RelativeMonth(-1), january, UTC) == (
        utc("2026-12-01T00:00"),
        utc("2027-01-01T00:00"),
    )
    december = datetime(2026, 12, 31, 23, tzinfo=UTC)
    assert resolve(RelativeMonth(0), december, tz(2)) == (
        utc("2026-12-31T22:00"),
        utc("2027-01-31T22:00"),
    )


def test_moments_span_what_was_written() -> None:
    naive = Moment(datetime(2026, 11, 27, 8, 30), "minutes")
    assert resolve(naive, NOW, tz(-4)) == (utc("2026-11-27T12:30"), utc("2026-11-27T12:31"))
    aware = Moment(datetime(2026, 11, 27, 8, 30, 5, tzinfo=tz(1)), "seconds")
    assert resolve(aware, NOW, tz(-4)) == (utc("2026-11-27T07:30:05"), utc("2026-11-27T07:30:06"))
    exact = Moment(datetime(2026, 11, 27, 8, 30, 5, 250000, tzinfo=UTC), "microseconds")
    start, end = resolve(exact, NOW, UTC)
    assert end - start == timedelta(microseconds=1)


def test_the_edges_of_time_clamp_instead_of_failing() -> None:
    first, last = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    assert resolve(CalendarDay(date(9999, 12, 31)), NOW, tz(-4))[1] == last
    assert resolve(CalendarDay(date(9999, 12, 31)), NOW, tz(-4))[0] == utc("9999-12-31T04:00")
    assert resolve(CalendarDay(date(1, 1, 1)), NOW, tz(5.5))[0] == first
    assert resolve(Moment(datetime(9999, 12, 31, 23, 59), "minutes"), NOW, UTC)[1] == last
    assert resolve(RelativeDay(-MAX_DAYS_AGO), NOW, UTC)[0].year == 1753


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("today", RelativeDay(0)),
        ("TODAY", RelativeDay(0)),
        ("yesterday", RelativeDay(-1)),
        ("tomorrow", RelativeDay(1)),
        ("3 days ago", RelativeDay(-3)),
        ("1 day ago", RelativeDay(-1)),
        (" this   week ", RelativeWeek(0)),
        ("last week", RelativeWeek(-1)),
        ("this month", RelativeMonth(0)),
        ("last month", RelativeMonth(-1)),
        ("2026-11-01", CalendarDay(date(2026, 11, 1))),
        ("2026-11-01T09:15", Moment(datetime(2026, 11, 1, 9, 15), "minutes")),
        ("2026-11-01t09:15:00z", Moment(datetime(2026, 11, 1, 9, 15, tzinfo=UTC), "seconds")),
        (
            "2026-11-01T09:15:00.5-0400",
            Moment(datetime(2026, 11, 1, 9, 15, 0, 500000, tzinfo=tz(-4)), "microseconds"),
        ),
    ],
)
def test_parse_date(text: str, value: object) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "2026-13-01",
        "2026-02-30",
        "0000-01-01",
        "2026-11-01T25:00",
        "-3 days ago",
        f"{MAX_DAYS_AGO + 1} days ago",
        "next week",
        "2026-11",
        "20261101",
        "3 weeks ago",
        "",
        "2026-11-01T09",
        "2026-11-01T23:59:60",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)
