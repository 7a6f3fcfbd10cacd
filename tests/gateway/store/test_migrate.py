"""SQLite migrations: the write lock before the applied versions are read; a failed migration
rolls back whole and leaves no transaction open."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from gateway.store import migrate
from gateway.store.migrate import Migration, apply_migrations

NOW = "2026-01-01T00:00:00.000000+00:00"


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def test_statements_keep_a_triggers_body_whole() -> None:
    script = (
        "-- a comment; with a semicolon\nCREATE TABLE t (a);\n"
        "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n"
        "  UPDATE t SET a = 2;\nEND;\n-- trailing comment\n"
    )
    assert len(migrate._statements(script)) == 2
    with pytest.raises(RuntimeError, match="unfinished statement"):
        migrate._statements("CREATE TABLE t (a)")


def test_a_failed_migration_rolls_back_and_leaves_no_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [
        Migration(1, "good", "CREATE TABLE a (x);"),
        Migration(2, "bad", "CREATE TABLE b (x);\nINSERT INTO nowhere VALUES (1);"),
    ]
    monkeypatch.setattr(migrate, "migrations", lambda dialect="sqlite": broken)
    db = _connect(tmp_path / "m.db")
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        apply_migrations(db, NOW)
    assert not db.in_transaction
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "a" in tables and "b" not in tables  # 2 applied not at all
    assert db.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]


def test_a_process_opening_the_file_mid_migration_waits_and_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    first = _connect(path)
    # the first process is migrating: it holds the write lock, nothing committed yet
    first.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    first.execute("BEGIN IMMEDIATE")
    for m in migrate.migrations("sqlite"):
        for statement in migrate._statements(m.sql):
            first.execute(statement)
        first.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (m.version, m.name, NOW))
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(apply_migrations(_connect(path), NOW))
        except sqlite3.Error as exc:  # before: "table organizations already exists"
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)  # it waits for the lock ...
    assert outcome == []
    first.execute("COMMIT")
    thread.join(10)
    assert outcome == [[]]  # ... then sees every migration applied
