"""Usage counts for reports, and the write that makes a refused message cost nothing."""

from __future__ import annotations

from gateway.core.lifecycle import Outcome
from gateway.core.usage import UsageCount
from gateway.store.sqlite_db import SqliteDb

__all__ = ["UsageQueries"]

# When a message counts: outbound when the carrier accepted it (date_sent), inbound when it
# arrived (date_created). Only carrier traffic has a carrier sid: messages refused before the
# carrier and messages logged through the API are not billed by anyone.
_BILLED_AT = "COALESCE(date_sent, date_created)"

_KEYS = {
    # the country that priced the message, stored with it (migration 011)
    "country": "country",
    "number": "local_phone",
    # the day in the caller's time zone; the offset is bound, never formatted in
    "day": f"substr(datetime({_BILLED_AT}, ? || ' minutes'), 1, 10)",
}


class UsageQueries(SqliteDb):
    async def usage_counts(
        self, org_id: str, start: str, end: str, group_by: str, tz_minutes: int = 0
    ) -> list[UsageCount]:
        """Carrier traffic billed in [start, end), counted by direction, key and cost."""
        key = _KEYS[group_by]
        key_params = [f"{tz_minutes:+d}"] if group_by == "day" else []
        rows = await self._all(
            f"SELECT direction, {key} AS usage_key, cost, COUNT(*), SUM(segments) FROM sms"
            f" WHERE organization_id = ? AND carrier_sid IS NOT NULL"
            f" AND {_BILLED_AT} >= ? AND {_BILLED_AT} < ?"
            " GROUP BY direction, usage_key, cost",
            [*key_params, org_id, start, end],
        )
        return [UsageCount(row[0], row[1], row[2], int(row[3]), int(row[4] or 0)) for row in rows]

    async def record_refused(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """The message ended before the carrier took it (rejected at create, expired, opted
        out meanwhile): record the outcome, and it costs nothing."""
        await self._write(
            "UPDATE sms SET due_at = NULL, claimed_until = NULL, status = ?,"
            " delivery_status = ?, error_code = ?, error_reason = ?, error_message = ?,"
            " cost = NULL, date_updated = ? WHERE id = ? AND carrier_sid IS NULL",
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
