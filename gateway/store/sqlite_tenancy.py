"""Organizations, API keys and phone numbers in SQLite."""

from __future__ import annotations

import json
import sqlite3

from gateway.core.idempotency import KeyAnswer
from gateway.core.lifecycle import Outcome
from gateway.core.models import Organization, PhoneNumber
from gateway.search.compile import SQLITE
from gateway.store.rows import NUMBER_COLUMNS, number_from_row
from gateway.store.sql import end_unsent, end_unsent_values
from gateway.store.sqlite_db import SqliteDb, changes, fetch_one
from gateway.store.sqlite_keys import answer_key

__all__ = ["TenancyQueries"]


class TenancyQueries(SqliteDb):
    async def create_organization(self, org: Organization, key_hash: str) -> None:
        def create(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO organizations VALUES (?, ?, ?)", (org.id, org.name, org.date_created)
            )
            db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?)", (key_hash, org.id, org.date_created)
            )

        await self._run(create)

    async def organization_for_key(self, key_hash: str) -> str | None:
        row = await self._one(
            "SELECT organization_id FROM api_keys WHERE key_hash = ?", (key_hash,)
        )
        return row[0] if row else None

    async def insert_phone_number(
        self, number: PhoneNumber, answer: KeyAnswer | None = None
    ) -> None:
        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT INTO phone_numbers ({NUMBER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    number.id,
                    number.organization_id,
                    number.number,
                    number.label,
                    number.type,
                    number.country,
                    int(number.sms_enabled),
                    json.dumps(list(number.supports_sms_to_countries)),
                    number.carrier_sid,
                    number.date_created,
                    number.date_updated,
                ),
            )
            answer_key(db, answer)

        await self._run(insert)

    async def get_phone_number(self, org_id: str, number_id: str) -> PhoneNumber | None:
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE organization_id = ? AND id = ?",
            (org_id, number_id),
        )
        return number_from_row(row) if row else None

    async def find_phone_number(self, org_id: str, number: str) -> PhoneNumber | None:
        # an organization may hold the same number as internal and external; internal wins
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE organization_id = ? AND number = ?"
            " ORDER BY type = 'internal' DESC LIMIT 1",
            (org_id, number),
        )
        return number_from_row(row) if row else None

    async def find_rented_number(self, number: str) -> PhoneNumber | None:
        row = await self._one(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE number = ? AND type = 'internal'",
            (number,),
        )
        return number_from_row(row) if row else None

    async def list_phone_numbers(
        self, org_id: str, number: str | None, skip: int, limit: int
    ) -> list[PhoneNumber]:
        where, params = "organization_id = ?", [org_id]
        if number:
            where += " AND number = ?"
            params.append(number)
        rows = await self._all(
            f"SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE {where}"
            " ORDER BY date_created, rowid LIMIT ? OFFSET ?",
            [*params, limit, skip],
        )
        return [number_from_row(row) for row in rows]

    async def update_phone_number_label(
        self, org_id: str, number_id: str, label: str | None, now: str
    ) -> None:
        await self._write(
            "UPDATE phone_numbers SET label = ?, date_updated = ?"
            " WHERE organization_id = ? AND id = ?",
            (label, now, org_id, number_id),
        )

    async def release_phone_number(
        self, org_id: str, number_id: str, ended: Outcome, now: str
    ) -> int:
        def release(db: sqlite3.Connection) -> int:
            row = fetch_one(
                db,
                "DELETE FROM phone_numbers WHERE organization_id = ? AND id = ?"
                " RETURNING number, type",
                (org_id, number_id),
            )
            if row is None or row["type"] != "internal":
                return 0
            return changes(
                db, end_unsent(SQLITE), end_unsent_values(ended, now, org_id, row["number"])
            )

        return await self._run(release)
