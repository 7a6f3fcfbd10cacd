"""The PostgreSQL connection pool behind PgStore, and this process's claim token.

Unlike SQLite's single writer, PostgreSQL serialises nothing for us: several coroutines and
several gateway processes write at once, each statement or transaction on its own pooled
connection. Row locks and guarded UPDATEs keep the dispatcher's claims and the carrier
statuses right (see pg_sms, pg_intake).

Sending numbers are paced here too, when the store is given a `Pace`: each claim takes its
messages' send slots from the `sender_pace` table, so the per-number rate is one budget for
all processes (each dispatcher also paces itself, which keeps one process within it).

Claims carry the claiming process's token, an advisory lock held by one connection for the
life of the store: when a process dies its connection goes, the lock with it, and the next
process to start releases that dead process's claims at once instead of waiting out the lease.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Self

import asyncpg

from gateway.core.dates import iso, now
from gateway.core.pacing import Pace
from gateway.search.compile import POSTGRESQL
from gateway.store.db import Db, Stmt
from gateway.store.migrate import apply_pg_migrations

__all__ = ["CLAIM_LOCK_SPACE", "PgDb", "run_statements"]

# pg_advisory_lock(space, token): the first key of every claim token's lock
CLAIM_LOCK_SPACE = 0x736D73  # "sms"


async def run_statements(
    db: asyncpg.Connection, statements: Sequence[Stmt]
) -> list[list[asyncpg.Record]]:
    """`Db._batch`'s statements, in `db`'s transaction."""
    done: list[list[asyncpg.Record]] = []
    for stmt in statements:
        if stmt.many:
            await db.executemany(stmt.sql, stmt.params)
            rows = []
        else:
            rows = list(await db.fetch(stmt.sql, *stmt.params))
        if stmt.or_fail is not None and not rows:
            raise stmt.or_fail
        done.append(rows)
    return done


class PgDb(Db):
    search_dialect = POSTGRESQL
    unclaimed = "claimed_until = NULL, claimed_by = NULL"

    def __init__(
        self, pool: asyncpg.Pool, owner: asyncpg.Connection, token: int, pace: Pace | None = None
    ) -> None:
        self._pool = pool
        self._owner = owner  # holds the advisory lock that says this process is alive
        self._token = token
        self._pace = pace

    @classmethod
    async def open(
        cls, url: str, migrate: bool = True, pace: Pace | None = None, pool_size: int = 10
    ) -> Self:
        owner = await asyncpg.connect(url)
        try:
            if migrate:
                await apply_pg_migrations(owner, iso(now()))
            token = await _take_token(owner)
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, reset=_keep_session
            )
        except BaseException:
            await owner.close()
            raise
        return cls(pool, owner, token, pace)

    async def close(self) -> None:
        await self._pool.close()
        await self._owner.close()

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    async def _batch(self, statements: Sequence[Stmt]) -> list[list[asyncpg.Record]]:
        if len(statements) == 1 and not statements[0].many and statements[0].or_fail is None:
            return [await self._write(statements[0].sql, statements[0].params)]  # no BEGIN
        async with self._tx() as db:
            return await run_statements(db, statements)

    def _serialise(self, key: str) -> list[Stmt]:
        # several processes write at once: an advisory lock, released when the batch ends
        return [Stmt("SELECT pg_advisory_xact_lock(hashtext($1))", (key,))]

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> list[asyncpg.Record]:
        """One statement, its own transaction; returns RETURNING rows, if any."""
        return list(await self._pool.fetch(sql, *params))

    async def _changes(
        self, sql: str, params: Iterable[Any] = (), db: asyncpg.Connection | None = None
    ) -> int:
        """Like `_write`, returning how many rows the statement changed."""
        status = await (db or self._pool).execute(sql, *params)
        return int(status.rsplit(" ", 1)[-1])

    async def _all(
        self, sql: str, params: Iterable[Any] = (), db: asyncpg.Connection | None = None
    ) -> list[asyncpg.Record]:
        return list(await (db or self._pool).fetch(sql, *params))

    async def _one(
        self, sql: str, params: Iterable[Any] = (), db: asyncpg.Connection | None = None
    ) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await (db or self._pool).fetchrow(sql, *params)
        return row


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a pool connection runs on release besides asyncpg's rollback of an open
    transaction: nothing. Its default (unlock all advisory locks, close cursors, unlisten,
    reset settings) is a round trip per release, and ours leave no such state behind: their
    advisory locks are transaction-scoped, the session lock lives on the owner connection."""


async def _take_token(conn: asyncpg.Connection) -> int:
    """A token no live process holds, locked by `conn` until it closes."""
    while True:
        token = random.randrange(1, 2**31)
        if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", CLAIM_LOCK_SPACE, token):
            return token
