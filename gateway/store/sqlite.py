"""SqliteStore: the Store protocol on SQLite (WAL, group commit), assembled from one query class
per concern."""

from __future__ import annotations

from gateway.search.compile import SQLITE
from gateway.store.sqlite_intake import IntakeQueries
from gateway.store.sqlite_keys import KeyQueries
from gateway.store.sqlite_leads import LeadQueries
from gateway.store.sqlite_ops import OpsQueries
from gateway.store.sqlite_sms import SmsQueries
from gateway.store.sqlite_suppressions import SuppressionQueries
from gateway.store.sqlite_tenancy import TenancyQueries
from gateway.store.sqlite_usage import UsageQueries
from gateway.store.sqlite_whitelist import WhitelistQueries

__all__ = ["SqliteStore", "open_sqlite"]


class SqliteStore(
    TenancyQueries,
    LeadQueries,
    IntakeQueries,
    SmsQueries,
    WhitelistQueries,
    UsageQueries,
    OpsQueries,
    KeyQueries,
    SuppressionQueries,
):
    search_dialect = SQLITE  # what gateway.search compiles queries for


async def open_sqlite(path: str, synchronous: str = "NORMAL", migrate: bool = True) -> SqliteStore:
    return await SqliteStore.open(path, synchronous, migrate)
