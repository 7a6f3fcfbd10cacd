"""What operations ask of PostgreSQL: the census behind /metrics, the readiness probe, the
carrier_events purge, and the lookup that ties a status callback to its activity."""

from __future__ import annotations

from gateway.search.compile import POSTGRESQL
from gateway.store.pg_db import PgDb
from gateway.store.sql import CENSUS, purge_events

__all__ = ["PgOpsQueries"]

# (direction, status, error_reason, a sample remote phone, count)
CensusRow = tuple[str, str, str | None, str | None, int]


class PgOpsQueries(PgDb):
    async def sms_census(self) -> list[CensusRow]:
        """As OpsQueries.sms_census: split by the remote phone's first four digits; the sum
        of migration 010's deltas since the last `compact_census`."""
        rows = await self._all(CENSUS)
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    async def compact_census(self) -> None:
        """Fold the census deltas into one row per group (migration 010)."""
        await self._write("SELECT sms_census_compact()")

    async def queue_depth(self, now: str) -> tuple[int, int]:
        """Outbound messages not handed over yet: (due now, due later)."""
        row = await self._one(
            "SELECT count(*) FILTER (WHERE due_at <= $1), count(*) FILTER (WHERE due_at > $1)"
            " FROM sms WHERE due_at IS NOT NULL",
            (now,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def unmatched_callbacks(self) -> int:
        row = await self._one("SELECT count(*) FROM carrier_events WHERE NOT applied")
        return int(row[0]) if row else 0

    async def sent_by_sid(self, carrier_sid: str) -> tuple[str, str | None] | None:
        """(activity id, date_sent) of the message the carrier knows as `carrier_sid`."""
        row = await self._one(
            "SELECT id, date_sent FROM sms WHERE carrier_sid = $1", (carrier_sid,)
        )
        return (row[0], row[1]) if row else None

    async def check_writable(self) -> None:
        """Raises if the database cannot be written (down, a standby, read-only): a read,
        where a probe that writes would cost a transaction id and a commit per call."""
        row = await self._one(
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"
        )
        if row is None or row[0]:
            raise RuntimeError("the server is a standby (in recovery): read-only")
        if row[1] != "off":
            raise RuntimeError("transactions are read-only (default_transaction_read_only)")

    async def purge_carrier_events(
        self, applied_before: str, unapplied_before: str, limit: int
    ) -> tuple[int, int]:
        """As OpsQueries.purge_carrier_events."""
        rows = await self._write(
            purge_events(POSTGRESQL), (applied_before, unapplied_before, limit)
        )
        return len(rows), sum(1 for row in rows if not row[1])

    async def unsettled_sids(
        self, sent_after: str, sent_before: str, limit: int, skip: frozenset[str]
    ) -> list[str]:
        """Carrier sids of outbound messages sent in (sent_after, sent_before) that still
        have no final delivery status, oldest first, none of `skip`."""
        rows = await self._all(
            "SELECT carrier_sid FROM sms WHERE carrier_sid IS NOT NULL"
            " AND direction = 'outbound' AND date_sent > $1 AND date_sent < $2"
            " AND (delivery_status IS NULL OR delivery_status NOT IN"
            "  ('delivered', 'undelivered', 'failed', 'canceled', 'received'))"
            " AND carrier_sid <> ALL($3::text[])"
            " ORDER BY date_sent LIMIT $4",
            (sent_after, sent_before, sorted(skip), limit),
        )
        return [row[0] for row in rows]
