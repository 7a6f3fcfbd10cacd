"""The SQLite connections behind SqliteStore, and the `Db` primitives on them.

Writes are ops (plain functions of a `sqlite3.Connection`) run by the group-commit writer
thread; reads are ops run by a reader thread on a second connection, which with WAL never
waits for the writer and never sees its uncommitted work (`gateway.store.sqlite_threads`).
Statements may be written with SQLite's `?` or the shared queries' `$1` (gateway.store.db).
"""

from __future__ import annotations

import asyncio
import functools
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Self, TypeVar

from gateway.core.dates import iso, now
from gateway.search.compile import SQLITE
from gateway.store.db import Db, Stmt
from gateway.store.migrate import apply_migrations
from gateway.store.sqlite_threads import GroupWriter, Op, Reader

__all__ = ["Op", "SqliteDb", "changes", "fetch_all", "fetch_one", "run_statements"]

T = TypeVar("T")

_NUMBERED = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=1024)
def sqlite_sql(sql: str) -> str:
    """`$N` -> `?N`, once per distinct text (SQLite would read `$1` as a *named* parameter)."""
    return _NUMBERED.sub(r"?\1", sql)


def fetch_all(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    return db.execute(sqlite_sql(sql), tuple(params)).fetchall()


def fetch_one(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(sqlite_sql(sql), tuple(params)).fetchone()
    return row


def changes(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """Rows the statement changed (not counting what triggers changed)."""
    return db.execute(sqlite_sql(sql), tuple(params)).rowcount


def run_statements(db: sqlite3.Connection, statements: Sequence[Stmt]) -> list[list[sqlite3.Row]]:
    """`Db._batch`'s statements, as part of one writer op."""
    done: list[list[sqlite3.Row]] = []
    for stmt in statements:
        if stmt.many:
            db.executemany(sqlite_sql(stmt.sql), stmt.params)
            rows = []
        else:
            rows = fetch_all(db, stmt.sql, stmt.params)
        if stmt.or_fail is not None and not rows:
            raise stmt.or_fail
        done.append(rows)
    return done


def _connect(path: str, synchronous: str) -> sqlite3.Connection:
    # each connection is used by one thread at a time, but not the one that opened it
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    # statement journals for trigger-bearing tables (migration 004) in memory, not temp files:
    # about halves what the summary triggers add to a write
    db.execute("PRAGMA temp_store=MEMORY")
    return db


class SqliteDb(Db):
    search_dialect = SQLITE  # what gateway.search compiles queries for

    def __init__(self, writer: GroupWriter, reader: Reader) -> None:
        self._writer = writer
        self._reader = reader

    @classmethod
    async def open(cls, path: str, synchronous: str = "NORMAL", migrate: bool = True) -> Self:
        def connect() -> tuple[sqlite3.Connection, sqlite3.Connection]:
            writer = _connect(path, synchronous)
            if migrate:
                apply_migrations(writer, iso(now()))
            return writer, _connect(path, synchronous)

        writer, reader = await asyncio.to_thread(connect)
        loop = asyncio.get_running_loop()
        return cls(GroupWriter(writer, loop), Reader(reader, loop))

    async def close(self) -> None:
        await self._writer.close()
        await self._reader.close()

    async def _run(self, op: Op[T]) -> T:
        """Run a write op in the writer's next group; returns once it is committed."""
        return await self._writer.submit(op)

    async def _read(self, op: Op[T]) -> T:
        return await self._reader.submit(op)

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """One statement as its own op; returns its RETURNING rows, if any."""
        return await self._run(lambda db: fetch_all(db, sql, params))

    async def _changes(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Like `_write`, returning how many rows the statement changed."""
        return await self._run(lambda db: changes(db, sql, params))

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return await self._read(lambda db: fetch_all(db, sql, params))

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        return await self._read(lambda db: fetch_one(db, sql, params))

    async def _batch(self, statements: Sequence[Stmt]) -> list[list[sqlite3.Row]]:
        return await self._run(lambda db: run_statements(db, statements))

    def _serialise(self, key: str) -> list[Stmt]:
        return []  # the one writer runs one op at a time: batches never interleave
