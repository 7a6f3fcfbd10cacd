"""A gateway database with a history: a million final messages copied straight into its SQLite
file while the gateway is stopped, and the count of one run's final messages, read by index so
that polling it costs the same with any history behind it. sqlite3 and HTTP only."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

FINAL = ("delivered", "undelivered", "failed")


def now() -> str:
    """The gateway's own date format, same clock: messages created from now on sort after it."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def final_since(db: Path, lead_id: str, since: str) -> int:
    """Messages to `lead_id` created at or after `since` with a final delivery status (through
    the index on lead and date: the seeded history is older, and never read)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(
            f"SELECT COUNT(*) FROM sms WHERE lead_id = ? AND date_created >= ?"
            f" AND delivery_status IN ({','.join('?' * len(FINAL))})",
            (lead_id, since, *FINAL),
        ).fetchone()
    return int(row[0])


def stored(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM sms").fetchone()[0])


async def one_message(url: str, headers: dict[str, str], number: str, lead_id: str) -> None:
    """The message `seed` copies: send it through the API while the gateway runs."""
    body = {
        "status": "outbox",
        "lead_id": lead_id,
        "local_phone": number,
        "remote_phone": "+14165550123",
        "text": "the template of the seeded history",
    }
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(f"{url}/api/v1/activity/sms/", json=body) as response,
    ):
        assert response.status == 200, await response.text()


def seed(db: Path, count: int) -> None:
    """Copy the one message in the database `count` times, as old, final, delivered history
    (the gateway stopped: its writer owns the file while it runs)."""
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(sms)")]
        generated = {
            "id": "printf('acti_seed%027d', n)",
            "carrier_sid": "printf('SMseed%026d', n)",
            "date_created": "strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 1700000000 + n,"
            " 'unixepoch')",
            "status": "'sent'",
            "delivery_status": "'delivered'",
            "due_at": "NULL",
            "claimed_until": "NULL",
            "text": "'seeded message ' || n",
        }
        select = ", ".join(generated.get(c, c) for c in columns)
        conn.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)"
            f" INSERT INTO sms ({', '.join(columns)})"
            f" SELECT {select} FROM seq, (SELECT * FROM sms LIMIT 1)",
            (count,),
        )
