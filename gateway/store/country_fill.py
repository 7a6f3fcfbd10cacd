"""Migration 011's step that SQL cannot do: the country that priced each existing message.

Phone metadata is Python's (telecom.country_of), so each distinct priced phone is looked up
once (there are far fewer phones than messages), the pairs are loaded into a temporary table
and one UPDATE joined to it sets every message's `country`. It runs inside the migration's
transaction (gateway/store/migrate.py): once version 11 is recorded every row has its country,
and a failure leaves neither the column nor a half-filled table. Messages written after it
get their country from the store's own writes (gateway/store/rows.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import asyncpg

from telecom import country_of

__all__ = ["PRICED_PHONE", "countries_of", "fill_pg", "fill_sqlite"]

# gateway.core.pricing.priced_phone in SQL (either dialect)
PRICED_PHONE = (
    "CASE WHEN direction = 'outbound' AND remote_phone <> '' THEN remote_phone ELSE local_phone END"
)
_DISTINCT = f"SELECT DISTINCT {PRICED_PHONE} FROM sms"


def countries_of(phones: Iterable[str | None]) -> list[tuple[str, str]]:
    """(phone, country) for each phone that has a country; the others stay NULL."""
    return [(phone, country) for phone in phones if phone and (country := country_of(phone))]


def fill_sqlite(db: sqlite3.Connection) -> None:
    pairs = countries_of(row[0] for row in db.execute(_DISTINCT))
    db.execute("CREATE TEMP TABLE priced_countries (phone TEXT PRIMARY KEY, country TEXT NOT NULL)")
    try:
        db.executemany("INSERT INTO temp.priced_countries VALUES (?, ?)", pairs)
        db.execute(
            f"UPDATE sms SET country = p.country FROM temp.priced_countries AS p"
            f" WHERE p.phone = {PRICED_PHONE}"
        )
    finally:
        db.execute("DROP TABLE temp.priced_countries")


async def fill_pg(conn: asyncpg.Connection) -> None:
    pairs = countries_of(row[0] for row in await conn.fetch(_DISTINCT))
    await conn.execute(
        'CREATE TEMP TABLE priced_countries (phone TEXT COLLATE "C" PRIMARY KEY,'
        " country TEXT NOT NULL) ON COMMIT DROP"
    )
    await conn.copy_records_to_table("priced_countries", records=pairs)
    await conn.execute(
        f"UPDATE sms SET country = p.country FROM priced_countries AS p"
        f" WHERE p.phone = {PRICED_PHONE}"
    )
