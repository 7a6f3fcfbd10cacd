"""The store (SQLite on a real file, or PostgreSQL with SMSLAB_TEST_DB=postgresql): migrations,
tenancy in every read, claims, pending events."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gateway.core.dates import iso
from gateway.core.lifecycle import accepted, failed_locally
from gateway.core.models import SmsQuery, StatusEvent
from gateway.core.pacing import Pace
from gateway.store import Store, migrations, open_pg, open_sqlite, open_store
from telecom import Reason
from tests.databases import POSTGRESQL, database_for, run_sql
from tests.gateway.builders import T0, T1, T9, create_org, make_lead, make_number, make_sms


async def test_migrations_are_numbered_applied_once_and_recorded(tmp_path: Path) -> None:
    location = database_for(tmp_path, "m")
    names = [(m.version, m.name) for m in migrations()]
    assert names[0] == (1, "initial") and [v for v, _ in names] == sorted({v for v, _ in names})
    # both dialects ship the same numbers and names
    assert [(m.version, m.name) for m in migrations("postgresql")] == names
    for _ in range(2):  # opening twice must not re-apply anything
        store = await open_store(location)
        await store.close()
    rows = run_sql(location, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == names


@pytest.mark.skipif(POSTGRESQL, reason="about SQLite itself")
async def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = str(tmp_path / "wal.db")
    store = await open_sqlite(path)
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_reads_are_scoped_to_the_organization(store: Store) -> None:
    a, b = await create_org(store, "orga_a"), await create_org(store, "orga_b")
    assert await store.organization_for_key("hash-orga_a") == a
    await store.insert_lead(make_lead("lead_1", a, name="A's"))
    await store.insert_phone_number(
        make_number("phon_1", a, supports_sms_to_countries=("US",), carrier_sid="PN1")
    )
    await store.insert_sms(make_sms())
    assert await store.get_lead(b, "lead_1") is None
    assert await store.get_phone_number(b, "phon_1") is None
    assert await store.get_sms(b, "acti_1") is None
    assert await store.list_sms(SmsQuery(organization_id=b)) == []
    assert (await store.list_leads(b, 0, 10)) == ([], 0)
    assert (await store.find_rented_number("+14155550100")).organization_id == a  # type: ignore


async def test_claims_and_the_pending_callback_replay(store: Store) -> None:
    await create_org(store)
    await store.insert_sms(make_sms("acti_1"))
    await store.insert_sms(make_sms("acti_2", due_at=T9, due_since=T9))
    due = await store.due_sms(T1, 10, 10, frozenset())
    assert [d.id for d in due] == ["acti_1"]
    assert await store.claim_sms(["acti_1"], T1, T9) == ["acti_1"]
    assert await store.claim_sms(["acti_1"], T1, T9) == []  # leased: not twice
    assert await store.due_sms(T1, 10, 10, frozenset()) == []
    # a callback arrives before the create answer tells us the sid
    event = StatusEvent("SM1", "delivered", None, T1, {"MessageStatus": "delivered"})
    assert await store.record_status(event) is None
    await store.record_accepted("acti_1", "SM1", accepted("queued"), T1)
    sms = await store.get_sms("orga_a", "acti_1")
    assert sms is not None
    assert (sms.status, sms.delivery_status, sms.carrier_sid, sms.due_at) == (
        "sent",
        "delivered",
        "SM1",
        None,
    )
    # a callback for a known sid answers the message it matched (the observer's log and lag)
    again = StatusEvent("SM1", "delivered", None, T1, {"MessageStatus": "delivered"})
    assert sms.date_sent is not None
    assert await store.record_status(again) == ("acti_1", sms.date_sent)
    # a draft cannot be cancelled once the carrier has it
    assert await store.update_sms(make_sms("acti_1", status="draft"), "sent", T1) is False


async def test_a_final_create_answer_and_held_callbacks_go_through_the_lifecycle(
    store: Store,
) -> None:
    await create_org(store)
    for sms_id in ("acti_1", "acti_2"):
        await store.insert_sms(make_sms(sms_id))
    # the create was repeated after a timeout; meanwhile the carrier posted `sent`, and its
    # answer now says the message is undelivered, landline (30006)
    await store.record_status(StatusEvent("SM1", "sent", None, T1))
    await store.record_accepted(
        "acti_1", "SM1", accepted("undelivered", 30006), T1, segments=2, cost="1.66"
    )
    # a failure that overtook the create answer applies once the sid is known
    await store.record_status(StatusEvent("SM2", "undelivered", 30007, T1))
    await store.record_accepted("acti_2", "SM2", accepted("sent"), T1)
    one, two = [await store.get_sms("orga_a", i) for i in ("acti_1", "acti_2")]
    assert one is not None and two is not None
    assert (one.status, one.delivery_status, one.error_code, one.error_reason) == (
        "error",
        "undelivered",
        30006,
        "landline",
    )
    assert (one.segments, one.cost) == (2, "1.66")  # the carrier's count, not ours
    assert (two.status, two.delivery_status, two.error_code, two.error_reason) == (
        "error",
        "undelivered",
        30007,
        "spam",
    )
    assert (two.segments, two.cost) == (1, None)  # nothing told: what compose stored


async def test_releasing_a_number_ends_what_it_still_owes(store: Store) -> None:
    await create_org(store)
    await create_org(store, "orga_b")
    await store.insert_phone_number(make_number())
    await store.insert_sms(make_sms("acti_queued"))
    await store.insert_sms(make_sms("acti_scheduled", status="scheduled", due_at=T9, due_since=T9))
    await store.insert_sms(make_sms("acti_claimed"))
    await store.insert_sms(make_sms("acti_sent", status="sent", due_at=None, carrier_sid="SM1"))
    await store.insert_sms(make_sms("acti_other_org", org="orga_b"))
    assert await store.claim_sms(["acti_claimed"], T1, T9) == ["acti_claimed"]  # in flight
    ended = failed_locally(Reason.NUMBER_RELEASED)
    assert await store.release_phone_number("orga_a", "phon_1", ended, T1) == 2
    assert await store.get_phone_number("orga_a", "phon_1") is None
    got = {
        i: await store.get_sms(o, i)
        for o, i in (
            ("orga_a", "acti_queued"),
            ("orga_a", "acti_scheduled"),
            ("orga_a", "acti_claimed"),
            ("orga_a", "acti_sent"),
            ("orga_b", "acti_other_org"),
        )
    }
    assert {i: (s.status, s.error_reason, s.due_at is None) for i, s in got.items() if s} == {
        "acti_queued": ("error", "number_released", True),
        "acti_scheduled": ("error", "number_released", True),
        "acti_claimed": ("outbox", None, False),  # its send decides: the next claim ends it
        "acti_sent": ("sent", None, True),
        "acti_other_org": ("outbox", None, False),
    }
    assert await store.release_phone_number("orga_a", "phon_1", ended, T1) == 0


async def test_release_claims_after_a_crash(tmp_path: Path) -> None:
    location = database_for(tmp_path, "store")
    crashed = await open_store(location)
    await create_org(crashed)
    await crashed.insert_sms(make_sms())
    assert await crashed.claim_sms(["acti_1"], T1, T9) == ["acti_1"]
    await crashed.close()
    store = await open_store(location)
    try:
        assert await store.due_sms(T1, 10, 10, frozenset()) == []  # leased until T9
        await store.release_claims()
        # claimed before: its create may have reached the carrier, and the store remembers
        assert [
            (d.id, d.first_claimed_at) for d in await store.due_sms(T1, 10, 10, frozenset())
        ] == [("acti_1", T1)]
    finally:
        await store.close()


@pytest.mark.skipif(not POSTGRESQL, reason="one SQLite database has one gateway process")
async def test_a_starting_process_leaves_live_claims_alone(tmp_path: Path) -> None:
    location = database_for(tmp_path, "store")
    running, starting = await open_store(location), await open_store(location)
    try:
        await create_org(running)
        await running.insert_sms(make_sms())
        assert await running.claim_sms(["acti_1"], T1, T9) == ["acti_1"]
        await starting.release_claims()
        assert await starting.due_sms(T1, 10, 10, frozenset()) == []
        assert await starting.claim_sms(["acti_1"], T1, T9) == []
    finally:
        await running.close()
        await starting.close()


async def test_due_caps_each_sender_and_skips_waiting_ones(store: Store) -> None:
    await create_org(store)
    for i in range(5):
        await store.insert_sms(make_sms(f"acti_a{i}"))
    await store.insert_sms(make_sms("acti_b", local_phone="+14155550101", due_at=T1, due_since=T1))
    due = await store.due_sms(T9, 10, 2, frozenset())
    assert [d.id for d in due] == ["acti_a0", "acti_a1", "acti_b"]
    due = await store.due_sms(T9, 10, 2, frozenset({"+14155550100"}))
    assert [d.id for d in due] == ["acti_b"]


async def test_concurrent_callbacks_end_at_the_furthest_status(store: Store) -> None:
    import asyncio

    await create_org(store)
    for i in range(20):
        await store.insert_sms(make_sms(f"acti_{i}"))
        await store.record_accepted(f"acti_{i}", f"SM{i}", accepted("queued"), T1)
    events = [
        StatusEvent(f"SM{i}", status, None, T9)
        for i in range(20)
        for status in ("sent", "delivered", "sent", "delivered")
    ]
    assert all(await asyncio.gather(*(store.record_status(e) for e in events)))
    found = await store.list_sms(SmsQuery(organization_id="orga_a"))
    assert {(s.status, s.delivery_status) for s in found} == {("sent", "delivered")}


async def test_due_sms_carry_their_segments(store: Store) -> None:
    await create_org(store)
    await store.insert_sms(make_sms("acti_long", segments=3))
    [due] = await store.due_sms(T9, 10, 2, frozenset())
    assert due.segments == 3  # the dispatcher's pacer takes three of the number's slots


@pytest.mark.skipif(not POSTGRESQL, reason="the shared pace is PostgreSQL's")
async def test_the_shared_pace_counts_segments(tmp_path: Path) -> None:
    store = await open_pg(database_for(tmp_path, "store"), pace=Pace(per_second=10, slack=0.0))
    try:
        await create_org(store)
        ids = [f"acti_{i}" for i in range(3)]
        for sms_id in ids:
            await store.insert_sms(make_sms(sms_id, segments=3))
        start, when = datetime.fromisoformat(T1), {}
        for step in range(10):  # claiming every 100 ms for a second
            for sms_id in await store.claim_sms(ids, iso(start + timedelta(seconds=step / 10)), T9):
                when[sms_id] = step / 10
        assert when == {"acti_0": 0.0, "acti_1": 0.3, "acti_2": 0.6}  # 3 slots of 0.1 s each
    finally:
        await store.close()


@pytest.mark.skipif(not POSTGRESQL, reason="one SQLite database has one gateway process")
async def test_processes_share_each_numbers_pace(tmp_path: Path) -> None:
    location = database_for(tmp_path, "store")
    pace = Pace(per_second=10, slack=0.0)
    a, b = await open_pg(location, pace=pace), await open_pg(location, pace=pace)
    try:
        await create_org(a)
        ids = [f"acti_{i:02d}" for i in range(40)]
        for sms_id in ids:
            await a.insert_sms(make_sms(sms_id))
        await a.insert_sms(make_sms("acti_other", local_phone="+14155550101"))
        claimed: list[str] = []
        start = datetime.fromisoformat(T1)
        for step in range(20):  # two seconds, both processes claiming every 100 ms
            moment = iso(start + timedelta(milliseconds=100 * step))
            for store in (a, b) if step % 2 else (b, a):
                claimed += await store.claim_sms([*ids, "acti_other"], moment, T9)
        assert "acti_other" in claimed  # another number has its own budget
        # ten a second between them, as one process alone would send: 2 s -> 20, not 40
        assert len(claimed) - 1 == 20 and len(set(claimed)) == len(claimed)
        assert claimed[:3] == ["acti_00", "acti_other", "acti_01"]  # oldest first
    finally:
        await a.close()
        await b.close()


async def test_the_first_claim_is_kept_until_a_create_certainly_failed(store: Store) -> None:
    await create_org(store)
    await store.insert_sms(make_sms())
    [due] = await store.due_sms(T1, 10, 10, frozenset())
    assert due.first_claimed_at is None  # never claimed: nothing of it can be at the carrier
    t2, t3 = T1.replace(":01.", ":02."), T1.replace(":01.", ":03.")
    assert await store.claim_sms(["acti_1"], T1, t2) == ["acti_1"]
    await store.record_retry("acti_1", 1, T1)
    assert await store.claim_sms(["acti_1"], t2, t3) == ["acti_1"]  # the first claim stays
    await store.record_retry("acti_1", 2, T1)
    assert (await store.due_sms(t3, 10, 10, frozenset()))[0].first_claimed_at == T1
    await store.record_retry("acti_1", 3, T1, unsent=True)
    assert (await store.due_sms(t3, 10, 10, frozenset()))[0].first_claimed_at is None


async def _status(store: Store, sms_id: str) -> str:
    sms = await store.get_sms("orga_a", sms_id)
    assert sms is not None
    return sms.status


async def test_expire_unclaimed_spares_claimed_messages_and_young_ones(store: Store) -> None:
    await create_org(store)
    for sms_id, due_since in (
        ("acti_old", T0),
        ("acti_young", T9),
        ("acti_tried", T0),
        ("acti_leased", T0),
    ):
        await store.insert_sms(make_sms(sms_id, due_since=due_since))
    await store.claim_sms(["acti_tried"], T1, T1)
    await store.record_retry("acti_tried", 1, T0)
    await store.claim_sms(["acti_leased"], T1, T9)
    expired = failed_locally(Reason.EXPIRED)
    assert await store.expire_unclaimed(T1, T1, expired, keep_claimed_before=True) == 1
    sms = await store.get_sms("orga_a", "acti_old")
    assert sms is not None
    assert (sms.status, sms.error_reason, sms.due_at) == ("error", "expired", None)
    for kept in ("acti_young", "acti_tried", "acti_leased"):
        assert await _status(store, kept) == "outbox"
    # at a carrier that deduplicates, a message tried before may expire as well
    assert await store.expire_unclaimed(T1, T1, expired, keep_claimed_before=False) == 1
    assert await _status(store, "acti_tried") == "error"
