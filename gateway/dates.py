"""Timestamps as the gateway shows and stores them: ISO 8601 UTC with microseconds and +00:00.

One fixed text form, so stored values sort and compare as strings. Parsing accepts what Close's
clients send: a datetime with or without a zone (a naive one is read in the caller's
`X-TZ-Offset`) or a bare date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["iso", "now", "parse_moment", "parse_tz_offset"]


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``2026-11-27T07:45:00.123456+00:00``, always with microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_tz_offset(text: str | None) -> timezone:
    """`X-TZ-Offset` hours as a float string (``-4.0``, ``5.5``); missing means UTC. Raises
    ValueError, in our words, for anything that is not a whole number of minutes' offset
    strictly inside a day (23.99999999999 rounds to a whole day: refused, not a 500)."""
    if text is None or not text.strip():
        return UTC
    try:
        minutes = round(float(text) * 60)
    except (ValueError, OverflowError):  # OverflowError: inf
        raise ValueError(_OFFSET_PROBLEM.format(text)) from None
    if not -_DAY_MINUTES < minutes < _DAY_MINUTES:
        raise ValueError(_OFFSET_PROBLEM.format(text))
    return timezone(timedelta(minutes=minutes))


_DAY_MINUTES = 24 * 60
_OFFSET_PROBLEM = "expected hours from UTC between -24 and 24, such as -4 or 5.5; got {!r}"


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
        raise ValueError(f"{text!r} is outside the dates we can store (years 1 to 9999 in UTC)"
                         ) from None
