"""The group-commit writer on a real SQLite file: ops queued behind a busy writer commit as one
transaction, a failing op fails alone, an answered write is committed, close finishes the queue;
the store's read-decide-write ops stay right when callbacks race the create answer; and the
dispatcher's round query keeps its per-sender rules (these two on either backend)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.core.lifecycle import accepted
from gateway.core.models import StatusEvent
from gateway.store import Store, open_store
from gateway.store.sqlite_threads import GroupWriter
from tests.databases import POSTGRESQL, database_for
from tests.gateway.builders import T1, create_org, make_sms

sqlite_only = pytest.mark.skipif(POSTGRESQL, reason="SQLite's own writer thread")


def _count(path: Path) -> int:
    with sqlite3.connect(path) as other:  # a separate connection sees only what is committed
        return int(other.execute("SELECT count(*) FROM t").fetchone()[0])


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[tuple[GroupWriter, Path]]:
    path = tmp_path / "w.db"
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)")
    w = GroupWriter(db, asyncio.get_running_loop())
    yield w, path
    await w.close()


@sqlite_only
async def test_ops_queued_behind_a_busy_writer_commit_together(
    writer: tuple[GroupWriter, Path],
) -> None:
    w, path = writer
    gate = threading.Event()
    first = w.submit(lambda db: gate.wait(5))  # holds the writer while the others queue up
    seen_midway: list[int] = []
    rows: list[asyncio.Future[None]] = []
    for i in range(50):
        rows.append(w.submit(lambda db, i=i: _insert_and_peek(db, path, i, seen_midway)))
    gate.set()
    await first
    await asyncio.gather(*rows)
    # half-way through the group, the other 49 inserts were not visible outside it: one
    # transaction, one COMMIT, for all of them
    assert seen_midway == [0]
    assert _count(path) == 50


def _insert_and_peek(db: sqlite3.Connection, path: Path, i: int, seen: list[int]) -> None:
    db.execute("INSERT INTO t VALUES (?, 'x')", (i,))
    if i == 25:
        seen.append(_count(path))


@sqlite_only
async def test_a_failing_op_fails_alone_and_leaves_nothing_behind(
    writer: tuple[GroupWriter, Path],
) -> None:
    w, path = writer
    gate = threading.Event()
    first = w.submit(lambda db: gate.wait(5))

    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO t VALUES (100, 'half')")
        db.execute("INSERT INTO t VALUES (1, 'duplicate')")  # id 1 is taken by then

    before = w.submit(lambda db: db.execute("INSERT INTO t VALUES (1, 'a')").rowcount)
    failing = w.submit(half_then_fail)
    after = w.submit(lambda db: db.execute("INSERT INTO t VALUES (2, 'b')").rowcount)
    gate.set()
    await first
    assert await before == 1
    with pytest.raises(sqlite3.IntegrityError):
        await failing
    assert await after == 1
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT id, note FROM t ORDER BY id").fetchall() == [
            (1, "a"),
            (2, "b"),
        ]  # the failing op's first insert was rolled back with it


@sqlite_only
async def test_an_answered_write_is_committed_and_close_finishes_the_queue(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)")
    w = GroupWriter(db, asyncio.get_running_loop())
    await w.submit(lambda db: db.execute("INSERT INTO t VALUES (1, 'x')"))
    assert _count(path) == 1  # visible to anyone the moment the caller hears back
    pending = [
        w.submit(lambda db, i=i: db.execute("INSERT INTO t VALUES (?, 'y')", (i,)))
        for i in range(2, 40)
    ]
    await w.close()  # not awaiting `pending` first: close still runs them
    assert all(f.done() and f.exception() is None for f in pending)
    assert _count(path) == 39
    with pytest.raises(sqlite3.ProgrammingError):
        w.submit(lambda db: None)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(database_for(tmp_path, "store"), "FULL")
    await create_org(s)
    yield s
    await s.close()


async def test_callbacks_racing_the_create_answer_each_apply_once(store: Store) -> None:
    """Zero-latency carriers call back before the dispatcher has written the sid: whichever
    side comes second applies the status, never both, never neither."""
    for i in range(60):
        await store.insert_sms(make_sms(f"acti_{i}"))
    work = []
    for i in range(60):
        events = [
            store.record_status(StatusEvent(f"SM{i}", s, None, T1)) for s in ("sent", "delivered")
        ]
        accept = store.record_accepted(f"acti_{i}", f"SM{i}", accepted("queued"), T1)
        # some callbacks before the sid is written, some after, all in the same groups
        work.extend([*events, accept] if i % 2 else [accept, *events])
    await asyncio.gather(*work)
    for i in range(60):
        sms = await store.get_sms("orga_a", f"acti_{i}")
        assert sms is not None and (sms.status, sms.delivery_status) == ("sent", "delivered")
    assert await store.unmatched_callbacks() == 0


async def test_due_walks_every_sender_past_its_claimed_rows(store: Store) -> None:
    """The round's query (one index walk per sender) gives each sender's oldest unclaimed due
    rows, oldest first across senders, and never more than the round takes."""
    senders = ["+14155550100", "+14155550101", "+14155550102"]
    for i in range(30):  # ten each, due a second apart, interleaved across the senders
        due = f"2026-01-01T00:00:{i:02d}.000000+00:00"
        await store.insert_sms(
            make_sms(f"acti_{i}", local_phone=senders[i % 3], due_at=due, due_since=due)
        )
    later = "2026-01-01T00:01:00.000000+00:00"
    await store.insert_sms(make_sms("acti_99", due_at=later, due_since=later))
    now = "2026-01-01T00:00:59.000000+00:00"
    assert await store.claim_sms(["acti_0", "acti_3"], now, later) == ["acti_0", "acti_3"]
    due = await store.due_sms(now, 100, 2, frozenset())
    # sender 0's two oldest are claimed: its next two (6, 9) come instead; nothing not yet due
    assert [d.id for d in due] == ["acti_1", "acti_2", "acti_4", "acti_5", "acti_6", "acti_9"]
    assert [d.id for d in await store.due_sms(now, 3, 100, frozenset())] == [
        "acti_1",
        "acti_2",
        "acti_4",
    ]
    skipped = await store.due_sms(now, 100, 1, frozenset(senders[1:]))
    assert [d.id for d in skipped] == ["acti_6"]
