"""Usage counts in the store on a mixed fixture, and refusals that cost nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from gateway.core.lifecycle import accepted, rejected
from gateway.core.models import Sms
from gateway.core.usage import UsageCount, parse_query, render_json, summarize
from gateway.store import Store
from tests.gateway.builders import DAY2, DAY3, T0, create_org, make_sms, mixed_usage


async def _fill(store: Store) -> list[Sms]:
    await create_org(store)
    rows = mixed_usage()
    for sms in rows:
        await store.insert_sms(sms)
    await create_org(store, "orga_b")
    await store.insert_sms(
        make_sms(
            "acti_b",
            org="orga_b",
            carrier_sid="SMB",
            date_sent=DAY2,
            cost="9",
            status="sent",
            due_at=None,
        )
    )
    return rows


def _report(group_by: str, counts: list[UsageCount]) -> dict[str, object]:
    query = parse_query(
        {"date_start": "2026-11-01", "date_end": "2026-11-30", "group_by": group_by},
        UTC,
        datetime(2026, 11, 27, tzinfo=UTC),
    )
    return render_json(summarize(query, counts))


async def _counts(store: Store, group_by: str, tz_minutes: int = 0) -> list[UsageCount]:
    return await store.usage_counts(
        "orga_a",
        "2026-11-01T00:00:00.000000+00:00",
        "2026-12-01T00:00:00.000000+00:00",
        group_by,
        tz_minutes,
    )


async def test_totals_are_the_sum_over_carrier_traffic(store: Store) -> None:
    rows = await _fill(store)
    billed = [s for s in rows if s.carrier_sid and s.id != "acti_late"]
    for group_by in ("country", "number", "day"):
        report = _report(group_by, await _counts(store, group_by))
        totals = report["totals"]
        assert totals["messages"] == len(billed)  # type: ignore[index]
        assert totals["segments"] == sum(s.segments for s in billed)  # type: ignore[index]
        assert Decimal(totals["cost"]) == sum(Decimal(s.cost or 0) for s in billed)  # type: ignore[index]
        assert totals["inbound_messages"] == 2  # type: ignore[index]


async def test_rows_by_country_number_and_day(store: Store) -> None:
    await _fill(store)
    by_country = {
        r["country"]: r for r in _report("country", await _counts(store, "country"))["data"]
    }  # type: ignore[attr-defined]
    assert sorted(by_country) == ["CA", "GB", "US"]
    assert (
        by_country["US"]["outbound_messages"],
        by_country["US"]["outbound_cost"],
        by_country["US"]["inbound_messages"],
    ) == (3, "3.32", 1)
    assert (by_country["GB"]["outbound_cost"], by_country["GB"]["inbound_cost"]) == ("4.6", "0.83")
    by_number = {
        r["number"]: r["messages"]
        for r in _report("number", await _counts(store, "number"))["data"]
    }  # type: ignore[attr-defined]
    assert by_number == {"+14155550100": 5, "+447400100000": 2}
    by_day = {r["day"]: r["messages"] for r in _report("day", await _counts(store, "day"))["data"]}  # type: ignore[attr-defined]
    assert by_day == {"2026-11-01": 2, "2026-11-02": 2, "2026-11-03": 3}
    # at UTC+1 the 23:30 messages belong to the next day
    shifted = {
        r["day"]: r["messages"] for r in _report("day", await _counts(store, "day", 60))["data"]
    }  # type: ignore[attr-defined]
    assert shifted == {"2026-11-02": 4, "2026-11-03": 3}


async def test_the_range_is_start_inclusive_end_exclusive(store: Store) -> None:
    await _fill(store)
    counts = await store.usage_counts("orga_a", DAY2, DAY3, "day")
    assert sum(c.messages for c in counts) == 2  # the two at DAY2, none at DAY3


async def test_a_refusal_costs_nothing_and_never_undoes_an_acceptance(store: Store) -> None:
    await create_org(store)
    await store.insert_sms(make_sms("acti_1", cost="0.83"))
    await store.insert_sms(make_sms("acti_2", cost="0.83"))
    await store.record_refused("acti_1", rejected(21614), T0)
    refused = await store.get_sms("orga_a", "acti_1")
    assert refused is not None
    assert (refused.status, refused.error_code, refused.cost, refused.due_at) == (
        "error",
        21614,
        None,
        None,
    )
    await store.record_accepted("acti_2", "SM2", accepted(), T0)
    await store.record_refused("acti_2", rejected(21614), T0)  # a stale answer: ignored
    kept = await store.get_sms("orga_a", "acti_2")
    assert kept is not None and (kept.status, kept.cost) == ("sent", "0.83")
