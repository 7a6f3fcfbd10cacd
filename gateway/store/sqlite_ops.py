"""What operations ask of SQLite: the census behind /metrics, the readiness probe, and the
lookup that ties a status callback to its activity (for its lag and log lines)."""

from __future__ import annotations

import json

from gateway.store.sqlite_db import SqliteDb

__all__ = ["OpsQueries"]

# (direction, status, error_reason, a sample remote phone, count)
CensusRow = tuple[str, str, str | None, str | None, int]


class OpsQueries(SqliteDb):
    async def sms_census(self) -> list[CensusRow]:
        """Messages by direction, status and reason, split by the first four digits of the
        remote phone: enough to tell its country (country codes have 1-3 digits; NANP
        countries differ by area code), so the caller names the country from one sample."""
        rows = await self._all(
            "SELECT direction, status, error_reason, MIN(remote_phone), COUNT(*) FROM sms"
            " GROUP BY direction, status, error_reason, substr(remote_phone, 1, 5)")
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    async def queue_depth(self, now: str) -> tuple[int, int]:
        """Outbound messages not handed over yet: (due now, due later)."""
        row = await self._one(
            "SELECT COALESCE(SUM(due_at <= ?), 0), COALESCE(SUM(due_at > ?), 0) FROM sms"
            " WHERE due_at IS NOT NULL", (now, now))
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def unmatched_callbacks(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM carrier_events WHERE applied = 0")
        return int(row[0]) if row else 0

    async def sent_by_sid(self, carrier_sid: str) -> tuple[str, str | None] | None:
        """(activity id, date_sent) of the message the carrier knows as `carrier_sid`."""
        row = await self._one("SELECT id, date_sent FROM sms WHERE carrier_sid = ?",
                              (carrier_sid,))
        return (row[0], row[1]) if row else None

    async def check_writable(self) -> None:
        """Take the write lock (with the next write group) and let it go: raises if the
        database cannot be written."""
        await self._run(lambda db: None)

    async def unsettled_sids(self, sent_after: str, sent_before: str, limit: int,
                             skip: frozenset[str]) -> list[str]:
        """Carrier sids of outbound messages sent in (sent_after, sent_before) that still
        have no final delivery status, oldest first, none of `skip`."""
        rows = await self._all(
            "SELECT carrier_sid FROM sms WHERE carrier_sid IS NOT NULL"
            " AND direction = 'outbound' AND date_sent > ? AND date_sent < ?"
            " AND (delivery_status IS NULL OR delivery_status NOT IN"
            "  ('delivered', 'undelivered', 'failed', 'canceled', 'received'))"
            " AND carrier_sid NOT IN (SELECT value FROM json_each(?))"
            " ORDER BY date_sent LIMIT ?",
            (sent_after, sent_before, json.dumps(sorted(skip)), limit))
        return [row[0] for row in rows]
