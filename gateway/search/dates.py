"""Date values: text -> `DateValue`, and `DateValue` -> a half-open UTC range, given `now`
and the caller's zone (a fixed offset from `X-TZ-Offset`, which may be fractional).

Pure: `now` is always passed in. Every value is a span of time: `today` is the caller's whole
local day, `2026-11-01` its whole local day, `2026-11-01T08:00` that minute. Comparisons use
the span: `created:X` is inside it, `created > X` after it, `created >= X` from its start,
`created < X` before its start, `created <= X` up to its end.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from gateway.search.ast import (
    CalendarDay,
    DateValue,
    Moment,
    RelativeDay,
    RelativeMonth,
    RelativeWeek,
)

__all__ = ["MAX_DAYS_AGO", "parse_date", "resolve"]

MAX_DAYS_AGO = 100_000  # about 270 years: far enough, and far from datetime's limits

_WORDS: dict[str, DateValue] = {
    "today": RelativeDay(0),
    "yesterday": RelativeDay(-1),
    "tomorrow": RelativeDay(1),
    "this week": RelativeWeek(0),
    "last week": RelativeWeek(-1),
    "this month": RelativeMonth(0),
    "last month": RelativeMonth(-1),
}
_DAYS_AGO = re.compile(r"(\d{1,9}) days? ago")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?P<s>:\d{2}(?P<f>\.\d{1,6})?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)

_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)


def parse_date(text: str) -> DateValue:
    """Raise ValueError for anything that is not one of the documented forms."""
    words = " ".join(text.lower().split())
    if words in _WORDS:
        return _WORDS[words]
    if match := _DAYS_AGO.fullmatch(words):
        days = int(match[1])
        if days > MAX_DAYS_AGO:
            raise ValueError(f"at most {MAX_DAYS_AGO} days ago")
        return RelativeDay(-days)
    value = text.strip()
    if _DAY.fullmatch(value):
        return CalendarDay(date.fromisoformat(value))  # ValueError for 2026-02-30
    if match := _MOMENT.fullmatch(value):
        at = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        precision = "microseconds" if match["f"] else "seconds" if match["s"] else "minutes"
        return Moment(at, precision)
    raise ValueError("not a date")


def _edge(year: int) -> datetime:
    """Where a span that runs past year 1 or 9999 is cut: the edge of time it ran into."""
    return _MAX if year > 5000 else _MIN


def _utc(local: datetime) -> datetime:
    try:
        return local.astimezone(UTC)
    except OverflowError:
        return _edge(local.year)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def _day_span(first: date, days: int, tz: tzinfo) -> tuple[datetime, datetime]:
    start = _utc(_local_midnight(first, tz))
    try:
        after = first + timedelta(days=days)
    except OverflowError:
        return start, _edge(first.year)
    return start, _utc(_local_midnight(after, tz))


def _month_start(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


_STEPS = {
    "minutes": timedelta(minutes=1),
    "seconds": timedelta(seconds=1),
    "microseconds": timedelta(microseconds=1),
}


def resolve(value: DateValue, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC. `now` must be aware; `tz` is the caller's zone."""
    today = now.astimezone(tz).date()
    match value:
        case RelativeDay(days):
            return _day_span(today + timedelta(days=days), 1, tz)
        case RelativeWeek(weeks):
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            return _day_span(monday, 7, tz)
        case RelativeMonth(months):
            year, month = _month_start(today.year, today.month, months)
            next_year, next_month = _month_start(today.year, today.month, months + 1)
            start = _local_midnight(date(year, month, 1), tz).astimezone(UTC)
            end = _local_midnight(date(next_year, next_month, 1), tz).astimezone(UTC)
            return start, end
        case CalendarDay(day):
            return _day_span(day, 1, tz)
        case Moment(at, precision):
            local = at if at.tzinfo is not None else at.replace(tzinfo=tz)
            try:
                after = local + _STEPS[precision]
            except OverflowError:
                return _utc(local), _MAX
            return _utc(local), _utc(after)
    raise TypeError(f"not a date value: {value!r}")
