"""/api/v1/usage/sms/: JSON and CSV over a mixed fixture, the query string's 400s, tenancy."""

from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal

import aiohttp
import pytest

from gateway.core.usage import COLUMNS
from gateway.keys import STORE
from tests.gateway.builders import mixed_usage
from tests.gateway.harness import Harness

PATH = "/api/v1/usage/sms/"
RANGE = {"date_start": "2026-11-01", "date_end": "2026-11-30"}


async def _fixture(harness: Harness) -> tuple[str, str]:
    """Two organizations; the first holds the mixed rows (re-keyed to its id)."""
    key = await harness.new_org()
    org = (await harness.rent(key))["organization_id"]
    store = harness.app[STORE]
    for sms in mixed_usage():
        await store.insert_sms(dataclasses.replace(sms, organization_id=org))
    return key, await harness.new_org("Other")


async def test_json_by_country_number_and_day(harness: Harness) -> None:
    key, other = await _fixture(harness)
    for group_by, keys in (
        ("country", ["CA", "GB", "US"]),
        ("number", ["+14155550100", "+447400100000"]),
        ("day", ["2026-11-01", "2026-11-02", "2026-11-03"]),
    ):
        status, report = await harness.request(
            key, "GET", PATH, params={**RANGE, "group_by": group_by}
        )
        assert status == 200, report
        assert [row[group_by] for row in report["data"]] == keys
        assert report["totals"]["messages"] == 7 and report["totals"]["cost"] == "10.41"
        assert report["date_start"] == "2026-11-01T00:00:00.000000+00:00"
        assert report["date_end"] == "2026-12-01T00:00:00.000000+00:00"
        for measure in ("messages", "segments"):
            assert sum(row[measure] for row in report["data"]) == report["totals"][measure]
        assert sum(Decimal(row["cost"]) for row in report["data"]) == Decimal("10.41")
    status, empty = await harness.request(other, "GET", PATH, params=RANGE)
    assert status == 200 and empty["data"] == [] and empty["totals"]["messages"] == 0


async def test_days_follow_x_tz_offset(harness: Harness) -> None:
    key, _ = await _fixture(harness)
    status, report = await harness.request(
        key, "GET", PATH, params={**RANGE, "group_by": "day"}, headers={"X-TZ-Offset": "1"}
    )
    assert status == 200
    assert {r["day"]: r["messages"] for r in report["data"]} == {"2026-11-02": 4, "2026-11-03": 3}


async def test_csv_parses_back_to_the_same_numbers(harness: Harness) -> None:
    key, _ = await _fixture(harness)
    _, as_json = await harness.request(key, "GET", PATH, params={**RANGE, "group_by": "day"})
    async with harness.session.get(
        f"{harness.url}{PATH}",
        params={**RANGE, "group_by": "day", "format": "csv"},
        headers=_auth(key),
    ) as response:
        assert response.status == 200
        assert response.content_type == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        text = await response.text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["day"] for r in rows] == [*(r["day"] for r in as_json["data"]), "total"]
    for row, expected in zip(rows, [*as_json["data"], as_json["totals"]], strict=True):
        assert {c: row[c] for c in COLUMNS} == {c: str(expected[c]) for c in COLUMNS}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(key, "")}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"group_by": "month"}, "group_by"),
        ({"format": "pdf"}, "format"),
        ({"date_start": "last week"}, "date_start"),
        ({"date_end": "2026-02-30"}, "date_end"),
        ({"date_start": "2026-11-02", "date_end": "2026-11-01"}, "date_end"),
        ({"group": "day"}, "group"),
        ({"date_start": "2025-01-01", "date_end": "2026-01-02"}, "date_end"),  # 367 days
        ({"date_start": "2000-01-01"}, "date_start"),
    ],
)
async def test_a_bad_query_string_is_400_naming_the_parameter(
    harness: Harness, params: dict[str, str], name: str
) -> None:
    key = await harness.new_org()
    status, body = await harness.request(key, "GET", PATH, params=params)
    assert status == 400
    assert list(body["field-errors"]) == [name] and name in body["field-errors"][name]


async def test_needs_a_key(harness: Harness) -> None:
    status, body = await harness.request(None, "GET", PATH)
    assert status == 401 and body == {"error": "Unauthorized"}
