"""Organizations, API keys and phone numbers in PostgreSQL."""

from __future__ import annotations

import json

from gateway.core.idempotency import KeyAnswer
from gateway.core.lifecycle import Outcome
from gateway.core.models import Organization, PhoneNumber
from gateway.search.compile import POSTGRESQL
from gateway.store.pg_db import PgDb
from gateway.store.pg_keys import answer_key
from gateway.store.rows import NUMBER_COLUMNS, number_from_row
from gateway.store.sql import end_unsent, end_unsent_values

__all__ = ["PgTenancyQueries"]


class PgTenancyQueries(PgDb):
    async def create_organization(self, org: Organization, key_hash: str) -> None:
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO organizations VALUES ($1, $2, $3)", org.id, org.name, org.date_created
            )
            await db.execute(
                "INSERT INTO api_keys VALUES ($1, $2, $3)", key_hash, org.id, org.date_created
            )

    async def organization_for_key(self, key_hash: str) -> str | None:
        row = await self._one(
            "SELECT organization_id FROM api_keys WHERE key_hash = $1", (key_hash,)
        )
        return row[0] if row else None

    async def insert_phone_number(
        self, number: PhoneNumber, answer: KeyAnswer | None = None
    ) -> None:
        async with self._tx() as db:
            await db.execute(
                f"INSERT INTO phone_numbers ({NUMBER_COLUMNS})"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            )
            await answer_key(db, answer)

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
        rows = await self._all(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE organization_id = $1"
            " AND ($2::text IS NULL OR number = $2)"
            " ORDER BY date_created, seq LIMIT $3 OFFSET $4",
            (org_id, number or None, limit, skip),
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
        async with self._tx() as db:
            row = await self._one(
                "DELETE FROM phone_numbers WHERE organization_id = $1"
                " AND id = $2 RETURNING number, type",
                (org_id, number_id),
                db,
            )
            if row is None or row["type"] != "internal":
                return 0
            # claimed rows are another process's send in flight; its next claim sees the
            # number gone and ends the message then
            return await self._changes(
                end_unsent(POSTGRESQL), end_unsent_values(ended, now, org_id, row["number"]), db
            )
