"""Usage counts for reports, and the write that makes a refused message cost nothing, in
PostgreSQL."""

from __future__ import annotations

from gateway.core.lifecycle import Outcome
from gateway.core.usage import UsageCount
from gateway.store.pg_db import PgDb

__all__ = ["PgUsageQueries"]

# When a message counts: as UsageQueries (sqlite_usage) explains
_BILLED_AT = "COALESCE(date_sent, date_created)"

_KEYS = {
    "country": "country",
    "number": "local_phone",
    # the day in the caller's time zone; the offset is bound, never formatted in
    "day": f"to_char(({_BILLED_AT})::timestamptz AT TIME ZONE 'UTC'"
    " + make_interval(mins => $4), 'YYYY-MM-DD')",
}


class PgUsageQueries(PgDb):
    async def usage_counts(
        self, org_id: str, start: str, end: str, group_by: str, tz_minutes: int = 0
    ) -> list[UsageCount]:
        """Carrier traffic billed in [start, end), counted by direction, key and cost."""
        key = _KEYS[group_by]
        rows = await self._all(
            f"SELECT direction, {key} AS usage_key, cost, count(*), sum(segments) FROM sms"
            f" WHERE organization_id = $1 AND carrier_sid IS NOT NULL"
            f" AND {_BILLED_AT} >= $2 AND {_BILLED_AT} < $3"
            " GROUP BY direction, usage_key, cost",
            [org_id, start, end, *([tz_minutes] if group_by == "day" else [])],
        )
        return [UsageCount(row[0], row[1], row[2], int(row[3]), int(row[4] or 0)) for row in rows]

    async def record_refused(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """The message ended before the carrier took it: record the outcome, at no cost."""
        await self._write(
            "UPDATE sms SET due_at = NULL, claimed_until = NULL, claimed_by = NULL,"
            " status = $1, delivery_status = $2, error_code = $3, error_reason = $4,"
            " error_message = $5, cost = NULL, date_updated = $6"
            " WHERE id = $7 AND carrier_sid IS NULL",
            (
                outcome.status,
                outcome.delivery_status,
                outcome.error_code,
                outcome.error_reason,
                outcome.error_message,
                now,
                sms_id,
            ),
        )
