"""What migration 010's census triggers cost on writes:
`python -m tests.gateway.bench_census_writes`.

Not collected by pytest (no test_ prefix). The same rounds as
tests/gateway/search/bench_summary_writes.py (its bulk insert, status update and deletion in
one transaction each, and `--each` SMS inserted through the store at synchronous=FULL), on two
set-ups: `before 010` (migrations 001-009) and `010` (the census table and its triggers), with
the store's own temp_store=MEMORY; medians with the ratio to `before 010`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from gateway.core.dates import iso
from gateway.core.models import Sms
from gateway.store import migrations, open_sqlite
from tests.gateway.search.bench_summary_writes import NOW, _bulk, _messages

SETUPS = ("before 010", "010")


def _schema(path: Path, setup: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in migrations():
            if setup != "before 010" or migration.version < 10:
                db.executescript(migration.sql)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (migration.version, migration.name, iso(NOW)),
                )


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
    args.add_argument("--messages", type=int, default=100_000)
    args.add_argument("--leads", type=int, default=10_000)
    args.add_argument("--each", type=int, default=2_000)
    args.add_argument("--rounds", type=int, default=3)
    opts = args.parse_args()
    times: dict[str, dict[str, list[float]]] = {setup: {} for setup in SETUPS}
    with tempfile.TemporaryDirectory() as directory:
        for r in range(opts.rounds):
            messages = _messages(opts.messages, opts.leads, r)
            for n, setup in enumerate(SETUPS):
                path = Path(directory) / f"{r}-{n}.db"
                _schema(path, setup)
                for label, seconds in _bulk(path, messages, "MEMORY").items():
                    times[setup].setdefault(label, []).append(seconds)
                path = Path(directory) / f"{r}-{n}-each.db"
                _schema(path, setup)
                seconds = asyncio.run(_each(path, messages[: opts.each]))
                label = f"insert {opts.each:,} SMS through the store, FULL"
                times[setup].setdefault(label, []).append(seconds)
    for label in times[SETUPS[0]]:
        base = statistics.median(times[SETUPS[0]][label])
        print(label)
        for setup in SETUPS:
            median = statistics.median(times[setup][label])
            print(f"  {setup:12} {median:8.2f} s {median / base:6.2f}x")


if __name__ == "__main__":
    main()
