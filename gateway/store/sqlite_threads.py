"""The two threads that own SqliteStore's connections: the group-commit writer and the reader.

Ops submitted during one turn of the event loop are handed to the thread in one go; the
thread takes everything handed over (up to a group's size) and hands the results back with
one `call_soon_threadsafe`: a busy moment costs a couple of thread wake-ups per group rather
than two per query.

The writer runs each op under its own SAVEPOINT inside one `BEGIN IMMEDIATE ... COMMIT`: one
fsync for the whole group. Results are handed back only after COMMIT, so an awaited write is
durable; an op that raises rolls back its savepoint and fails alone. Ops run one at a time on
one connection, so an op that reads, decides and writes is atomic with no lock and no retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["GroupWriter", "Op", "Reader"]

log = logging.getLogger("gateway.store")

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], T]
_Queued = tuple[Op[Any], asyncio.Future[Any]]
_Done = tuple[asyncio.Future[Any], Any, BaseException | None]

# Enough to amortise one fsync over a busy moment's writes; small enough that the first op of
# a group never waits long behind the last.
_MAX_GROUP = 512


def _settle(done: list[_Done]) -> None:
    for future, result, error in done:
        if future.done():  # the caller was cancelled; the op ran (and committed) anyway
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class _OpThread:
    """A thread that owns `db` and runs the ops submitted to it, a group at a time."""

    name = "sqlite"

    def __init__(self, db: sqlite3.Connection, loop: asyncio.AbstractEventLoop) -> None:
        self._db = db
        self._loop = loop
        self._pending: list[_Queued] = []  # submitted during this turn of the event loop
        self._queue: queue.SimpleQueue[list[_Queued] | None] = queue.SimpleQueue()
        self._closed = False
        self._stopped: asyncio.Future[None] = loop.create_future()
        threading.Thread(target=self._serve, name=self.name, daemon=True).start()

    def submit(self, op: Op[T]) -> asyncio.Future[T]:
        """Queue `op` (from the event loop's thread). Ops submitted in one turn of the loop
        reach the thread together: one wake-up for all of them."""
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        future: asyncio.Future[T] = self._loop.create_future()
        if not self._pending:
            self._loop.call_soon(self._hand_over)
        self._pending.append((op, future))
        return future

    def _hand_over(self) -> None:
        if self._pending:
            self._queue.put(self._pending)
            self._pending = []

    async def close(self) -> None:
        """Finish what is queued, then close the connection."""
        if not self._closed:
            self._closed = True
            self._hand_over()
            self._queue.put(None)
        await self._stopped

    def _serve(self) -> None:
        stop = False
        try:
            while not stop:
                group: list[_Queued] = []
                item = self._queue.get()
                while True:
                    if item is None:
                        stop = True
                    else:
                        group.extend(item)
                    if len(group) >= _MAX_GROUP:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if group:
                    self._loop.call_soon_threadsafe(_settle, self._run(group))
        finally:
            self._db.close()
            self._loop.call_soon_threadsafe(self._stopped.set_result, None)

    def _run(self, group: list[_Queued]) -> list[_Done]:
        done: list[_Done] = []
        for op, future in group:
            try:
                done.append((future, op(self._db), None))
            except Exception as exc:
                done.append((future, None, exc))
        return done


class Reader(_OpThread):
    name = "sqlite-reader"


# A write group this recent answers "writable?" without one more (/readyz, edge.ops_endpoints)
_FRESH = 5.0


class GroupWriter(_OpThread):
    name = "sqlite-writer"

    def __init__(self, db: sqlite3.Connection, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(db, loop)
        # (time.monotonic(), the group's error or None) of the last group; set by the thread
        self._last: tuple[float, BaseException | None] | None = None
        self._probe: asyncio.Future[None] | None = None

    async def check_writable(self) -> None:
        """Raises if the database cannot be written. A busy writer answers from its last
        group; an idle one runs one empty group, shared by every probe waiting meanwhile, so
        probes cost at most one lock each `_FRESH` seconds, never a group per call."""
        last = self._last
        if last is not None and time.monotonic() - last[0] < _FRESH:
            if last[1] is not None:
                raise sqlite3.OperationalError(f"the last write failed: {last[1]!r}")
            return
        if self._probe is None or self._probe.done():
            self._probe = self.submit(lambda db: None)
        await asyncio.shield(self._probe)  # a caller's timeout must not cancel the others'

    def _run(self, group: list[_Queued]) -> list[_Done]:
        db, done = self._db, list[_Done]()
        try:
            db.execute("BEGIN IMMEDIATE")
            for op, future in group:
                db.execute("SAVEPOINT op")
                try:
                    result = op(db)
                except Exception as exc:
                    db.execute("ROLLBACK TO op")
                    done.append((future, None, exc))
                else:
                    done.append((future, result, None))
                db.execute("RELEASE op")
            db.execute("COMMIT")
        except Exception as exc:  # BEGIN, a savepoint or COMMIT failed: nothing was stored
            log.warning("write group of %d failed: %r", len(group), exc)
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            self._last = (time.monotonic(), exc)
            return [(future, None, exc) for _op, future in group]
        self._last = (time.monotonic(), None)
        return done
