"""The query classes written once for both backends, one per concern, composed: SqliteStore
and PgStore each put them on their own primitives (gateway.store.db.Db) with the few classes
that differ by backend."""

from __future__ import annotations

from gateway.store.keys import KeyQueries
from gateway.store.leads import LeadQueries
from gateway.store.ops import OpsQueries
from gateway.store.sms import SmsQueries
from gateway.store.suppressions import SuppressionQueries
from gateway.store.tenancy import TenancyQueries
from gateway.store.usage import UsageQueries
from gateway.store.whitelist import WhitelistQueries

__all__ = ["SharedQueries"]


class SharedQueries(
    TenancyQueries,
    KeyQueries,
    LeadQueries,
    SuppressionQueries,
    SmsQueries,
    WhitelistQueries,
    UsageQueries,
    OpsQueries,
):
    pass
