"""lead_sms_summary (migration 004), which `latest_sms_status` reads, stays what its rule says
through every kind of write, issued the way the gateway issues them: the store's own methods
and the carrier intake, on a real database (SQLite, or PostgreSQL's plpgsql twin with
SMSLAB_TEST_DB=postgresql). After every step the table is compared with the
rule applied in Python (`latest_outbound`, the evaluator's) to the SMS as stored."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.core.lifecycle import accepted, failed_locally
from gateway.core.models import Sms, StatusEvent
from gateway.search.evaluate import latest_outbound
from gateway.store import Store, open_store
from gateway.store.rows import sms_from_row
from telecom import Reason
from tests.databases import database_for, migrated_before, run_sql
from tests.gateway.builders import create_org, make_lead, make_sms

ORG, OTHER = "orga_a", "orga_b"
T = [f"2026-11-27T08:00:0{i}.000000+00:00" for i in range(10)]
Row = tuple[str, str, str]  # latest outbound SMS: id, date_created, status


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await _open(database_for(tmp_path, "summary"))
    yield s
    await s.close()


async def _open(location: str) -> Store:
    store = await open_store(location, synchronous="OFF")
    for org in (ORG, OTHER):
        await create_org(store, org, key_hash=f"key-{org}", created=T[0])
        for lead in ("lead_1", "lead_2"):
            await store.insert_lead(
                make_lead(f"{lead}{org[-1]}", org, name=lead, date_created=T[0], date_updated=T[0])
            )
    return store


def sms(
    sms_id: str,
    created: str,
    lead: str | None = "lead_1a",
    org: str = ORG,
    direction: str = "outbound",
    status: str = "draft",
) -> Sms:
    return make_sms(
        sms_id,
        org,
        lead_id=lead,
        direction=direction,
        status=status,
        date_created=created,
        date_updated=created,
        due_at=None,
        due_since=None,
    )


async def summary(store: Store) -> dict[tuple[str, str], Row]:
    """The table, after checking it against the rule applied to every stored SMS."""
    rows = await store._all(
        "SELECT organization_id, lead_id, latest_outbound_id,"
        " latest_outbound_created, latest_outbound_status"
        " FROM lead_sms_summary"
    )
    table = {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}
    by_lead: dict[tuple[str, str], list[Sms]] = defaultdict(list)
    for row in await store._all("SELECT * FROM sms WHERE lead_id IS NOT NULL"):
        message = sms_from_row(row)
        by_lead[(message.organization_id, str(message.lead_id))].append(message)
    expected = {}
    for key, messages in by_lead.items():
        latest = latest_outbound(messages)
        if latest is not None:
            expected[key] = (latest.id, latest.date_created, latest.status)
    assert table == expected
    return table


async def latest(store: Store, lead: str = "lead_1a", org: str = ORG) -> Row | None:
    return (await summary(store)).get((org, lead))


async def update(store: Store, message: Sms, **changes: object) -> Sms:
    """The API's PUT: the store's conditional update must still see its one row change."""
    changed = dataclasses.replace(message, **changes)  # type: ignore[arg-type]
    assert await store.update_sms(changed, message.status, T[9])
    return changed


async def test_inserts_keep_the_latest_outbound_whatever_the_order(store: Store) -> None:
    await store.insert_sms(sms("acti_m", T[5]))
    assert await latest(store) == ("acti_m", T[5], "draft")
    await store.insert_sms(sms("acti_in", T[8], direction="inbound", status="inbox"))
    await store.insert_sms(sms("acti_early", T[2], status="error"))  # arrives late, older
    await store.insert_sms(sms("acti_none", T[9], lead=None))  # no lead: nobody's latest
    assert await latest(store) == ("acti_m", T[5], "draft")
    await store.insert_sms(sms("acti_a", T[5], status="sent"))  # same moment, smaller id
    assert await latest(store) == ("acti_m", T[5], "draft")
    await store.insert_sms(sms("acti_z", T[5], status="error"))  # same moment, greater id
    assert await latest(store) == ("acti_z", T[5], "error")
    await store.insert_sms(sms("acti_n", T[6], status="scheduled"))
    assert await latest(store) == ("acti_n", T[6], "scheduled")
    # another organization's SMS on the same lead id is that organization's question
    await store.insert_sms(sms("acti_o", T[9], org=OTHER, status="error"))
    assert await latest(store) == ("acti_n", T[6], "scheduled")
    assert await latest(store, org=OTHER) == ("acti_o", T[9], "error")
    assert await latest(store, "lead_2a") is None


async def test_every_status_transition_of_the_latest_shows(store: Store) -> None:
    older = sms("acti_1", T[1], status="sent")
    await store.insert_sms(older)
    draft = sms("acti_2", T[2])
    await store.insert_sms(draft)
    scheduled = await update(store, draft, status="scheduled", date_scheduled=T[9])
    assert await latest(store) == ("acti_2", T[2], "scheduled")
    await update(store, scheduled, status="outbox", due_at=T[3], due_since=T[3])
    assert await latest(store) == ("acti_2", T[2], "outbox")
    # the dispatcher hands it over; the carrier's callbacks come through the intake
    await store.record_accepted("acti_2", "SM2", accepted(), T[4])
    assert await latest(store) == ("acti_2", T[2], "sent")
    assert await store.record_status(StatusEvent("SM2", "sent", None, T[5]))
    assert await latest(store) == ("acti_2", T[2], "sent")
    assert await store.record_status(StatusEvent("SM2", "undelivered", 30006, T[6]))
    assert await latest(store) == ("acti_2", T[2], "error")
    # a change to an older SMS changes nothing
    await store.record_outcome("acti_1", failed_locally(Reason.EXPIRED), T[7])
    assert await latest(store) == ("acti_2", T[2], "error")


async def test_a_callback_that_overtakes_the_create_answer(store: Store) -> None:
    await store.insert_sms(sms("acti_1", T[1], status="outbox"))
    assert not await store.record_status(StatusEvent("SM1", "failed", 30003, T[2]))
    assert await latest(store) == ("acti_1", T[1], "outbox")
    await store.record_accepted("acti_1", "SM1", accepted(), T[3])  # replays the failure
    assert await latest(store) == ("acti_1", T[1], "error")


async def test_refused_and_expired_sends_end_in_error(store: Store) -> None:
    await store.insert_sms(sms("acti_1", T[1], status="outbox"))
    await store.record_refused("acti_1", failed_locally(Reason.EXPIRED), T[2])
    assert await latest(store) == ("acti_1", T[1], "error")


async def test_moving_an_sms_between_leads_recomputes_both(store: Store) -> None:
    stay = sms("acti_1", T[1], status="sent")
    move = sms("acti_2", T[2], status="error")
    for message in (stay, move, sms("acti_3", T[1], lead="lead_2a", status="sent")):
        await store.insert_sms(message)
    assert await latest(store) == ("acti_2", T[2], "error")
    moved = await update(store, move, lead_id="lead_2a")
    assert await latest(store) == ("acti_1", T[1], "sent")
    assert await latest(store, "lead_2a") == ("acti_2", T[2], "error")
    # turned inbound, it is nobody's latest outbound; back outbound, it is again
    inbound = await update(store, moved, direction="inbound")
    assert await latest(store, "lead_2a") == ("acti_3", T[1], "sent")
    await update(store, inbound, direction="outbound")
    assert await latest(store, "lead_2a") == ("acti_2", T[2], "error")
    await update(store, stay, lead_id=None)
    assert await latest(store) is None


async def test_a_changed_date_recomputes(store: Store, tmp_path: Path) -> None:
    for message in (sms("acti_1", T[1], status="sent"), sms("acti_2", T[2], status="error")):
        await store.insert_sms(message)
    # as tests/e2e/test_search_seed_queries.py backdates messages: a plain UPDATE from outside
    location = database_for(tmp_path, "summary")
    run_sql(location, "UPDATE sms SET date_created = ? WHERE id = 'acti_2'", (T[0],))
    assert await latest(store) == ("acti_1", T[1], "sent")
    run_sql(location, "UPDATE sms SET date_created = ? WHERE id = 'acti_2'", (T[1],))
    assert await latest(store) == ("acti_2", T[1], "error")  # a tie now, greater id


async def test_deletes_fall_back_to_the_next_latest(store: Store) -> None:
    for message in (
        sms("acti_1", T[1], status="sent"),
        sms("acti_2", T[3], status="error"),
        sms("acti_3", T[2], status="draft"),
        sms("acti_4", T[4], lead="lead_2a", status="error"),
    ):
        await store.insert_sms(message)
    await store.delete_sms(ORG, "acti_1")  # not the latest: nothing to do
    assert await latest(store) == ("acti_2", T[3], "error")
    await store.delete_sms(ORG, "acti_2")
    assert await latest(store) == ("acti_3", T[2], "draft")
    await store.delete_sms(ORG, "acti_3")
    assert await latest(store) is None
    await store.delete_lead(ORG, "lead_2a")  # Close deletes a lead's activities with it
    assert await summary(store) == {}


async def _before_004(location: str, rows: list[tuple[object, ...]]) -> None:
    """A database as the migrations before 004 left it, holding `rows` of SMS."""
    insert = (
        "INSERT INTO sms (id, organization_id, lead_id, direction, status, text,"
        " source, date_created, date_updated, segments, encoding)"
        " VALUES (?, 'orga_a', ?, ?, ?, 'hi', 'Close.io', ?, ?, 1, 'GSM-7')"
    )
    await migrated_before(location, 4, insert, [(*r, r[-1]) for r in rows], T[0])


async def test_the_migration_fills_the_summary_from_existing_sms(tmp_path: Path) -> None:
    location = database_for(tmp_path, "old", migrated=False)
    await _before_004(
        location,
        [
            ("acti_1", "lead_1", "outbound", "sent", T[1]),
            ("acti_2", "lead_1", "outbound", "error", T[2]),
            ("acti_3", "lead_1", "inbound", "inbox", T[3]),
            ("acti_4", "lead_2", "outbound", "sent", T[2]),
            # a tie: the greater id wins
            ("acti_5", "lead_2", "outbound", "error", T[2]),
            ("acti_6", "lead_3", "inbound", "inbox", T[2]),
            ("acti_7", None, "outbound", "error", T[9]),
        ],
    )
    store = await open_store(location)
    try:
        assert await summary(store) == {
            (ORG, "lead_1"): ("acti_2", T[2], "error"),
            (ORG, "lead_2"): ("acti_5", T[2], "error"),
        }
    finally:
        await store.close()


# --- any sequence of writes ------------------------------------------------------------------

LEADS = ("lead_1a", "lead_2a", None)
STATUSES = ("draft", "scheduled", "outbox", "sent", "error")
_steps = st.one_of(
    st.tuples(
        st.just("insert"),
        st.sampled_from(LEADS),
        st.sampled_from(T[:4]),
        st.sampled_from(["outbound", "outbound", "inbound"]),
        st.sampled_from(STATUSES),
        st.sampled_from([ORG, ORG, OTHER]),
    ),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(STATUSES)),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(LEADS)),
    st.tuples(st.just("direction"), st.integers(0, 30)),
    st.tuples(st.just("redate"), st.integers(0, 30), st.sampled_from(T[:4])),
    st.tuples(st.just("delete"), st.integers(0, 30)),
)


async def _play(steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        location = database_for(Path(directory), "summary")
        store = await _open(location)
        stored: list[Sms] = []
        try:
            for n, (kind, *args) in enumerate(steps):
                if kind == "insert":
                    lead, created, direction, status, org = args
                    message = sms(
                        f"acti_{n:02d}",
                        str(created),
                        lead=lead and str(lead),
                        org=str(org),
                        direction=str(direction),
                        status=str(status),
                    )
                    await store.insert_sms(message)
                    stored.append(message)
                    await summary(store)
                    continue
                if not stored:
                    continue
                i = int(str(args[0])) % len(stored)
                message = stored[i]
                if kind == "status":
                    stored[i] = await update(store, message, status=args[1])
                elif kind == "move":
                    stored[i] = await update(store, message, lead_id=args[1])
                elif kind == "direction":
                    flipped = "inbound" if message.direction == "outbound" else "outbound"
                    stored[i] = await update(store, message, direction=flipped)
                elif kind == "redate":
                    run_sql(
                        location,
                        "UPDATE sms SET date_created = ? WHERE id = ?",
                        (args[1], message.id),
                    )
                    stored[i] = dataclasses.replace(message, date_created=str(args[1]))
                else:
                    await store.delete_sms(message.organization_id, message.id)
                    del stored[i]
                await summary(store)
        finally:
            await store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_steps, min_size=1, max_size=30))
def test_any_sequence_of_writes_keeps_the_rule(steps: list[tuple[object, ...]]) -> None:
    asyncio.run(_play(steps))
