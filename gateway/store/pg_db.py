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
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, Self

import asyncpg

from gateway.core.dates import iso, now
from gateway.core.pacing import Pace
from gateway.search.compile import POSTGRESQL
from gateway.store.migrate import apply_pg_migrations

__all__ = ["CLAIM_LOCK_SPACE", "PgDb"]

# pg_advisory_lock(space, token): the first key of every claim token's lock
CLAIM_LOCK_SPACE = 0x736D73  # "sms"


class PgDb:
    search_dialect = POSTGRESQL

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
            pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size)
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


async def _take_token(conn: asyncpg.Connection) -> int:
    """A token no live process holds, locked by `conn` until it closes."""
    while True:
        token = random.randrange(1, 2**31)
        if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", CLAIM_LOCK_SPACE, token):
            return token
