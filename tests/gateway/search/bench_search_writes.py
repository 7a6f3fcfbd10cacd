"""What migration 012 (the search indexes and per-lead SMS count beyond the seed queries) costs
on writes: `python -m tests.gateway.search.bench_search_writes`.

Not collected by pytest (no test_ prefix). The rounds of
bench_census_writes.py (a bulk insert, a status update to error with a reason, and a deletion
of a tenth, one transaction each; and `--each` SMS inserted through the store at
synchronous=FULL, as the API writes), on `before 012` (migrations 001-011), `012` and `012, no
count` (its indexes alone, the count's triggers dropped: the triggers' own share), with the
store's own temp_store=MEMORY. `--migration 13`: `before 013` against `013` (the inbound and
failed counts in the same rows, by the same triggers). Rounds interleave the set-ups so that
other load on the machine weighs on all alike; medians per SMS, with the ratio to the first
set-up, in CPU time (the process's: unlike wall time it barely moves with other load on the
machine), and for the store's inserts in wall time too (fsync).
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
from gateway.store import migrations
from tests.gateway.bench_census_writes import NOW, _bulk, _each, _messages

SETUPS = ("before 012", "012", "012, no count")


def _setups(version: int) -> tuple[str, ...]:
    return SETUPS if version == 12 else (f"before {version:03d}", f"{version:03d}")


def _schema(path: Path, setup: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        kind, _, number = setup.partition(" ")
        version = int(number[:3]) if kind == "before" else int(kind[:3])
        for migration in migrations():
            if migration.version < version or (kind != "before" and migration.version == version):
                db.executescript(migration.sql)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (migration.version, migration.name, iso(NOW)),
                )
        if setup == "012, no count":
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'lead_sms_count_%'"
            ).fetchall():
                db.execute(f"DROP TRIGGER {name}")


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--messages", type=int, default=100_000)
    args.add_argument("--leads", type=int, default=10_000)
    args.add_argument("--each", type=int, default=2_000)
    args.add_argument("--rounds", type=int, default=5)
    args.add_argument("--migration", type=int, default=12, help="12 or later")
    opts = args.parse_args()
    setups = _setups(opts.migration)
    # label -> setup -> microseconds per SMS, one per round
    times: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for r in range(opts.rounds):
            messages = _messages(opts.messages, opts.leads, r)
            for n, setup in enumerate(setups):
                path = Path(directory) / f"{r}-{n}.db"
                _schema(path, setup)
                bulk = _bulk(path, messages, "MEMORY", time.process_time).items()
                # the insert and the update touch every SMS, the deletion a tenth
                counts = (len(messages), len(messages), len(messages[::10]))
                for (label, seconds), count in zip(bulk, counts, strict=True):
                    per_sms = seconds / count * 1e6
                    times.setdefault(label, {}).setdefault(setup, []).append(per_sms)
                path = Path(directory) / f"{r}-{n}-each.db"
                _schema(path, setup)
                started = time.process_time()
                seconds = asyncio.run(_each(path, messages[: opts.each]))
                cpu = time.process_time() - started  # the process's, all threads
                for label, spent in (("wall", seconds), ("CPU", cpu)):
                    label = f"insert {opts.each:,} SMS through the store, FULL ({label})"
                    per_sms = spent / opts.each * 1e6
                    times.setdefault(label, {}).setdefault(setup, []).append(per_sms)
    for label, by_setup in times.items():
        base = statistics.median(by_setup[setups[0]])
        print(label)
        for setup in setups:
            median = statistics.median(by_setup[setup])
            print(f"  {setup:14} {median:8.1f} µs/SMS {median / base:6.2f}x")


if __name__ == "__main__":
    main()
