"""What operations ask of PostgreSQL that differs from SQLite: the readiness probe (a
standby or a read-only server, asked without writing) and the census's compaction (several
writers keep deltas, folded here). The rest is gateway.store.ops."""

from __future__ import annotations

from gateway.store.pg_db import PgDb

__all__ = ["PgOpsQueries"]


class PgOpsQueries(PgDb):
    async def compact_census(self) -> None:
        """Fold the census deltas into one row per group (migration 010)."""
        await self._write("SELECT sms_census_compact()")

    async def check_writable(self) -> None:
        """Raises if the database cannot be written (down, a standby, read-only): a read,
        where a probe that writes would cost a transaction id and a commit per call."""
        row = await self._one(
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"
        )
        if row is None or row[0]:
            raise RuntimeError("the server is a standby (in recovery): read-only")
        if row[1] != "off":
            raise RuntimeError("transactions are read-only (default_transaction_read_only)")
