"""The suppression list in PostgreSQL: opt-outs per organization and phone, and their
clearings."""

from __future__ import annotations

import asyncpg

from gateway.core.models import Suppression, SuppressionClearing
from gateway.store.pg_db import PgDb
from gateway.store.rows import (
    CLEARING_COLUMNS,
    SUPPRESSION_COLUMNS,
    clearing_from_row,
    suppression_from_row,
)

__all__ = ["PgSuppressionQueries", "add_suppression", "clear_suppression"]


async def add_suppression(db: asyncpg.Connection | asyncpg.Pool, s: Suppression) -> bool:
    """A phone already on the list keeps its first opt-out."""
    status = await db.execute(
        f"INSERT INTO suppressions ({SUPPRESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING",
        s.organization_id,
        s.phone,
        s.keyword,
        s.local_phone,
        s.date_created,
    )
    return bool(status.endswith(" 1"))


async def clear_suppression(
    db: asyncpg.Connection, org_id: str, phone: str, cleared_by: str, why: str, now: str
) -> Suppression | None:
    """In `db`'s transaction: take the phone off the list and record who did and why."""
    row = await db.fetchrow(
        f"DELETE FROM suppressions WHERE organization_id = $1 AND phone = $2"
        f" RETURNING {SUPPRESSION_COLUMNS}",
        org_id,
        phone,
    )
    if row is None:
        return None
    cleared = suppression_from_row(row)
    await db.execute(
        f"INSERT INTO suppression_clearings ({CLEARING_COLUMNS})"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        org_id,
        phone,
        cleared.keyword,
        cleared.local_phone,
        cleared.date_created,
        cleared_by,
        why,
        now,
    )
    return cleared


class PgSuppressionQueries(PgDb):
    async def is_phone_blocked(self, org_id: str, phone: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM suppressions WHERE organization_id = $1 AND phone = $2", (org_id, phone)
        )
        return row is not None

    async def suppress(self, suppression: Suppression) -> bool:
        return await add_suppression(self._pool, suppression)

    async def list_suppressions(self, org_id: str, phone: str | None) -> list[Suppression]:
        rows = await self._all(
            f"SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE organization_id = $1"
            " AND ($2::text IS NULL OR phone = $2) ORDER BY date_created, phone",
            (org_id, phone),
        )
        return [suppression_from_row(row) for row in rows]

    async def clear_suppression(
        self, org_id: str, phone: str, cleared_by: str, why: str, now: str
    ) -> Suppression | None:
        async with self._tx() as db:
            return await clear_suppression(db, org_id, phone, cleared_by, why, now)

    async def list_suppression_clearings(
        self, org_id: str, phone: str | None
    ) -> list[SuppressionClearing]:
        rows = await self._all(
            f"SELECT {CLEARING_COLUMNS} FROM suppression_clearings WHERE organization_id = $1"
            " AND ($2::text IS NULL OR phone = $2) ORDER BY date_cleared, id",
            (org_id, phone),
        )
        return [clearing_from_row(row) for row in rows]
