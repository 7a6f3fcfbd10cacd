"""Usage counts for reports."""

from __future__ import annotations

from gateway.core.usage import UsageCount
from gateway.store.db import Db

__all__ = ["UsageQueries"]

# When a message counts: outbound when the carrier accepted it (date_sent), inbound when it
# arrived (date_created). Only carrier traffic has a carrier sid: messages refused before the
# carrier and messages logged through the API are not billed by anyone.
_BILLED_AT = "COALESCE(date_sent, date_created)"

_KEYS = {
    # the country that priced the message, stored with it (migration 011)
    "country": "country",
    "number": "local_phone",
}


class UsageQueries(Db):
    async def usage_counts(
        self, org_id: str, start: str, end: str, group_by: str, tz_minutes: int = 0
    ) -> list[UsageCount]:
        """Carrier traffic billed in [start, end), counted by direction, key and cost."""
        if group_by == "day":
            # the day in the caller's time zone; the offset is bound, never formatted in
            key = self.search_dialect.local_day.format(column=_BILLED_AT, minutes="$4")
            params: tuple[object, ...] = (org_id, start, end, tz_minutes)
        else:
            key, params = _KEYS[group_by], (org_id, start, end)
        rows = await self._all(
            f"SELECT direction, {key} AS usage_key, cost, count(*), sum(segments) FROM sms"
            f" WHERE organization_id = $1 AND carrier_sid IS NOT NULL"
            f" AND {_BILLED_AT} >= $2 AND {_BILLED_AT} < $3"
            " GROUP BY direction, usage_key, cost",
            params,
        )
        return [UsageCount(row[0], row[1], row[2], int(row[3]), int(row[4] or 0)) for row in rows]
