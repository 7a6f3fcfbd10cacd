"""SMS activities: the API's reads and writes, and the dispatcher's writes that need no lock
(its claims and due messages differ by backend: sqlite_sms, pg_sms)."""

from __future__ import annotations

from typing import Any

from gateway.core.idempotency import KeyAnswer
from gateway.core.lifecycle import Outcome
from gateway.core.models import Sms, SmsQuery
from gateway.store.db import Binds, Db, Stmt
from gateway.store.keys import answer_stmts
from gateway.store.rows import SMS_FIELDS, SMS_UPDATABLE, SMS_WRITTEN, sms_from_row, sms_values

__all__ = ["OUTCOME_SET", "SmsQueries", "insert_sms_stmt", "outcome_values"]

_COLUMNS = ", ".join(SMS_FIELDS)
_INSERT = (
    f"INSERT INTO sms ({', '.join(SMS_WRITTEN)})"
    f" VALUES ({', '.join(f'${n}' for n in range(1, len(SMS_WRITTEN) + 1))})"
)
# an Outcome's columns, from $1 (values: outcome_values)
OUTCOME_SET = (
    "status = $1, delivery_status = $2, error_code = $3, error_reason = $4, error_message = $5"
)


def outcome_values(outcome: Outcome) -> tuple[Any, ...]:
    return (
        outcome.status,
        outcome.delivery_status,
        outcome.error_code,
        outcome.error_reason,
        outcome.error_message,
    )


def insert_sms_stmt(sms: Sms) -> Stmt:
    return Stmt(_INSERT, sms_values(sms))


class SmsQueries(Db):
    async def insert_sms(self, sms: Sms, answer: KeyAnswer | None = None) -> None:
        await self._batch([insert_sms_stmt(sms), *answer_stmts(answer)])

    async def get_sms(self, org_id: str, sms_id: str) -> Sms | None:
        row = await self._one(
            f"SELECT {_COLUMNS} FROM sms WHERE organization_id = $1 AND id = $2", (org_id, sms_id)
        )
        return sms_from_row(row) if row else None

    async def list_sms(self, query: SmsQuery) -> list[Sms]:
        dialect, b = self.search_dialect, Binds()
        where = [f"organization_id = {b(query.organization_id)}"]
        for column, values in (
            ("id", query.ids),
            ("lead_id", query.lead_ids),
            ("contact_id", query.contact_ids),
            ("status", query.statuses),
            ("direction", query.directions),
        ):
            if values:
                where.append(f"{column} {dialect.in_list.format(b(dialect.list_value(values)))}")
        for op, value in (
            (">=", query.created_gte),
            (">", query.created_gt),
            ("<=", query.created_lte),
            ("<", query.created_lt),
        ):
            if value is not None:
                where.append(f"date_created {op} {b(value)}")
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM sms WHERE {' AND '.join(where)}"
            f" ORDER BY date_created DESC, {dialect.sequence} DESC"
            f" LIMIT {b(query.limit)} OFFSET {b(query.skip)}",
            b.values,
        )
        return [sms_from_row(row) for row in rows]

    async def update_sms(self, sms: Sms, expected_status: str, now: str) -> bool:
        n = len(SMS_UPDATABLE)
        changed = await self._changes(
            f"UPDATE sms SET {', '.join(f'{c} = ${i}' for i, c in enumerate(SMS_UPDATABLE, 1))}"
            f" WHERE id = ${n + 1} AND organization_id = ${n + 2} AND status = ${n + 3}"
            f" AND carrier_sid IS NULL AND (claimed_until IS NULL OR claimed_until < ${n + 4})",
            [*sms_values(sms, SMS_UPDATABLE), sms.id, sms.organization_id, expected_status, now],
        )
        return changed == 1

    async def delete_sms(self, org_id: str, sms_id: str) -> None:
        await self._write(
            "DELETE FROM sms WHERE organization_id = $1 AND id = $2", (org_id, sms_id)
        )

    async def record_outcome(self, sms_id: str, outcome: Outcome, now: str) -> None:
        await self._write(
            f"UPDATE sms SET due_at = NULL, {self.unclaimed}, {OUTCOME_SET},"
            " date_updated = $6 WHERE id = $7",
            (*outcome_values(outcome), now, sms_id),
        )

    async def record_refused(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """The message ended before the carrier took it (rejected at create, expired, opted
        out meanwhile): record the outcome, and it costs nothing."""
        await self._write(
            f"UPDATE sms SET due_at = NULL, {self.unclaimed}, {OUTCOME_SET}, cost = NULL,"
            " date_updated = $6 WHERE id = $7 AND carrier_sid IS NULL",
            (*outcome_values(outcome), now, sms_id),
        )

    async def record_retry(
        self, sms_id: str, attempts: int, due_at: str, unsent: bool = False
    ) -> None:
        await self._write(
            f"UPDATE sms SET attempts = $1, due_at = $2, {self.unclaimed},"
            " first_claimed_at = CASE WHEN $4 THEN NULL ELSE first_claimed_at END"
            " WHERE id = $3 AND carrier_sid IS NULL",
            (attempts, due_at, sms_id, unsent),
        )
