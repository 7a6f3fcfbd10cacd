"""The suppression list: opt-outs per organization and phone, and their clearings."""

from __future__ import annotations

from gateway.core.models import Suppression, SuppressionClearing
from gateway.search.compile import Dialect
from gateway.store.db import Db, Stmt
from gateway.store.rows import (
    CLEARING_COLUMNS,
    SUPPRESSION_COLUMNS,
    clearing_from_row,
    suppression_from_row,
)

__all__ = ["SuppressionQueries", "add_stmt", "clear_stmts"]


def add_stmt(s: Suppression) -> Stmt:
    """A phone already on the list keeps its first opt-out; returns a row if it was added."""
    return Stmt(
        f"INSERT INTO suppressions ({SUPPRESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        (s.organization_id, s.phone, s.keyword, s.local_phone, s.date_created),
    )


def clear_stmts(
    dialect: Dialect, org_id: str, phone: str, cleared_by: str, why: str, now: str
) -> list[Stmt]:
    """Take the phone off the list, recording who did and why: the history row first, from
    the entry it locks, then the delete, whose row (if any) is the entry cleared."""
    return [
        Stmt(
            f"INSERT INTO suppression_clearings ({CLEARING_COLUMNS})"
            " SELECT organization_id, phone, keyword, local_phone, date_created, $3, $4, $5"
            f" FROM suppressions WHERE organization_id = $1 AND phone = $2{dialect.for_update}",
            (org_id, phone, cleared_by, why, now),
        ),
        Stmt(
            "DELETE FROM suppressions WHERE organization_id = $1 AND phone = $2"
            f" RETURNING {SUPPRESSION_COLUMNS}",
            (org_id, phone),
        ),
    ]


class SuppressionQueries(Db):
    async def is_phone_blocked(self, org_id: str, phone: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM suppressions WHERE organization_id = $1 AND phone = $2", (org_id, phone)
        )
        return row is not None

    async def suppress(self, suppression: Suppression) -> bool:
        [added] = await self._batch([add_stmt(suppression)])
        return bool(added)

    async def list_suppressions(self, org_id: str, phone: str | None) -> list[Suppression]:
        rows = await self._all(
            f"SELECT {SUPPRESSION_COLUMNS} FROM suppressions WHERE organization_id = $1"
            " AND (CAST($2 AS TEXT) IS NULL OR phone = $2) ORDER BY date_created, phone",
            (org_id, phone),
        )
        return [suppression_from_row(row) for row in rows]

    async def clear_suppression(
        self, org_id: str, phone: str, cleared_by: str, why: str, now: str
    ) -> Suppression | None:
        _history, deleted = await self._batch(
            clear_stmts(self.search_dialect, org_id, phone, cleared_by, why, now)
        )
        return suppression_from_row(deleted[0]) if deleted else None

    async def list_suppression_clearings(
        self, org_id: str, phone: str | None
    ) -> list[SuppressionClearing]:
        rows = await self._all(
            f"SELECT {CLEARING_COLUMNS} FROM suppression_clearings WHERE organization_id = $1"
            " AND (CAST($2 AS TEXT) IS NULL OR phone = $2) ORDER BY date_cleared, id",
            (org_id, phone),
        )
        return [clearing_from_row(row) for row in rows]
