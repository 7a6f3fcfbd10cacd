"""The SQLite connection pair behind SqliteStore: one writer (serialised), one reader.

aiosqlite runs each connection on its own thread. Coroutines share connections, so a write
transaction takes an asyncio lock for its whole life: without it another coroutine's COMMIT
would commit half of ours. Reads go to a second connection and, thanks to WAL, never wait for
the writer and never see its uncommitted work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, Self

import aiosqlite

from gateway.dates import iso, now
from gateway.store.migrate import apply_migrations

__all__ = ["SqliteDb"]


async def _connect(path: str, synchronous: str) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path, isolation_level=None)
    db.row_factory = aiosqlite.Row
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute(f"PRAGMA synchronous={synchronous}")
    await db.execute("PRAGMA foreign_keys=ON")
    await db.execute("PRAGMA busy_timeout=5000")
    return db


class SqliteDb:
    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str, synchronous: str = "NORMAL", migrate: bool = True) -> Self:
        writer = await _connect(path, synchronous)
        if migrate:
            await apply_migrations(writer, iso(now()))
        reader = await _connect(path, synchronous)
        return cls(writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """One statement is its own transaction in autocommit mode: one trip to the thread
        instead of three (BEGIN, statement, COMMIT). Returns RETURNING rows, if any."""
        async with self._lock:
            return list(await self._writer.execute_fetchall(sql, tuple(params)))

    async def _changes(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Like `_write`, returning how many rows the statement itself changed: the cursor's
        count, not the connection's total_changes, which also counts what triggers wrote
        (migration 004's summary) and would make a conditional update look like a conflict."""
        async with self._lock:
            cursor = await self._writer.execute(sql, tuple(params))
            return cursor.rowcount  # a finished DML statement holds nothing: no close needed

    # Each read is one trip to the connection's thread (execute + fetchall together).
    async def _all(self, sql: str, params: Iterable[Any] = (),
                   db: aiosqlite.Connection | None = None) -> list[aiosqlite.Row]:
        return list(await (db or self._reader).execute_fetchall(sql, tuple(params)))

    async def _one(self, sql: str, params: Iterable[Any] = (),
                   db: aiosqlite.Connection | None = None) -> aiosqlite.Row | None:
        rows = await self._all(sql, params, db)
        return rows[0] if rows else None
