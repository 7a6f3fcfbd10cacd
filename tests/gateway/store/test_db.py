"""The store's shared query layer (gateway.store.db) on the real backend (SQLite, or
PostgreSQL with SMSLAB_TEST_DB=postgresql): a batch is one transaction, SQLite reads the
shared `$N` placeholders, and the writes that read before they write stay right when two
requests race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.core.models import Suppression
from gateway.store import Store, open_store
from gateway.store.db import Stmt
from gateway.store.sqlite_db import sqlite_sql
from tests.databases import database_for
from tests.gateway.builders import create_org

T0 = "2026-01-01T00:00:00.000000+00:00"
PHONE = "+14155550177"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(database_for(tmp_path, "db"))
    await create_org(s)
    yield s
    await s.close()


def _org(org_id: str) -> Stmt:
    return Stmt("INSERT INTO organizations VALUES ($1, $2, $3)", (org_id, "Org", T0))


async def test_a_batch_is_all_or_nothing(store: Any) -> None:
    class Refused(Exception):
        pass

    missing = Stmt("SELECT id FROM organizations WHERE id = $1", ("orga_none",), or_fail=Refused())
    with pytest.raises(Refused):
        await store._batch([_org("orga_b"), _org("orga_c"), missing])
    assert await store._all("SELECT id FROM organizations WHERE id <> 'orga_a'") == []
    rows = await store._batch([_org("orga_b"), Stmt("SELECT name FROM organizations")])
    assert rows[0] == [] and sorted(r[0] for r in rows[1]) == ["Org", "orga_a"]


def test_sqlite_reads_numbered_placeholders() -> None:
    assert sqlite_sql("a = $1 AND b = $12 OR c = $1") == "a = ?1 AND b = ?12 OR c = ?1"
    # a JSON path or an odd literal is not a placeholder
    assert sqlite_sql("json_extract(p, '$.Reason') = ?") == "json_extract(p, '$.Reason') = ?"


async def test_racing_clears_record_one_clearing(store: Store) -> None:
    """Two opt-ins for one phone at once: one clears the entry, one history row says so."""
    for _ in range(5):
        assert await store.suppress(Suppression("orga_a", PHONE, "stop", None, T0))
        cleared = await asyncio.gather(
            *(store.clear_suppression("orga_a", PHONE, "user", f"why {n}", T0) for n in range(4))
        )
        assert sum(c is not None for c in cleared) == 1
    assert len(await store.list_suppression_clearings("orga_a", PHONE)) == 5
