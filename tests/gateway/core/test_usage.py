"""Usage reports, the pure part: the query string, the shaping of counts, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway.core.errors import ValidationFailed
from gateway.core.usage import (
    COLUMNS,
    MAX_DAYS,
    UsageCount,
    parse_query,
    render_csv,
    render_json,
    summarize,
)

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


def _errors(params: dict[str, str], tz: timezone = UTC) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_query(params, tz, NOW)
    return caught.value.field_errors


def test_defaults_are_this_month_by_country_as_json() -> None:
    query = parse_query({}, UTC, NOW)
    assert (query.start, query.end) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 28, tzinfo=UTC),
    )
    assert (query.group_by, query.format, query.tz_minutes) == ("country", "json", 0)


def test_a_bare_date_end_includes_that_day_in_the_callers_zone() -> None:
    tz = timezone(timedelta(hours=-5))
    query = parse_query(
        {"date_start": "2026-11-01", "date_end": "2026-11-02", "group_by": "day"}, tz, NOW
    )
    assert query.start == datetime(2026, 11, 1, 5, tzinfo=UTC)
    assert query.end == datetime(2026, 11, 3, 5, tzinfo=UTC)
    assert query.tz_minutes == -300


def test_datetimes_are_taken_as_given() -> None:
    query = parse_query(
        {"date_start": "2026-11-01T10:00:00+01:00", "date_end": "2026-11-01T12:00:00Z"}, UTC, NOW
    )
    assert (query.start, query.end) == (
        datetime(2026, 11, 1, 9, tzinfo=UTC),
        datetime(2026, 11, 1, 12, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"group_by": "week"}, "group_by"),
        ({"format": "xml"}, "format"),
        ({"date_start": "yesterday"}, "date_start"),
        ({"date_end": "2026-13-01"}, "date_end"),
        ({"date_start": "2026-11-05", "date_end": "2026-11-01"}, "date_end"),
        ({"date_start": "2026-11-05T00:00:00Z", "date_end": "2026-11-05T00:00:00Z"}, "date_end"),
        ({"groupby": "day"}, "groupby"),
    ],
)
def test_each_bad_parameter_is_named(params: dict[str, str], name: str) -> None:
    errors = _errors(params)
    assert set(errors) == {name} and name in errors[name]


def test_a_report_spans_at_most_a_leap_year() -> None:
    assert MAX_DAYS == 366
    leap = parse_query({"date_start": "2024-01-01", "date_end": "2024-12-31"}, UTC, NOW)
    assert leap.end - leap.start == timedelta(days=366)
    longer = _errors({"date_start": "2024-01-01", "date_end": "2025-01-01"})
    assert list(longer) == ["date_end"] and "at most 366 days" in longer["date_end"]
    assert "spans 367" in longer["date_end"]
    # a second too many is a started day too many
    assert list(
        _errors({"date_start": "2024-01-01T00:00:00Z", "date_end": "2025-01-01T00:00:01Z"})
    ) == ["date_end"]
    # only date_start given: the default end (tomorrow) is not the caller's, date_start is
    assert list(_errors({"date_start": "2020-01-01"})) == ["date_start"]
    assert list(_errors({"date_end": "2030-01-01"})) == ["date_end"]


def _report(group_by: str, counts: list[UsageCount]) -> dict[str, object]:
    query = parse_query({"group_by": group_by}, UTC, NOW)
    return render_json(summarize(query, counts))


def test_counts_become_rows_per_key_with_both_directions_and_totals() -> None:
    counts = [  # the store counts by the country it stored with each message
        UsageCount("outbound", "US", "0.83", 3, 3),
        UsageCount("outbound", "US", "1.66", 2, 4),
        UsageCount("outbound", "CA", "0.83", 1, 1),
        UsageCount("inbound", "US", "0.83", 2, 2),
        UsageCount("outbound", "GB", "4.6", 1, 1),
        UsageCount("outbound", "FR", None, 1, 2),  # no rate: counted, costs 0
        UsageCount("outbound", None, None, 1, 1),  # no country (not a valid number)
    ]
    report = _report("country", counts)
    rows = {row["country"]: row for row in report["data"]}  # type: ignore[attr-defined]
    assert list(rows) == ["CA", "FR", "GB", "US", "unknown"]
    assert rows["US"] == {
        "country": "US",
        "outbound_messages": 5,
        "outbound_segments": 7,
        "outbound_cost": "5.81",
        "inbound_messages": 2,
        "inbound_segments": 2,
        "inbound_cost": "1.66",
        "messages": 7,
        "segments": 9,
        "cost": "7.47",
    }
    assert (rows["FR"]["messages"], rows["FR"]["cost"]) == (1, "0")
    assert report["totals"] == {
        "outbound_messages": 9,
        "outbound_segments": 12,
        "outbound_cost": "11.24",
        "inbound_messages": 2,
        "inbound_segments": 2,
        "inbound_cost": "1.66",
        "messages": 11,
        "segments": 14,
        "cost": "12.9",
    }
    assert report["cost_unit"] == "US cents" and report["group_by"] == "country"


def test_an_empty_report_has_zero_totals() -> None:
    report = _report("day", [])
    assert report["data"] == []
    assert report["totals"] == {c: "0" if c.endswith("cost") else 0 for c in COLUMNS}


def test_cost_is_written_plainly() -> None:
    report = _report("number", [UsageCount("outbound", "+14155550100", "4", 25, 25)])
    assert report["totals"]["cost"] == "100"  # type: ignore[index]


def test_csv_is_the_same_report() -> None:
    counts = [
        UsageCount("outbound", "2026-11-01", "0.83", 2, 3),
        UsageCount("inbound", "2026-11-02", "0.83", 1, 1),
    ]
    query = parse_query({"group_by": "day", "format": "csv"}, UTC, NOW)
    report = summarize(query, counts)
    parsed = list(csv.DictReader(io.StringIO(render_csv(report))))
    as_json = render_json(report)
    assert [row["day"] for row in parsed] == ["2026-11-01", "2026-11-02", "total"]
    for row, expected in zip(parsed, [*as_json["data"], as_json["totals"]], strict=True):
        assert {c: row[c] for c in COLUMNS} == {c: str(expected[c]) for c in COLUMNS}
