"""The suppression list in SQLite: opt-outs per organization and phone, and their clearings."""

from __future__ import annotations

import sqlite3

from gateway.core.models import Suppression, SuppressionClearing
from gateway.store.rows import (
    CLEARING_COLUMNS,
    SUPPRESSION_COLUMNS,
    clearing_from_row,
    suppression_from_row,
)
from gateway.store.sqlite_db import SqliteDb, changes, fetch_all, fetch_one

__all__ = ["SuppressionQueries", "add_suppression", "clear_suppression"]


def add_suppression(db: sqlite3.Connection, s: Suppression) -> bool:
    """Part of a writer op. A phone already on the list keeps its first opt-out."""
    return bool(
        changes(
            db,
            f"INSERT INTO suppressions ({SUPPRESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (s.organization_id, s.phone, s.keyword, s.local_phone, s.date_created),
        )
    )


def clear_suppression(
    db: sqlite3.Connection, org_id: str, phone: str, cleared_by: str, why: str, now: str
) -> Suppression | None:
    """Part of a writer op: take the phone off the list and record who did and why."""
    row = fetch_one(
        db,
        f"DELETE FROM suppressions WHERE organization_id = ? AND phone = ?"
        f" RETURNING {SUPPRESSION_COLUMNS}",
        (org_id, phone),
    )
    if row is None:
        return None
    cleared = suppression_from_row(row)
    db.execute(
        f"INSERT INTO suppression_clearings ({CLEARING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            org_id,
            phone,
            cleared.keyword,
            cleared.local_phone,
            cleared.date_created,
            cleared_by,
            why,
            now,
        ),
    )
    return cleared


class SuppressionQueries(SqliteDb):
    async def is_phone_blocked(self, org_id: str, phone: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM suppressions WHERE organization_id = ? AND phone = ?", (org_id, phone)
        )
        return row is not None

    async def suppress(self, suppression: Suppression) -> bool:
        return await self._run(lambda db: add_suppression(db, suppression))

    async def list_suppressions(self, org_id: str, phone: str | None) -> list[Suppression]:
        rows = await self._all(
            f"SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE organization_id = ?"
            " AND (? IS NULL OR phone = ?) ORDER BY date_created, phone",
            (org_id, phone, phone),
        )
        return [suppression_from_row(row) for row in rows]

    async def clear_suppression(
        self, org_id: str, phone: str, cleared_by: str, why: str, now: str
    ) -> Suppression | None:
        return await self._run(
            lambda db: clear_suppression(db, org_id, phone, cleared_by, why, now)
        )

    async def list_suppression_clearings(
        self, org_id: str, phone: str | None
    ) -> list[SuppressionClearing]:
        rows = await self._read(
            lambda db: fetch_all(
                db,
                f"SELECT {CLEARING_COLUMNS} FROM suppression_clearings WHERE organization_id = ?"
                " AND (? IS NULL OR phone = ?) ORDER BY date_cleared, id",
                (org_id, phone, phone),
            )
        )
        return [clearing_from_row(row) for row in rows]
