"""PgStore: the Store protocol on PostgreSQL (asyncpg): the shared queries on PostgreSQL's
primitives, and PostgreSQL's own dispatcher claims and carrier writes (row locks, advisory
locks and claim tokens, for several processes sharing the database)."""

from __future__ import annotations

from gateway.core.pacing import Pace
from gateway.store.pg_intake import PgIntakeQueries
from gateway.store.pg_ops import PgOpsQueries
from gateway.store.pg_whitelist import PgWhitelistQueries
from gateway.store.queries import SharedQueries

__all__ = ["PgStore", "open_pg"]


class PgStore(SharedQueries, PgIntakeQueries, PgWhitelistQueries, PgOpsQueries):
    pass


async def open_pg(url: str, migrate: bool = True, pace: Pace | None = None) -> PgStore:
    """`pace`: the per-number rate to hold across every process sharing the database."""
    return await PgStore.open(url, migrate, pace)
