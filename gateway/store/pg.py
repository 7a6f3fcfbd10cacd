"""PgStore: the Store protocol on PostgreSQL (asyncpg), assembled from one query class per
concern as SqliteStore is."""

from __future__ import annotations

from gateway.core.pacing import Pace
from gateway.store.pg_intake import PgIntakeQueries
from gateway.store.pg_keys import PgKeyQueries
from gateway.store.pg_leads import PgLeadQueries
from gateway.store.pg_ops import PgOpsQueries
from gateway.store.pg_suppressions import PgSuppressionQueries
from gateway.store.pg_tenancy import PgTenancyQueries
from gateway.store.pg_usage import PgUsageQueries
from gateway.store.pg_whitelist import PgWhitelistQueries

__all__ = ["PgStore", "open_pg"]


class PgStore(
    PgTenancyQueries,
    PgLeadQueries,
    PgIntakeQueries,
    PgWhitelistQueries,
    PgUsageQueries,
    PgOpsQueries,
    PgKeyQueries,
    PgSuppressionQueries,
):
    pass


async def open_pg(url: str, migrate: bool = True, pace: Pace | None = None) -> PgStore:
    """`pace`: the per-number rate to hold across every process sharing the database."""
    return await PgStore.open(url, migrate, pace)
