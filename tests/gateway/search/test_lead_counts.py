"""lead_sms_count (migrations 012 and 013), which `sms_messages`, `failed_sms` and `has:` read,
stays what its rules say through
every kind of write the gateway issues (the store's own methods, on SQLite or, with
SMSLAB_TEST_DB=postgresql, PostgreSQL's plpgsql twin): after every step the table is compared
with the SMS as stored, counted in Python."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.core.models import Sms
from gateway.store import Store, open_store
from tests.databases import database_for, migrated_before
from tests.gateway.search.test_summary import LEADS, ORG, OTHER, T, _open, sms, update

Counts = dict[tuple[str, str], int]
Kept = dict[tuple[str, str], tuple[int, int, int]]  # messages, inbound, failed


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await _open(database_for(tmp_path, "counts"))
    yield s
    await s.close()


async def kept(store: Store) -> Kept:
    """The table, after checking it against the rules applied to every stored SMS."""
    rows = await store._all(
        "SELECT organization_id, lead_id, messages, inbound, failed FROM lead_sms_count"
    )
    table = {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}
    stored = await store._all(
        "SELECT organization_id, lead_id, direction, status FROM sms WHERE lead_id IS NOT NULL"
    )
    messages = Counter((r[0], r[1]) for r in stored)
    inbound = Counter((r[0], r[1]) for r in stored if r[2] == "inbound")
    failed = Counter((r[0], r[1]) for r in stored if r[3] == "error")
    assert table == {k: (n, inbound[k], failed[k]) for k, n in messages.items()}
    return table


async def counts(store: Store) -> Counts:
    """The messages of each row, after checking the whole table."""
    return {k: v[0] for k, v in (await kept(store)).items()}


async def test_inserts_moves_and_deletes_keep_the_count(store: Store) -> None:
    first, second = sms("acti_1", T[1]), sms("acti_2", T[2], direction="inbound", status="inbox")
    for message in (first, second, sms("acti_3", T[3], lead=None)):  # no lead: not counted
        await store.insert_sms(message)
    await store.insert_sms(sms("acti_4", T[4], lead="lead_1b", org=OTHER))
    assert await counts(store) == {(ORG, "lead_1a"): 2, (OTHER, "lead_1b"): 1}
    moved = await update(store, first, lead_id="lead_2a")
    assert await counts(store) == {
        (ORG, "lead_1a"): 1,
        (ORG, "lead_2a"): 1,
        (OTHER, "lead_1b"): 1,
    }
    await update(store, moved, lead_id=None)  # its count goes, with the row at 0
    assert await counts(store) == {(ORG, "lead_1a"): 1, (OTHER, "lead_1b"): 1}
    await store.delete_sms(ORG, "acti_2")
    assert await counts(store) == {(OTHER, "lead_1b"): 1}
    await store.delete_lead(OTHER, "lead_1b")  # Close deletes a lead's activities with it
    assert await counts(store) == {}


async def test_a_failure_or_a_new_direction_moves_the_sms_between_counts(store: Store) -> None:
    sent = sms("acti_1", T[1], status="sent")
    await store.insert_sms(sent)
    await store.insert_sms(sms("acti_2", T[2], direction="inbound", status="inbox"))
    assert await kept(store) == {(ORG, "lead_1a"): (2, 1, 0)}
    failed = await update(store, sent, status="error")
    assert await kept(store) == {(ORG, "lead_1a"): (2, 1, 1)}
    turned = await update(store, failed, direction="inbound")
    assert await kept(store) == {(ORG, "lead_1a"): (2, 2, 1)}
    moved = await update(store, turned, lead_id="lead_2a")  # takes its counts along
    assert await kept(store) == {(ORG, "lead_1a"): (1, 1, 0), (ORG, "lead_2a"): (1, 1, 1)}
    await update(store, moved, status="sent")
    assert await kept(store) == {(ORG, "lead_1a"): (1, 1, 0), (ORG, "lead_2a"): (1, 1, 0)}
    await store.delete_sms(ORG, "acti_2")
    assert await kept(store) == {(ORG, "lead_2a"): (1, 1, 0)}


async def _before_012(location: str, rows: list[tuple[object, ...]]) -> None:
    """A database as the migrations before 012 left it, holding `rows` of SMS."""
    insert = (
        "INSERT INTO sms (id, organization_id, lead_id, direction, status, text,"
        " source, date_created, date_updated, segments, encoding)"
        " VALUES (?, ?, ?, 'outbound', 'sent', 'hi', 'Close.io', ?, ?, 1, 'GSM-7')"
    )
    await migrated_before(location, 12, insert, [(*r, T[1], T[1]) for r in rows], T[0])


async def test_the_migration_counts_the_existing_sms(tmp_path: Path) -> None:
    location = database_for(tmp_path, "old", migrated=False)
    await _before_012(
        location,
        [
            ("acti_1", ORG, "lead_1"),
            ("acti_2", ORG, "lead_1"),
            ("acti_3", ORG, "lead_2"),
            ("acti_4", OTHER, "lead_1"),
            ("acti_5", ORG, None),
        ],
    )
    store = await open_store(location)
    try:
        assert await counts(store) == {(ORG, "lead_1"): 2, (ORG, "lead_2"): 1, (OTHER, "lead_1"): 1}
    finally:
        await store.close()


async def test_migration_013_counts_the_inbound_and_failed_sms(tmp_path: Path) -> None:
    location = database_for(tmp_path, "old", migrated=False)
    insert = (
        "INSERT INTO sms (id, organization_id, lead_id, direction, status, text,"
        " source, date_created, date_updated, segments, encoding)"
        " VALUES (?, ?, ?, ?, ?, 'hi', 'Close.io', ?, ?, 1, 'GSM-7')"
    )
    rows = [
        ("acti_1", ORG, "lead_1", "outbound", "error"),
        ("acti_2", ORG, "lead_1", "inbound", "inbox"),
        ("acti_3", ORG, "lead_1", "outbound", "error"),
        ("acti_4", ORG, "lead_2", "outbound", "sent"),
        ("acti_5", OTHER, "lead_1", "inbound", "inbox"),
        ("acti_6", ORG, None, "outbound", "error"),
    ]
    await migrated_before(location, 13, insert, [(*r, T[1], T[1]) for r in rows], T[0])
    store = await open_store(location)
    try:
        assert await kept(store) == {
            (ORG, "lead_1"): (3, 1, 2),
            (ORG, "lead_2"): (1, 0, 0),
            (OTHER, "lead_1"): (1, 1, 0),
        }
    finally:
        await store.close()


_steps = st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(LEADS), st.sampled_from([ORG, ORG, OTHER])),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(LEADS)),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(["scheduled", "error"])),
    st.tuples(st.just("direction"), st.integers(0, 30)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
)


async def _play(steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = await _open(database_for(Path(directory), "counts"))
        stored: list[Sms] = []
        try:
            for n, (kind, *args) in enumerate(steps):
                if kind == "insert":
                    lead, org = args
                    message = sms(f"acti_{n:02d}", T[1], lead=lead and str(lead), org=str(org))
                    await store.insert_sms(message)
                    stored.append(message)
                elif stored:
                    i = int(str(args[0])) % len(stored)
                    if kind == "move":
                        stored[i] = await update(store, stored[i], lead_id=args[1])
                    elif kind == "status":
                        stored[i] = await update(store, stored[i], status=str(args[1]))
                    elif kind == "direction":
                        flipped = "inbound" if stored[i].direction == "outbound" else "outbound"
                        stored[i] = await update(store, stored[i], direction=flipped)
                    else:
                        await store.delete_sms(stored[i].organization_id, stored[i].id)
                        del stored[i]
                await kept(store)
        finally:
            await store.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_steps, min_size=1, max_size=20))
def test_any_sequence_of_writes_keeps_the_count(steps: list[tuple[object, ...]]) -> None:
    asyncio.run(_play(steps))
