"""The SQLite connections behind SqliteStore: one writer thread that commits in groups, and
one reader thread.

A write is a plain function of a `sqlite3.Connection` (an op), queued to the writer thread.
The thread takes everything queued, runs each op under its own SAVEPOINT inside one
`BEGIN IMMEDIATE ... COMMIT` (one fsync for the whole group, however many ops), then resolves
the ops' futures with one call into the event loop. A future resolves only after COMMIT, so an
awaited write is durable; an op that raises rolls back its own savepoint and fails alone. Ops
run one at a time on one connection, so an op that reads, decides and writes is atomic with no
lock and no retry.

Reads run on a second connection on its own thread: with WAL they never wait for the writer
and never see its uncommitted work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from gateway.dates import iso, now
from gateway.store.migrate import apply_migrations

__all__ = ["Op", "SqliteDb", "changes", "fetch_all", "fetch_one"]

log = logging.getLogger("gateway.store")

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], T]

# Enough to amortise one fsync over a busy moment's writes; small enough that the first op of
# a group never waits long behind the last.
_MAX_GROUP = 512


def fetch_all(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    return db.execute(sql, tuple(params)).fetchall()


def fetch_one(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(sql, tuple(params)).fetchone()
    return row


def changes(db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """Rows the statement changed (not counting what triggers changed)."""
    return db.execute(sql, tuple(params)).rowcount


def _connect(path: str, synchronous: str) -> sqlite3.Connection:
    # each connection is used by one thread at a time, but not the one that opened it
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    return db


@dataclass(slots=True)
class _Queued:
    op: Op[Any]
    future: asyncio.Future[Any]


def _settle(done: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in done:
        if future.done():  # the caller was cancelled; the op ran (and committed) anyway
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class _GroupWriter:
    """The writer thread: group commit over one connection."""

    def __init__(self, db: sqlite3.Connection, loop: asyncio.AbstractEventLoop) -> None:
        self._db = db
        self._loop = loop
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._closed = False
        self._stopped: asyncio.Future[None] = loop.create_future()
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, op: Op[T]) -> asyncio.Future[T]:
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put(_Queued(op, future))
        return future

    async def close(self) -> None:
        """Finish what is queued, then close the connection."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        await self._stopped

    def _run(self) -> None:
        stop = False
        try:
            while not stop:
                group: list[_Queued] = []
                item = self._queue.get()
                while True:
                    if item is None:
                        stop = True
                    else:
                        group.append(item)
                    if len(group) >= _MAX_GROUP:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if group:
                    self._loop.call_soon_threadsafe(_settle, self._commit(group))
        finally:
            self._db.close()
            self._loop.call_soon_threadsafe(self._stopped.set_result, None)

    def _commit(self, group: list[_Queued]
                ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        db, done = self._db, []
        try:
            db.execute("BEGIN IMMEDIATE")
            for queued in group:
                db.execute("SAVEPOINT op")
                try:
                    result = queued.op(db)
                except Exception as exc:
                    db.execute("ROLLBACK TO op")
                    done.append((queued.future, None, exc))
                else:
                    done.append((queued.future, result, None))
                db.execute("RELEASE op")
            db.execute("COMMIT")
        except Exception as exc:  # BEGIN, a savepoint or COMMIT failed: nothing was stored
            log.warning("write group of %d failed: %r", len(group), exc)
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            return [(queued.future, None, exc) for queued in group]
        return done


class SqliteDb:
    def __init__(self, writer: _GroupWriter, reader: sqlite3.Connection,
                 reads: ThreadPoolExecutor) -> None:
        self._writer = writer
        self._reader = reader
        self._reads = reads

    @classmethod
    async def open(cls, path: str, synchronous: str = "NORMAL", migrate: bool = True) -> Self:
        def connect() -> tuple[sqlite3.Connection, sqlite3.Connection]:
            writer = _connect(path, synchronous)
            if migrate:
                apply_migrations(writer, iso(now()))
            return writer, _connect(path, synchronous)

        writer, reader = await asyncio.to_thread(connect)
        reads = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        return cls(_GroupWriter(writer, asyncio.get_running_loop()), reader, reads)

    async def close(self) -> None:
        await self._writer.close()
        await asyncio.get_running_loop().run_in_executor(self._reads, self._reader.close)
        self._reads.shutdown()

    async def _run(self, op: Op[T]) -> T:
        """Run a write op in the writer's next group; returns once it is committed."""
        return await self._writer.submit(op)

    async def _read(self, op: Op[T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._reads, op, self._reader)

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
