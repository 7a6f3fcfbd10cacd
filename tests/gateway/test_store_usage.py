"""Usage counts in the store on a mixed fixture, and refusals that cost nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from gateway.core.lifecycle import accepted, rejected
from gateway.core.models import Sms
from gateway.core.usage import UsageCount, parse_query, render_json, summarize
from gateway.store import Store
from tests.gateway.test_store import T0, create_org, make_sms, store

__all__ = ["store"]

DAY1 = "2026-11-01T23:30:00.000000+00:00"  # 2026-11-02 00:30 at UTC+1
DAY2 = "2026-11-02T10:00:00.000000+00:00"
DAY3 = "2026-11-03T10:00:00.000000+00:00"
LATER = "2026-12-01T00:00:00.000000+00:00"


def _mixed() -> list[Sms]:
    """Several countries, both directions, three days, failures of every kind."""
    out = dict(status="sent", due_at=None, delivery_status="delivered")
    return [
        make_sms("acti_us1", carrier_sid="SM1", date_sent=DAY1, cost="0.83", **out),
        make_sms("acti_us2", carrier_sid="SM2", date_sent=DAY2, cost="1.66", segments=2, **out),
        make_sms(
            "acti_ca",
            remote_phone="+16135550100",
            carrier_sid="SM3",
            date_sent=DAY2,
            cost="0.83",
            **out,
        ),
        make_sms(
            "acti_gb",
            local_phone="+447400100000",
            remote_phone="+447400100001",
            carrier_sid="SM4",
            date_sent=DAY3,
            cost="4.6",
            **out,
        ),
        # accepted, then filtered as spam: the carrier took it, so it is billed
        make_sms(
            "acti_spam",
            carrier_sid="SM5",
            date_sent=DAY3,
            cost="0.83",
            status="error",
            delivery_status="undelivered",
            error_reason="spam",
            due_at=None,
        ),
        # inbound: priced in the receiving number's country
        make_sms(
            "acti_in1",
            direction="inbound",
            status="inbox",
            carrier_sid="SM6",
            date_created=DAY1,
            cost="0.83",
            due_at=None,
        ),
        make_sms(
            "acti_in2",
            direction="inbound",
            status="inbox",
            local_phone="+447400100000",
            remote_phone="+14155550199",
            carrier_sid="SM7",
            date_created=DAY3,
            cost="0.83",
            due_at=None,
        ),
        # refused before the carrier, logged through the API, pending, or out of range
        make_sms("acti_local", status="error", error_reason="unsupported_country", due_at=None),
        make_sms("acti_logged", status="sent", cost="0.83", date_created=DAY2, due_at=None),
        make_sms("acti_draft", status="draft", cost="0.83", date_created=DAY2, due_at=None),
        make_sms("acti_late", carrier_sid="SM8", date_sent=LATER, cost="0.83", **out),
    ]


async def _fill(store: Store) -> list[Sms]:
    await create_org(store)
    rows = _mixed()
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
