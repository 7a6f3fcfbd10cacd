"""SMS usage and cost reports, the pure part: the query string, the shaping of counts, CSV.

The store counts carrier traffic (messages the carrier accepted from us or delivered to us)
grouped by direction, a key (the priced country, our number, or the local day) and the cost each
message was given; here those counts become one row per country, number or day, with messages,
segments and cost per direction, plus totals. Costs are Decimal cents throughout, so the totals
are exactly the sum of the activities' `cost` strings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.core import dates
from gateway.core.errors import ValidationFailed

__all__ = [
    "COLUMNS",
    "DIRECTIONS",
    "FORMATS",
    "GROUPS",
    "MAX_DAYS",
    "UsageCount",
    "UsageQuery",
    "UsageReport",
    "parse_query",
    "render_csv",
    "render_json",
    "summarize",
]

GROUPS = ("country", "number", "day")
FORMATS = ("json", "csv")
DIRECTIONS = ("outbound", "inbound")
_MEASURES = ("messages", "segments", "cost")
COLUMNS = tuple(f"{d}_{m}" for d in DIRECTIONS for m in _MEASURES) + _MEASURES
_PARAMS = frozenset({"date_start", "date_end", "group_by", "format"})
# The longest range one report counts: a year, leap or not. It bounds the rows a report reads
# (each message in range is one index entry); a longer history is asked for a year at a time.
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class UsageQuery:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    group_by: str
    format: str
    tz: timezone  # the caller's X-TZ-Offset: bare dates and days are read in it

    @property
    def tz_minutes(self) -> int:
        offset = self.tz.utcoffset(None)
        return int(offset.total_seconds() // 60)


def _bare_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _moment(
    name: str, text: str, tz: timezone, errors: dict[str, str], whole_day: bool
) -> datetime | None:
    """A bare date means midnight in `tz`; for date_end, the end of that day (inclusive)."""
    try:
        moment = dates.parse_moment(text, tz)
    except ValueError as exc:
        errors[name] = f"{name}: {exc}."
        return None
    if whole_day and _bare_date(text) is not None:
        try:
            moment += timedelta(days=1)
        except OverflowError:  # 9999-12-31: its end is past the calendar's
            errors[name] = f"{name}: {text!r} is past the last date we can count."
            return None
    return moment


def _days(span: timedelta) -> int:
    return -(-span // timedelta(days=1))  # started days: 366 days and a second is 367


def parse_query(params: Mapping[str, str], tz: timezone, now: datetime) -> UsageQuery:
    """Validate `date_start`, `date_end`, `group_by` and `format`; each problem is a field
    error named for its parameter. Defaults: this month so far (in `tz`), by country, JSON.
    The range spans at most MAX_DAYS days."""
    errors: dict[str, str] = {}
    for name in sorted(set(params) - _PARAMS):
        errors[name] = f"Unknown parameter {name!r} (known: {', '.join(sorted(_PARAMS))})."
    group_by = params.get("group_by") or "country"
    if group_by not in GROUPS:
        errors["group_by"] = f"group_by must be one of: {', '.join(GROUPS)} (got {group_by!r})."
    fmt = params.get("format") or "json"
    if fmt not in FORMATS:
        errors["format"] = f"format must be one of: {', '.join(FORMATS)} (got {fmt!r})."
    local_now = now.astimezone(tz)
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    tomorrow = local_now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = (
        _moment("date_start", params["date_start"], tz, errors, whole_day=False)
        if "date_start" in params
        else month_start
    )
    end = (
        _moment("date_end", params["date_end"], tz, errors, whole_day=True)
        if "date_end" in params
        else tomorrow
    )
    if start is not None and end is not None and end <= start:
        errors["date_end"] = "date_end must be after date_start."
    elif start is not None and end is not None and end - start > timedelta(days=MAX_DAYS):
        # named for what the caller gave: the default of the other one is not their doing
        name = "date_end" if "date_end" in params else "date_start"
        errors[name] = (
            f"{name}: a report covers at most {MAX_DAYS} days (this range spans"
            f" {_days(end - start)}); ask for a year at a time."
        )
    if errors or start is None or end is None:
        raise ValidationFailed(errors)
    return UsageQuery(start.astimezone(UTC), end.astimezone(UTC), group_by, fmt, tz)


@dataclass(frozen=True, slots=True)
class UsageCount:
    """What the store counted: messages of one direction, key and per-message cost."""

    direction: str
    key: str | None  # the priced country, our number, or a day (None: "unknown")
    cost: str | None  # the cost of each of these messages (None: no rate, counts as 0)
    messages: int
    segments: int


@dataclass(slots=True)
class _Tally:
    messages: int = 0
    segments: int = 0
    cost: Decimal = field(default_factory=Decimal)

    def add(self, other: _Tally) -> None:
        self.messages += other.messages
        self.segments += other.segments
        self.cost += other.cost


@dataclass(frozen=True, slots=True)
class UsageReport:
    query: UsageQuery
    rows: tuple[tuple[str, dict[str, _Tally]], ...]  # key, direction -> tally
    totals: dict[str, _Tally]


def _cents(text: str | None) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:  # not ours: the store only holds what pricing wrote
        return Decimal(0)


def summarize(query: UsageQuery, counts: Iterable[UsageCount]) -> UsageReport:
    """One row per key (sorted), each with both directions, plus totals."""
    rows: dict[str, dict[str, _Tally]] = {}
    totals = {d: _Tally() for d in DIRECTIONS}
    for count in counts:
        if count.direction not in totals:
            continue
        tally = _Tally(count.messages, count.segments, _cents(count.cost) * count.messages)
        row = rows.setdefault(count.key or "unknown", {d: _Tally() for d in DIRECTIONS})
        row[count.direction].add(tally)
        totals[count.direction].add(tally)
    return UsageReport(query, tuple(sorted(rows.items())), totals)


def _cost_text(amount: Decimal) -> str:
    # as activities show cost: "2.49", "0" (normalize alone would turn 100 into 1E+2)
    return format(amount.normalize(), "f")


def _columns(tallies: Mapping[str, _Tally]) -> dict[str, Any]:
    both = _Tally()
    values: dict[str, Any] = {}
    for direction in DIRECTIONS:
        tally = tallies[direction]
        both.add(tally)
        values.update(
            {
                f"{direction}_messages": tally.messages,
                f"{direction}_segments": tally.segments,
                f"{direction}_cost": _cost_text(tally.cost),
            }
        )
    values.update(messages=both.messages, segments=both.segments, cost=_cost_text(both.cost))
    return values


def render_json(report: UsageReport) -> dict[str, Any]:
    group_by = report.query.group_by
    return {
        "group_by": group_by,
        "date_start": dates.iso(report.query.start),
        "date_end": dates.iso(report.query.end),
        "cost_unit": "US cents",
        "data": [{group_by: key, **_columns(tallies)} for key, tallies in report.rows],
        "totals": _columns(report.totals),
    }


def render_csv(report: UsageReport) -> str:
    """The JSON's rows as CSV (header first), then a `total` row."""
    group_by = report.query.group_by
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((group_by, *COLUMNS))
    for key, tallies in report.rows:
        values = _columns(tallies)
        writer.writerow((key, *(values[c] for c in COLUMNS)))
    totals = _columns(report.totals)
    writer.writerow(("total", *(totals[c] for c in COLUMNS)))
    return out.getvalue()
