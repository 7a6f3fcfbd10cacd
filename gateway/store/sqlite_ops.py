"""What operations ask of SQLite: the census behind /metrics, the readiness probe, the
carrier_events purge, and the lookup that ties a status callback to its activity (for its lag
and log lines)."""

from __future__ import annotations

import json

from gateway.search.compile import SQLITE
from gateway.store.sql import CENSUS, purge_events
from gateway.store.sqlite_db import SqliteDb, fetch_all

__all__ = ["OpsQueries"]

# (direction, status, error_reason, a sample remote phone, count)
CensusRow = tuple[str, str, str | None, str | None, int]


class OpsQueries(SqliteDb):
    async def sms_census(self) -> list[CensusRow]:
        """Messages by direction, status and reason, split by the first four digits of the
        remote phone: enough to tell its country (country codes have 1-3 digits; NANP
        countries differ by area code), so the caller names the country from one sample.
        From the counts migration 010 keeps on write: a few rows, whatever the table holds."""
        rows = await self._all(CENSUS)
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    async def compact_census(self) -> None:
        """Nothing to fold: SQLite keeps one row per group (one writer, no lock to share)."""

    async def queue_depth(self, now: str) -> tuple[int, int]:
        """Outbound messages not handed over yet: (due now, due later)."""
        row = await self._one(
            "SELECT COALESCE(SUM(due_at <= ?), 0), COALESCE(SUM(due_at > ?), 0) FROM sms"
            " WHERE due_at IS NOT NULL",
            (now, now),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def unmatched_callbacks(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM carrier_events WHERE applied = 0")
        return int(row[0]) if row else 0

    async def sent_by_sid(self, carrier_sid: str) -> tuple[str, str | None] | None:
        """(activity id, date_sent) of the message the carrier knows as `carrier_sid`."""
        row = await self._one("SELECT id, date_sent FROM sms WHERE carrier_sid = ?", (carrier_sid,))
        return (row[0], row[1]) if row else None

    async def check_writable(self) -> None:
        """Raises if the database cannot be written: from the writer's last group while it is
        busy, else one empty group (gateway.store.sqlite_threads.GroupWriter)."""
        await self._writer.check_writable()

    async def purge_carrier_events(
        self, applied_before: str, unapplied_before: str, limit: int
    ) -> tuple[int, int]:
        """Delete one batch (one transaction) of the oldest events past their retention:
        (how many, how many of them had never matched a message)."""
        rows = await self._run(
            lambda db: fetch_all(
                db, purge_events(SQLITE), (applied_before, unapplied_before, limit)
            )
        )
        return len(rows), sum(1 for row in rows if not row[1])

    async def unsettled_sids(
        self, sent_after: str, sent_before: str, limit: int, skip: frozenset[str]
    ) -> list[str]:
        """Carrier sids of outbound messages sent in (sent_after, sent_before) that still
        have no final delivery status, oldest first, none of `skip`."""
        rows = await self._all(
            "SELECT carrier_sid FROM sms WHERE carrier_sid IS NOT NULL"
            " AND direction = 'outbound' AND date_sent > ? AND date_sent < ?"
            " AND (delivery_status IS NULL OR delivery_status NOT IN"
            "  ('delivered', 'undelivered', 'failed', 'canceled', 'received'))"
            " AND carrier_sid NOT IN (SELECT value FROM json_each(?))"
            " ORDER BY date_sent LIMIT ?",
            (sent_after, sent_before, json.dumps(sorted(skip)), limit),
        )
        return [row[0] for row in rows]
