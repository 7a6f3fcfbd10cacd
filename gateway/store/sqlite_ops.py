"""What operations ask of SQLite that differs from PostgreSQL: the readiness probe (the
writer thread knows whether its last group committed) and the census's compaction (SQLite has
none to do). The rest is gateway.store.ops."""

from __future__ import annotations

from gateway.store.sqlite_db import SqliteDb

__all__ = ["SqliteOpsQueries"]


class SqliteOpsQueries(SqliteDb):
    async def compact_census(self) -> None:
        """Nothing to fold: SQLite keeps one row per group (one writer, no lock to share)."""

    async def check_writable(self) -> None:
        """Raises if the database cannot be written: from the writer's last group while it is
        busy, else one empty group (gateway.store.sqlite_threads.GroupWriter)."""
        await self._writer.check_writable()
