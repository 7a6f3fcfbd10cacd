"""Dates (gateway/core/dates.py): how we write a moment, and read one with a time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway.core.dates import iso, parse_moment, parse_tz_offset


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
