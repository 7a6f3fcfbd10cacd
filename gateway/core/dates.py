"""Timestamps as the gateway shows and stores them: ISO 8601 UTC with microseconds and +00:00.

One fixed text form, so stored values sort and compare as strings. Parsing accepts what Close's
clients send: a datetime with or without a zone (a naive one is read in the caller's
`X-TZ-Offset`) or a bare date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["iso", "now", "parse_moment", "parse_tz_offset"]


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``2026-11-27T07:45:00.123456+00:00``, always with microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_tz_offset(text: str | None) -> timezone:
    """`X-TZ-Offset` hours as a decimal number (``-4.0``, ``5.5``) from -23.99 to 23.99, as the
    OpenAPI description says; missing means UTC, an empty one is refused. Rounded to whole
    minutes. Raises ValueError, in our words, for anything else (23.99999999999 would round to
    a whole day; float() alone would also take "inf", "1_0" or Arabic-Indic digits)."""
    if text is None:
        return UTC
    if not _NUMBER.fullmatch(text.strip()) or not -_MAX_HOURS <= float(text) <= _MAX_HOURS:
        raise ValueError(_OFFSET_PROBLEM.format(text))
    return timezone(timedelta(minutes=round(float(text) * 60)))


_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_MAX_HOURS = 23.99  # 23:59 and a bit: anything that rounds below a whole day
_OFFSET_PROBLEM = "expected hours from UTC between -23.99 and 23.99, such as -4 or 5.5; got {!r}"


def parse_moment(text: object, tz: timezone = UTC) -> datetime:
    """A datetime (aware, or naive in `tz`) or a date (midnight in `tz`), returned in UTC.

    Raises ValueError with a short reason for anything else.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected an ISO 8601 date or datetime")
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 date or datetime") from None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is past the calendar's end in UTC
        raise ValueError(
            f"{text!r} is outside the dates we can store (years 1 to 9999 in UTC)"
        ) from None
