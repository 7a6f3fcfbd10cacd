"""What operations ask of the store: the census behind /metrics, the queue's depth, the
carrier_events purge, and the lookups that tie a status callback to its activity (for its lag
and log lines) or find the messages reconcile should ask the carrier about. The readiness
probe and the census's compaction differ by backend (sqlite_ops, pg_ops)."""

from __future__ import annotations

from gateway.store.db import Db

__all__ = ["CensusRow", "OpsQueries"]

# (direction, status, error_reason, a sample remote phone, count)
CensusRow = tuple[str, str, str | None, str | None, int]

# smslab_messages from the counts migration 010 keeps on write: one row per group on SQLite,
# deltas to sum on PostgreSQL
_CENSUS = (
    "SELECT direction, status, NULLIF(error_reason, ''), MIN(sample), SUM(n)"
    " FROM sms_census GROUP BY direction, status, error_reason, prefix"
    " HAVING SUM(n) <> 0"
)


class OpsQueries(Db):
    async def sms_census(self) -> list[CensusRow]:
        rows = await self._all(_CENSUS)
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    async def queue_depth(self, now: str) -> tuple[int, int]:
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
        row = await self._one(
            "SELECT id, date_sent FROM sms WHERE carrier_sid = $1", (carrier_sid,)
        )
        return (row[0], row[1]) if row else None

    async def purge_carrier_events(
        self, applied_before: str, unapplied_before: str, limit: int
    ) -> tuple[int, int]:
        rows = await self._write(
            "DELETE FROM carrier_events WHERE id IN (SELECT id FROM carrier_events"
            " WHERE received_at < $1 AND (applied OR received_at < $2)"
            " ORDER BY received_at LIMIT $3) RETURNING kind, applied",
            (applied_before, unapplied_before, limit),
        )
        return len(rows), sum(1 for row in rows if not row[1])

    async def unsettled_sids(
        self, sent_after: str, sent_before: str, limit: int, skip: frozenset[str]
    ) -> list[str]:
        dialect = self.search_dialect
        rows = await self._all(
            "SELECT carrier_sid FROM sms WHERE carrier_sid IS NOT NULL"
            " AND direction = 'outbound' AND date_sent > $1 AND date_sent < $2"
            " AND (delivery_status IS NULL OR delivery_status NOT IN"
            "  ('delivered', 'undelivered', 'failed', 'canceled', 'received'))"
            f" AND carrier_sid {dialect.not_in_list.format('$3')}"
            " ORDER BY date_sent LIMIT $4",
            (sent_after, sent_before, dialect.list_value(sorted(skip)), limit),
        )
        return [row[0] for row in rows]
