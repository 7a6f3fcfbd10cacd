"""Seed-query latency on a large SQLite file: `python -m tests.gateway.search.bench_search`.

Not collected by pytest (no test_ prefix). Builds (once, cached in the temp directory) an
organization with 100,000 leads and 1,000,000 SMS over 60 days through the gateway's own
migrations, then reports each seed query's median latency through the real read path (the
store's reader thread, the statement `run_search` runs) beside a full scan of the SMS table in
the same run. `--postgresql URL`: the same rows copied (once) from that SQLite file into the
database at URL (migrated by the gateway's store, then VACUUM ANALYZE), the queries compiled
for PostgreSQL and run through its store.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from gateway.core.dates import iso
from gateway.search import compile_search, parse, run_search, search_leads
from gateway.store import open_pg, open_sqlite
from gateway.store.base import Store

SEED_QUERIES = (
    "failed_sms > 1",
    "has:error_sms_messages",
    "sms(created:today direction:outgoing status:error)",
    "latest_sms_status:error",
)
EXTRA_QUERIES = (
    "sms_messages > 20",
    "has:inbound_sms",
    'sms(error:landline created >= "7 days ago")',
    "not failed_sms > 0",
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORG = "orga_bench"
STATUS_WEIGHTS = (
    ("sent", 80),
    ("error", 8),
    ("inbox", 8),
    ("draft", 2),
    ("scheduled", 1),
    ("outbox", 1),
)


def _build(path: str, leads: int, messages: int) -> None:
    asyncio.run(_migrate(path))
    db = sqlite3.connect(path)
    rnd = random.Random(4)
    lead_ids = [f"lead_{i:07d}" for i in range(leads)]
    db.executemany(
        "INSERT INTO leads VALUES (?, ?, ?, NULL, ?, ?)",
        (
            (
                lid,
                ORG,
                f"Lead {i}",
                iso(NOW - timedelta(seconds=i * 30)),
                iso(NOW - timedelta(seconds=i * 30)),
            )
            for i, lid in enumerate(lead_ids)
        ),
    )
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]

    def rows():  # type: ignore[no-untyped-def]
        for i in range(messages):
            status = rnd.choice(statuses)
            created = iso(NOW - timedelta(seconds=rnd.uniform(0, 60 * 86400)))
            inbound = status == "inbox"
            yield (
                f"acti_{i:08d}",
                ORG,
                rnd.choice(lead_ids),
                None,
                "inbound" if inbound else "outbound",
                status,
                "Hello there",
                "+14155550000",
                "+14155550001",
                "Close.io",
                created,
                created,
                1,
                "GSM-7",
                30006 if status == "error" else None,
                "landline" if status == "error" else None,
            )

    db.executemany(
        "INSERT INTO sms (id, organization_id, lead_id, contact_id, direction, status, text,"
        " local_phone, remote_phone, source, date_created, date_updated, segments, encoding,"
        " error_code, error_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    db.commit()
    db.close()


async def _migrate(path: str) -> None:
    store = await open_sqlite(path)
    await store.close()


async def _build_pg(url: str, path: str) -> None:
    """The SQLite file's organization, leads and SMS, copied into the database at `url` if it
    has no leads yet (the triggers fill the summaries as the SMS arrive)."""
    import asyncpg

    store = await open_pg(url)
    await store.close()
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT count(*) FROM leads"):
            return
        started = time.perf_counter()
        await conn.execute("INSERT INTO organizations VALUES ($1, 'Bench', $2)", ORG, iso(NOW))
        source = sqlite3.connect(path)
        for table in ("leads", "sms"):
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
            while batch := cursor.fetchmany(50_000):
                await conn.copy_records_to_table(table, records=batch, columns=columns)
        source.close()
        await conn.execute("VACUUM ANALYZE")
        print(f"copied into {url} in {time.perf_counter() - started:.0f} s")
    finally:
        await conn.close()


async def _bench(path: str, rounds: int, url: str | None) -> None:
    """Rounds interleave the scan and every query, so that load from anything else running
    on the machine weighs on all of them alike. For each query: the one statement alone,
    then the whole service call (parse, statement, the page's 100 leads with contacts)."""
    store: Store = await (open_pg(url) if url else open_sqlite(path))
    try:

        async def scan() -> None:
            await store._all("SELECT sum(length(text)) FROM sms")

        runs: dict[str, Callable[[], Awaitable[Any]]] = {
            "full scan of sms (sum(length(text)))": scan
        }
        for text in SEED_QUERIES + EXTRA_QUERIES:
            compiled = compile_search(
                parse(text),
                org_id=ORG,
                now=NOW,
                tz=UTC,
                skip=0,
                limit=100,
                dialect=store.search_dialect,
            )
            runs[text] = partial(run_search, store, compiled)
            runs[f"  + parse, page of leads: {text}"[:54]] = partial(
                search_leads, store, ORG, text, 0, 100, None, "US", NOW
            )
        # wall time, and the process's CPU time (all threads: SQLite runs on the store's
        # reader thread), which barely moves with other load on the machine
        times: dict[str, list[float]] = {label: [] for label in runs}
        cpu: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(rounds):
            for label, run in runs.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                await run()
                times[label].append((time.perf_counter() - start) * 1000)
                cpu[label].append((time.process_time() - start_cpu) * 1000)
        scan = "full scan of sms (sum(length(text)))"
        scan_ms, scan_cpu = statistics.median(times[scan]), statistics.median(cpu[scan])
        # on PostgreSQL the CPU is this process's alone, not the server's: read the wall time
        cpu_of = "client CPU" if url else "CPU"
        print(f"{'':54} {'wall':>8}    {'of scan':>6}  {cpu_of:>8}    {'of scan':>6}")
        for label, run in runs.items():
            median, median_cpu = statistics.median(times[label]), statistics.median(cpu[label])
            answer = await run()
            total = f"total_results={answer[1]}" if isinstance(answer, tuple) else ""
            print(
                f"{label:54} {median:8.1f} ms {median / scan_ms:6.2f}x"
                f" {median_cpu:8.1f} ms {median_cpu / scan_cpu:6.2f}x  {total}"
            )
    finally:
        await store.close()


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--leads", type=int, default=100_000)
    args.add_argument("--messages", type=int, default=1_000_000)
    args.add_argument("--rounds", type=int, default=7)
    args.add_argument("--postgresql", metavar="URL", help="bench this database instead")
    opts = args.parse_args()
    path = os.path.join(tempfile.gettempdir(), f"smslab-search-{opts.leads}-{opts.messages}.db")
    if not os.path.exists(path):
        started = time.perf_counter()
        _build(path, opts.leads, opts.messages)
        print(f"built {path} in {time.perf_counter() - started:.0f} s")
    if opts.postgresql:
        asyncio.run(_build_pg(opts.postgresql, path))
    asyncio.run(_bench(path, opts.rounds, opts.postgresql))


if __name__ == "__main__":
    main()
