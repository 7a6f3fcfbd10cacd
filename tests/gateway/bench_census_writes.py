"""What a migration's triggers cost on writes, by default migration 010's census:
`python -m tests.gateway.bench_census_writes [--migration 10]`.

Not collected by pytest (no test_ prefix). Two set-ups, each a fresh SQLite file per round:
`without NNN` (every migration but that one) and `with NNN` (all of them), with the store's own
temp_store=MEMORY. Each round times, per set-up: inserting the SMS in one transaction (the CPU
cost, no fsync to hide it), then the store's status update (`record_outcome`'s statement) on
every one of them, then deleting a tenth; and separately `--each` SMS inserted through the store
one statement at a time (synchronous=FULL: how the gateway writes). Rounds interleave the
set-ups so that other load on the machine weighs on both alike; medians are printed with the
ratio to `without NNN`. `--migration 4` measures the search summary's triggers (what
bench_summary_writes.py did); the migration left out must be one no later one builds on (004
and 010 are: nothing after them reads their tables).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.core.dates import iso
from gateway.core.ids import new_id
from gateway.core.models import Sms
from gateway.store import migrations, open_sqlite
from gateway.store.rows import SMS_WRITTEN, sms_values

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORG = "orga_bench"
# the store's own insert, every column it writes
_INSERT = f"INSERT INTO sms ({', '.join(SMS_WRITTEN)}) VALUES ({','.join('?' * len(SMS_WRITTEN))})"


def _schema(path: Path, left_out: int | None) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in migrations():
            if migration.version != left_out:
                db.executescript(migration.sql)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (migration.version, migration.name, iso(NOW)),
                )


def _messages(count: int, leads: int, seed: int) -> list[Sms]:
    rnd = random.Random(seed)
    lead_ids = [f"lead_{i:07d}" for i in range(leads)]
    found = []
    for _ in range(count):
        created = iso(NOW - timedelta(seconds=rnd.uniform(0, 60 * 86400)))  # any order
        inbound = rnd.random() < 0.08
        found.append(
            Sms(
                id=new_id("acti"),
                organization_id=ORG,
                lead_id=rnd.choice(lead_ids),
                contact_id=None,
                direction="inbound" if inbound else "outbound",
                status="inbox" if inbound else "outbox",
                text="Hello there",
                local_phone="+14155550000",
                remote_phone="+14155550001",
                date_created=created,
                date_updated=created,
            )
        )
    return found


def _timed(run: Callable[[], object], clock: Callable[[], float] = time.perf_counter) -> float:
    start = clock()
    run()
    return clock() - start


def _bulk(
    path: Path, messages: list[Sms], temp_store: str, clock: Callable[[], float] = time.perf_counter
) -> dict[str, float]:
    """Seconds each step took by `clock` (wall time, or time.process_time: the CPU's)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA temp_store={temp_store}")

    def tx(sql: str, rows: list[tuple[object, ...]]) -> Callable[[], object]:
        def run() -> None:
            db.execute("BEGIN")
            db.executemany(sql, rows)
            db.execute("COMMIT")

        return run

    n = len(messages)
    times = {
        f"insert {n:,} SMS, one transaction": _timed(
            tx(_INSERT, [sms_values(m) for m in messages]), clock
        ),
        f"update the status of {n:,}": _timed(
            tx(
                "UPDATE sms SET due_at = NULL, claimed_until = NULL, status = ?,"
                " delivery_status = ?, error_code = ?, error_reason = ?, error_message = ?,"
                " date_updated = ? WHERE id = ?",
                [
                    ("error", "undelivered", 30006, "landline", "Landline", iso(NOW), m.id)
                    for m in messages
                ],
            ),
            clock,
        ),
        f"delete {n // 10:,}": _timed(
            tx("DELETE FROM sms WHERE id = ?", [(m.id,) for m in messages[::10]]), clock
        ),
    }
    db.close()
    return times


async def _each(path: Path, messages: list[Sms]) -> float:
    """One insert per write group, as the API writes (the store sets temp_store=MEMORY)."""
    store = await open_sqlite(str(path), synchronous="FULL", migrate=False)
    try:
        start = time.perf_counter()
        for message in messages:
            await store.insert_sms(message)
        return time.perf_counter() - start
    finally:
        await store.close()


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--migration", type=int, default=10)
    args.add_argument("--messages", type=int, default=100_000)
    args.add_argument("--leads", type=int, default=10_000)
    args.add_argument("--each", type=int, default=2_000)
    args.add_argument("--rounds", type=int, default=3)
    opts = args.parse_args()
    if opts.migration not in {m.version for m in migrations()}:
        args.error(f"--migration: no migration {opts.migration}")
    setups = {f"without {opts.migration:03d}": opts.migration, f"with {opts.migration:03d}": None}
    times: dict[str, dict[str, list[float]]] = {setup: {} for setup in setups}
    with tempfile.TemporaryDirectory() as directory:
        for r in range(opts.rounds):
            messages = _messages(opts.messages, opts.leads, r)
            for n, (setup, left_out) in enumerate(setups.items()):
                path = Path(directory) / f"{r}-{n}.db"
                _schema(path, left_out)
                for label, seconds in _bulk(path, messages, "MEMORY").items():
                    times[setup].setdefault(label, []).append(seconds)
                path = Path(directory) / f"{r}-{n}-each.db"
                _schema(path, left_out)
                seconds = asyncio.run(_each(path, messages[: opts.each]))
                label = f"insert {opts.each:,} SMS through the store, FULL"
                times[setup].setdefault(label, []).append(seconds)
    first = next(iter(setups))
    for label in times[first]:
        base = statistics.median(times[first][label])
        print(label)
        for setup in setups:
            median = statistics.median(times[setup][label])
            print(f"  {setup:12} {median:8.2f} s {median / base:6.2f}x")


if __name__ == "__main__":
    main()
