"""What migration 004's summary triggers cost on writes:
`python -m tests.gateway.search.bench_summary_writes`.

Not collected by pytest (no test_ prefix). Four set-ups, each a fresh file per round: `before
004` (migrations 001-003, as main had them), `004` (the summary, its triggers and index), `004,
no triggers` (the same, triggers dropped: the triggers' own share) and `004, temp_store=MEMORY`
(the pragma on the writing connection: where SQLite keeps the per-statement undo journal that
any trigger on a table brings). Each round times, per set-up: inserting the SMS in one
transaction (the CPU cost, no fsync to hide it), then the store's status update
(`record_outcome`'s statement) on every one of them, then deleting a tenth; and separately
`--each` SMS inserted through the store one statement at a time (autocommit, synchronous=FULL:
how the gateway writes). Rounds interleave the set-ups so that other load on the machine weighs
on all alike; medians are printed with the ratio to `before 004`.
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
from gateway.store.rows import SMS_WRITTEN, sms_values  # the store's own columns and values

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# the store's insert (gateway/store/sqlite_sms.py)
_INSERT = f"INSERT INTO sms ({', '.join(SMS_WRITTEN)}) VALUES ({','.join('?' * len(SMS_WRITTEN))})"
ORG = "orga_bench"
# label -> (schema, temp_store)
SETUPS = {
    "before 004": ("before 004", "DEFAULT"),
    "004": ("004", "DEFAULT"),
    "004, no triggers": ("004, no triggers", "DEFAULT"),
    "004, temp_store=MEMORY": ("004", "MEMORY"),
}


def _schema(path: Path, schema: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in migrations():
            if schema != "before 004" or migration.version < 4:
                db.executescript(migration.sql)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (migration.version, migration.name, iso(NOW)),
                )
        if schema == "004, no triggers":
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sms'"
            ).fetchall():
                db.execute(f"DROP TRIGGER {name}")


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


async def _each(path: Path, messages: list[Sms], temp_store: str) -> float:
    store = await open_sqlite(str(path), synchronous="FULL", migrate=False)
    await store._writer.execute(f"PRAGMA temp_store={temp_store}")
    try:
        start = time.perf_counter()
        for message in messages:
            await store.insert_sms(message)
        return time.perf_counter() - start
    finally:
        await store.close()


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--messages", type=int, default=100_000)
    args.add_argument("--leads", type=int, default=10_000)
    args.add_argument("--each", type=int, default=2_000)
    args.add_argument("--rounds", type=int, default=3)
    opts = args.parse_args()
    times: dict[str, dict[str, list[float]]] = {label: {} for label in SETUPS}
    with tempfile.TemporaryDirectory() as directory:
        for r in range(opts.rounds):
            messages = _messages(opts.messages, opts.leads, r)
            for n, (setup, (schema, temp_store)) in enumerate(SETUPS.items()):
                path = Path(directory) / f"{r}-{n}.db"
                _schema(path, schema)
                for label, seconds in _bulk(path, messages, temp_store).items():
                    times[setup].setdefault(label, []).append(seconds)
                path = Path(directory) / f"{r}-{n}-each.db"
                _schema(path, schema)
                seconds = asyncio.run(_each(path, messages[: opts.each], temp_store))
                label = f"insert {opts.each:,} SMS through the store, FULL"
                times[setup].setdefault(label, []).append(seconds)
    first = next(iter(SETUPS))
    for label in times[first]:
        base = statistics.median(times[first][label])
        print(label)
        for setup in SETUPS:
            median = statistics.median(times[setup][label])
            print(f"  {setup:24} {median:8.2f} s {median / base:6.2f}x")


if __name__ == "__main__":
    main()
