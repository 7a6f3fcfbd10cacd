"""What /metrics, /readyz and housekeeping ask of the store, on either backend: the message
census kept on write (migration 010) equals a count of the sms table after every kind of
write; a readiness probe takes no write group per call; the carrier_events purge takes the
oldest events past retention in batches and keeps unmatched ones while they can still match."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.core import dates
from gateway.core.lifecycle import accepted, rejected
from gateway.core.models import StatusEvent
from gateway.store import Store, open_store
from gateway.workers.housekeeping import purge_cutoffs
from tests.databases import POSTGRESQL, database_for, run_sql
from tests.gateway.builders import T1, create_org, make_sms

sqlite_only = pytest.mark.skipif(POSTGRESQL, reason="SQLite's own writer and reader threads")

# what /metrics counted before migration 010, straight from the sms table
_GROUP_BY = (
    "SELECT direction, status, error_reason, MIN(remote_phone), COUNT(*) FROM sms"
    " GROUP BY direction, status, error_reason, substr(remote_phone, 1, 5)"
)


@pytest.fixture
async def located(tmp_path: Path) -> AsyncIterator[tuple[Store, str]]:
    location = database_for(tmp_path, "ops")
    s = await open_store(location, "NORMAL")
    await create_org(s)
    yield s, location
    await s.close()


def _groups(rows: Any) -> list[tuple[str, str, str, str, int]]:
    """Rows as (direction, status, reason, prefix, count): the sample phone may differ."""
    return sorted((r[0], r[1], r[2] or "", r[3][:5] if r[3] else "", int(r[4])) for r in rows)


async def _same_as_the_table(store: Store, location: str) -> None:
    assert _groups(await store.sms_census()) == _groups(run_sql(location, _GROUP_BY))


async def test_census_follows_every_kind_of_write(located: tuple[Store, str]) -> None:
    store, location = located
    phones = ["+14155550199", "+14165550123", "+447700900123", "+61412345678"]
    for i in range(12):
        await store.insert_sms(make_sms(f"acti_{i}", remote_phone=phones[i % 4]))
    await store.insert_sms(
        make_sms("acti_99", remote_phone=None, status="draft", due_at=None, due_since=None)
    )
    await _same_as_the_table(store, location)
    for i in range(0, 12, 2):
        await store.record_accepted(f"acti_{i}", f"SM{i}", accepted("queued"), T1)
    await store.record_outcome("acti_1", rejected(21614), T1)
    await store.record_status(StatusEvent("SM2", "undelivered", 30005, T1))
    await store.record_status(StatusEvent("SM4", "delivered", None, T1))
    await _same_as_the_table(store, location)
    # hand-made writes count too: the triggers hold whoever writes
    run_sql(
        location,
        "UPDATE sms SET remote_phone = ?, status = ? WHERE id = ?",
        ("+447700900999", "error", "acti_3"),
    )
    run_sql(location, "UPDATE sms SET error_reason = NULL WHERE id = ?", ("acti_1",))
    run_sql(location, "DELETE FROM sms WHERE id IN (?, ?)", ("acti_5", "acti_99"))
    await _same_as_the_table(store, location)
    await store.compact_census()  # PostgreSQL folds its deltas; the counts stay
    await _same_as_the_table(store, location)
    run_sql(location, "DELETE FROM sms")
    await store.compact_census()
    assert await store.sms_census() == []
    if POSTGRESQL:  # every group summed to zero: the fold left nothing behind
        assert run_sql(location, "SELECT count(*) FROM sms_census") == [(0,)]


@sqlite_only
async def test_census_reads_no_more_for_a_larger_table(located: tuple[Store, str]) -> None:
    """The GROUP BY over sms stalled every API read behind a scrape (about 170 ms at 1 M
    rows): the census now reads the same few rows for 20,000 messages as for 20."""
    store, location = located
    await store.insert_sms(make_sms("acti_0"))
    columns = [row[1] for row in run_sql(location, "PRAGMA table_info(sms)")]
    made = {
        "id": "'acti_x' || i",
        "remote_phone": "'+1415555' || (i % 10000)",
        "status": "'sent'",
        "due_at": "NULL",
        "due_since": "NULL",
    }
    run_sql(
        location,
        f"INSERT INTO sms ({', '.join(columns)})"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
        f" SELECT {', '.join(made.get(c, c) for c in columns)} FROM n, sms",
    )
    steps = 0

    def count(_: Any = None) -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    reader: sqlite3.Connection = store._reader._db  # type: ignore[attr-defined]
    reader.set_progress_handler(count, 100)  # called every 100 VM instructions
    census = await store.sms_census()
    reader.set_progress_handler(None, 0)
    assert sum(row[4] for row in census) == 20001
    assert steps < 50, f"{steps * 100} VM instructions for one census"


@sqlite_only
async def test_readiness_probes_take_no_write_group_each(located: tuple[Store, str]) -> None:
    store, _ = located
    writer: sqlite3.Connection = store._writer._db  # type: ignore[attr-defined]
    groups: list[str] = []
    writer.set_trace_callback(lambda sql: groups.append(sql) if sql.startswith("BEGIN") else None)
    await store.insert_sms(make_sms("acti_0"))
    assert len(groups) == 1
    for _ in range(20):  # a busy writer answers from its last group
        await store.check_writable()
    assert len(groups) == 1
    store._writer._last = None  # type: ignore[attr-defined]  # as if idle for a while
    await asyncio.gather(*(store.check_writable() for _ in range(20)))
    assert len(groups) == 2  # one empty group, shared by the probes waiting for it
    writer.set_trace_callback(None)


async def test_readiness_probe_passes_on_a_writable_database(located: tuple[Store, str]) -> None:
    store, _ = located
    await store.check_writable()
    await store.check_writable()


def _at(seconds: int) -> str:
    return dates.iso(datetime.fromtimestamp(1767225600 + seconds, UTC))  # 2026-01-01 + s


async def test_purge_takes_old_events_in_batches_and_keeps_unmatched_ones_longer(
    located: tuple[Store, str],
) -> None:
    store, location = located
    await store.insert_sms(make_sms("acti_0"))
    await store.record_accepted("acti_0", "SMknown", accepted("queued"), _at(0))
    for i in range(7):  # matched, received at 0..6 s
        await store.record_status(StatusEvent("SMknown", "sent", None, _at(i)))
    for i in range(3):  # never matched, received at 0..2 s
        await store.record_status(StatusEvent(f"SMorphan{i}", "delivered", None, _at(i)))
    # matched events before 5 s go, unmatched ones before 1 s only
    taken = [await store.purge_carrier_events(_at(5), _at(1), 2) for _ in range(4)]
    assert taken == [(2, 1), (2, 0), (2, 0), (0, 0)]  # oldest first: the orphan at 0 s too
    left = run_sql(
        location,
        "SELECT carrier_sid, received_at FROM carrier_events ORDER BY received_at, carrier_sid",
    )
    assert left == [
        ("SMorphan1", _at(1)),
        ("SMorphan2", _at(2)),
        ("SMknown", _at(5)),
        ("SMknown", _at(6)),
    ]
    assert await store.unmatched_callbacks() == 2
    # a kept orphan still matches when its message learns the sid
    await store.insert_sms(make_sms("acti_1"))
    await store.record_accepted("acti_1", "SMorphan2", accepted("queued"), _at(9))
    sms = await store.get_sms("orga_a", "acti_1")
    assert sms is not None and sms.delivery_status == "delivered"


def test_unmatched_events_are_kept_while_their_message_can_still_match() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert purge_cutoffs(now, 86400, 3600, 10) == (
        "2026-01-01T00:00:00.000000+00:00",
        "2026-01-01T00:00:00.000000+00:00",
    )
    # a retention shorter than max_age: unmatched events wait for max_age + one timeout
    assert purge_cutoffs(now, 60, 3600, 10) == (
        "2026-01-01T23:59:00.000000+00:00",
        "2026-01-01T22:59:50.000000+00:00",
    )
