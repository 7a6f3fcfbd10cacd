"""Organizations, API keys and phone numbers."""

from __future__ import annotations

import json

from gateway.core.idempotency import KeyAnswer
from gateway.core.lifecycle import Outcome
from gateway.core.models import Organization, PhoneNumber
from gateway.store.db import Binds, Db, Stmt
from gateway.store.keys import answer_stmts
from gateway.store.rows import NUMBER_COLUMNS, number_from_row

__all__ = ["TenancyQueries"]

# A released number's due, unclaimed messages end, at no cost (the carrier never saw them).
# Claimed rows are a send in flight (on PostgreSQL maybe another process's): the next claim
# sees the number gone and ends the message then.
_END_UNSENT = (
    "UPDATE sms SET due_at = NULL, claimed_until = NULL, status = $1, delivery_status = $2,"
    " error_code = $3, error_reason = $4, error_message = $5, cost = NULL, date_updated = $6"
    " WHERE organization_id = $7 AND local_phone = (SELECT number FROM phone_numbers"
    "  WHERE organization_id = $7 AND id = $8 AND type = 'internal')"
    " AND due_at IS NOT NULL AND carrier_sid IS NULL"
    " AND (claimed_until IS NULL OR claimed_until < $6) RETURNING 1"
)


class TenancyQueries(Db):
    async def create_organization(self, org: Organization, key_hash: str) -> None:
        await self._batch(
            [
                Stmt(
                    "INSERT INTO organizations VALUES ($1, $2, $3)",
                    (org.id, org.name, org.date_created),
                ),
                Stmt(
                    "INSERT INTO api_keys VALUES ($1, $2, $3)",
                    (key_hash, org.id, org.date_created),
                ),
            ]
        )

    async def organization_for_key(self, key_hash: str) -> str | None:
        row = await self._one(
            "SELECT organization_id FROM api_keys WHERE key_hash = $1", (key_hash,)
        )
        return row[0] if row else None

    async def insert_phone_number(
        self, number: PhoneNumber, answer: KeyAnswer | None = None
    ) -> None:
        insert = Stmt(
            f"INSERT INTO phone_numbers ({NUMBER_COLUMNS})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            (
                number.id,
                number.organization_id,
                number.number,
                number.label,
                number.type,
                number.country,
                number.sms_enabled,
                json.dumps(list(number.supports_sms_to_countries)),
                number.carrier_sid,
                number.date_created,
                number.date_updated,
            ),
        )
        await self._batch([insert, *answer_stmts(answer)])

    async def get_phone_number(self, org_id: str, number_id: str) -> PhoneNumber | None:
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE organization_id = $1 AND id = $2",
            (org_id, number_id),
        )
        return number_from_row(row) if row else None

    async def find_phone_number(self, org_id: str, number: str) -> PhoneNumber | None:
        # an organization may hold the same number as internal and external; internal wins
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE organization_id = $1"
            " AND number = $2 ORDER BY type = 'internal' DESC LIMIT 1",
            (org_id, number),
        )
        return number_from_row(row) if row else None

    async def find_rented_number(self, number: str) -> PhoneNumber | None:
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE number = $1 AND type = 'internal'",
            (number,),
        )
        return number_from_row(row) if row else None

    async def list_phone_numbers(
        self, org_id: str, number: str | None, skip: int, limit: int
    ) -> list[PhoneNumber]:
        b = Binds()
        where = f"organization_id = {b(org_id)}"
        if number:
            where += f" AND number = {b(number)}"
        rows = await self._all(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE {where}"
            f" ORDER BY date_created, {self.search_dialect.sequence}"
            f" LIMIT {b(limit)} OFFSET {b(skip)}",
            b.values,
        )
        return [number_from_row(row) for row in rows]

    async def update_phone_number_label(
        self, org_id: str, number_id: str, label: str | None, now: str
    ) -> None:
        await self._write(
            "UPDATE phone_numbers SET label = $1, date_updated = $2"
            " WHERE organization_id = $3 AND id = $4",
            (label, now, org_id, number_id),
        )

    async def release_phone_number(
        self, org_id: str, number_id: str, ended: Outcome, now: str
    ) -> int:
        # the messages first, while the number is there to name them
        ended_rows, _deleted = await self._batch(
            [
                Stmt(
                    _END_UNSENT,
                    (
                        ended.status,
                        ended.delivery_status,
                        ended.error_code,
                        ended.error_reason,
                        ended.error_message,
                        now,
                        org_id,
                        number_id,
                    ),
                ),
                Stmt(
                    "DELETE FROM phone_numbers WHERE organization_id = $1 AND id = $2",
                    (org_id, number_id),
                ),
            ]
        )
        return len(ended_rows)
