"""SqliteStore: the Store protocol on SQLite (WAL, group commit): the shared queries on
SQLite's primitives, and SQLite's own dispatcher claims and carrier writes (no locks: the one
writer runs one op at a time)."""

from __future__ import annotations

from gateway.store.queries import SharedQueries
from gateway.store.sqlite_intake import SqliteIntakeQueries
from gateway.store.sqlite_ops import SqliteOpsQueries
from gateway.store.sqlite_whitelist import SqliteWhitelistQueries

__all__ = ["SqliteStore", "open_sqlite"]


class SqliteStore(SharedQueries, SqliteIntakeQueries, SqliteWhitelistQueries, SqliteOpsQueries):
    pass


async def open_sqlite(path: str, synchronous: str = "NORMAL", migrate: bool = True) -> SqliteStore:
    return await SqliteStore.open(path, synchronous, migrate)
