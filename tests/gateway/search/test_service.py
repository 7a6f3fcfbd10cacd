"""`GET /api/v1/lead/?query=` through the real gateway (gateway/search/service.py and its
one-line hook in gateway/api/lead.py): Close's list shape with total_results, paging,
_fields, tenancy, the caller's time zone, 400s that say where and what, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from gateway.core.dates import iso
from gateway.core.models import Sms
from gateway.keys import STORE
from gateway.search.parse import MAX_DEPTH, MAX_TERMS
from tests.databases import run_sql
from tests.gateway.builders import make_sms
from tests.gateway.harness import Harness, in_thread
from tests.gateway.search.adversarial import corpus


def _sms(
    org: str,
    lead: dict[str, Any],
    status: str,
    when: datetime,
    direction: str = "outbound",
    text: str = "Hello",
) -> Sms:
    return make_sms(
        f"acti_{lead['id'][-8:]}{when.timestamp():.6f}{status}",
        org,
        lead_id=lead["id"],
        direction=direction,
        status=status,
        text=text,
        local_phone="+14155550000",
        remote_phone="+14155550001",
        date_created=iso(when),
        date_updated=iso(when),
        due_at=None,
        due_since=None,
        error_code=30006 if status == "error" else None,
        error_reason="landline" if status == "error" else None,
    )


async def _world(harness: Harness, key: str) -> dict[str, dict[str, Any]]:
    """Four leads made through the API; their SMS written through the store (this file tests
    the search, not the dispatcher: tests/e2e/test_search_seed_queries.py sends for real)."""
    # minutes before now, but never before today's midnight (UTC): `created:today` must hold
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    now = max(datetime.now(UTC), midnight + timedelta(minutes=10))
    leads = {}
    for i, name in enumerate(("none", "one", "two", "latest")):
        leads[name] = await harness.lead_with(key, f"+1415555010{i}", name=f"Lead {name}")
    org = leads["none"]["organization_id"]
    store = harness.app[STORE]
    rows = [
        _sms(org, leads["none"], "sent", now - timedelta(minutes=5)),
        _sms(org, leads["one"], "error", now - timedelta(minutes=4)),
        _sms(org, leads["one"], "sent", now - timedelta(minutes=3)),
        _sms(org, leads["two"], "error", now - timedelta(minutes=4)),
        _sms(org, leads["two"], "error", now - timedelta(minutes=3)),
        _sms(org, leads["latest"], "sent", now - timedelta(minutes=4)),
        _sms(org, leads["latest"], "error", now - timedelta(minutes=3)),
        _sms(org, leads["latest"], "inbox", now - timedelta(minutes=2), "inbound"),
    ]
    for row in rows:
        await store.insert_sms(row)
    return leads


async def _search(harness: Harness, key: str, query: str, **params: Any) -> tuple[int, Any]:
    headers = params.pop("headers", {})
    return await harness.request(
        key, "GET", "/api/v1/lead/", params={"query": query, **params}, headers=headers
    )


def _names(body: dict[str, Any]) -> list[str]:
    return [lead["name"] for lead in body["data"]]


async def test_the_seed_queries(harness: Harness) -> None:
    key = await harness.new_org()
    leads = await _world(harness, key)
    answers = {
        "failed_sms > 1": ["Lead two"],
        "has:error_sms_messages": ["Lead latest", "Lead two", "Lead one"],
        "sms(created:today direction:outgoing status:error)": [
            "Lead latest",
            "Lead two",
            "Lead one",
        ],
        "latest_sms_status:error": ["Lead latest", "Lead two"],
    }
    for query, names in answers.items():
        status, body = await _search(harness, key, query)
        assert status == 200, body
        assert (_names(body), body["has_more"], body["total_results"]) == (
            names,
            False,
            len(names),
        ), query
    # rendered exactly as the lead list renders them
    _, body = await _search(harness, key, "failed_sms > 1")
    assert body["data"] == [await harness.api(key, "GET", f"lead/{leads['two']['id']}/")]


async def test_paging_count_only_and_fields(harness: Harness) -> None:
    key = await harness.new_org()
    await _world(harness, key)
    _, first = await _search(harness, key, "has:error_sms_messages", _limit=2)
    _, rest = await _search(harness, key, "has:error_sms_messages", _limit=2, _skip=2)
    assert _names(first) == ["Lead latest", "Lead two"] and first["has_more"] is True
    assert _names(rest) == ["Lead one"] and rest["has_more"] is False
    _, count = await _search(harness, key, "has:error_sms_messages", _limit=0)
    assert count["data"] == [] and count["total_results"] == 3
    _, narrow = await _search(harness, key, "failed_sms > 1", _fields="id,name")
    assert set(narrow["data"][0]) == {"id", "name"}


async def test_closes_own_client_reads_total_results(harness: Harness) -> None:
    key = await harness.new_org()
    await _world(harness, key)
    api = harness.close_api(key)
    answer = await in_thread(
        api.get, "lead", params={"query": "failed_sms > 1", "_limit": 0, "_fields": "id"}
    )
    assert answer["total_results"] == 1


async def test_scoped_to_the_callers_organization(harness: Harness) -> None:
    ours, theirs = await harness.new_org("Ours"), await harness.new_org("Theirs")
    await _world(harness, ours)
    for query in ("has:error_sms_messages", "*", "not failed_sms > 0", "phone:+14155550100"):
        _, body = await _search(harness, theirs, query)
        assert (body["data"], body["total_results"]) == ([], 0), query


async def test_blank_query_is_the_plain_list(harness: Harness) -> None:
    key = await harness.new_org()
    await _world(harness, key)
    _, body = await _search(harness, key, "   ")
    assert body["total_results"] == 4


async def test_the_callers_zone_decides_what_today_is(harness: Harness) -> None:
    key = await harness.new_org()
    lead = await harness.lead_with(key, "+14155550100", name="Six hours ago")
    now = datetime.now(UTC)
    await harness.app[STORE].insert_sms(
        _sms(lead["organization_id"], lead, "error", now - timedelta(hours=6))
    )
    # an offset that makes it 03:00 for the caller: six hours ago was yesterday there
    hours = (3 - now.hour - now.minute / 60 + 12) % 24 - 12
    zone = {"X-TZ-Offset": f"{hours:.4f}"}
    _, today = await _search(harness, key, "sms(created:today)", headers=zone)
    _, yesterday = await _search(harness, key, "sms(created:yesterday)", headers=zone)
    assert (today["total_results"], yesterday["total_results"]) == (0, 1)


async def test_a_malformed_query_says_where_and_what_was_expected(harness: Harness) -> None:
    key = await harness.new_org()
    status, body = await _search(harness, key, "sms(status:error")
    assert status == 400 and body["errors"] == []
    message = body["field-errors"]["query"]
    assert "Expected ')'" in message and "at position 16" in message
    status, body = await _search(harness, key, "failed_sms >")
    assert status == 400 and "Expected a value" in body["field-errors"]["query"]


async def test_an_unknown_field_is_named_with_the_known_ones(harness: Harness) -> None:
    key = await harness.new_org()
    status, body = await _search(harness, key, "email_address:x")
    assert status == 400
    message = body["field-errors"]["query"]
    assert "'email_address'" in message and "failed_sms" in message and "sms(...)" in message
    status, body = await _search(harness, key, "sms(lead:x)")
    assert status == 400 and "'lead' inside sms(...)" in body["field-errors"]["query"]


async def test_the_largest_queries_allowed_run_and_one_more_clause_is_a_400(
    harness: Harness,
) -> None:
    # SQLite refuses expression trees deeper than 1,000; the clause limit keeps us far below
    key = await harness.new_org()
    await _world(harness, key)
    largest = [
        "* " * MAX_TERMS,
        "sms(" + "* " * (MAX_TERMS - 1) + ")",
        " or ".join(["name:lead"] * MAX_TERMS),
        " ".join(["sms(created:today status:error)"] * (MAX_TERMS // 2)),
        "not " * (MAX_DEPTH - 2) + "(" + " ".join(["failed_sms > 0"] * (MAX_TERMS - 1)) + ")",
        "(" * 31 + " ".join(["latest_sms_status:error"] * 150) + ")" * 31,
    ]
    for query in largest:
        status, body = await _search(harness, key, query)
        assert status == 200, (query[:60], body)
    status, body = await _search(harness, key, "* " * (MAX_TERMS + 1))
    assert status == 400 and f"more than {MAX_TERMS} clauses" in body["field-errors"]["query"]


def _snapshot(location: str) -> list[list[tuple[Any, ...]]]:
    return [
        sorted(run_sql(location, f"SELECT * FROM {table}"), key=repr)
        for table in ("organizations", "leads", "contacts", "contact_phones", "sms")
    ]


async def test_hostile_queries_get_200_or_400_and_change_nothing(harness: Harness) -> None:
    key = await harness.new_org()
    await _world(harness, key)
    before = _snapshot(harness.db)
    seen = set()
    hostile = [
        "'; DROP TABLE leads; --",
        'name:"\'); DELETE FROM sms; --"',
        "name:%",
        "x" * 100_000,
        "* " * 1999,
        "sms(" + "* " * 1990 + ")",
    ]
    for text in [*corpus(seed=4, count=300), *hostile]:
        # surrogates cannot be UTF-8: send their bytes raw, as a broken client would
        raw = quote(text.encode("utf-8", "surrogatepass"), safe="")
        status, body = await harness.request(key, "GET", f"/api/v1/lead/?query={raw}")
        assert status in (200, 400), (text, status, body)
        if isinstance(body, str):  # aiohttp's own parser refuses a request line over 8 KiB
            assert len(raw) > 8000 and "8190 bytes" in body, (text, body)
        elif status == 200:
            assert isinstance(body["total_results"], int)
        else:
            assert "query" in body["field-errors"], body
        seen.add(status)
    assert seen == {200, 400}
    assert _snapshot(harness.db) == before
