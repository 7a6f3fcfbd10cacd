"""The online backups deploy/README-ops.md describes work while the gateway runs and writes:
`VACUUM INTO` and sqlite3's backup API (what the `sqlite3 .backup` command uses)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.databases import POSTGRESQL
from tests.gateway.harness import Harness

pytestmark = pytest.mark.skipif(POSTGRESQL, reason="about SQLite's own backups")


def _count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT COUNT(*) FROM sms").fetchone()[0])


async def test_online_backup_while_sending(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path)
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, "+14155550190")
        sends = asyncio.gather(*(harness.send(key, lead, number, f"b {i}") for i in range(40)))
        live = tmp_path / "gateway.db"

        def backup() -> None:
            with sqlite3.connect(live) as source:
                source.execute("VACUUM INTO ?", (str(tmp_path / "vacuum.db"),))
                with sqlite3.connect(tmp_path / "api.db") as target:
                    source.backup(target)

        await asyncio.to_thread(backup)
        await sends
        assert 0 <= _count(tmp_path / "vacuum.db") <= 40
        assert 0 <= _count(tmp_path / "api.db") <= 40
        assert (await harness.api(key, "GET", "activity/sms/?_limit=100"))["data"]  # still fine
    finally:
        await harness.close()
