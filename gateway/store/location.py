"""Open the store a database location names: a postgresql:// URL or a SQLite file path."""

from __future__ import annotations

from gateway.config import is_postgres_url
from gateway.core.pacing import Pace
from gateway.store.base import Store
from gateway.store.pg import open_pg
from gateway.store.sqlite import open_sqlite

__all__ = ["open_store"]


async def open_store(
    location: str, synchronous: str = "FULL", migrate: bool = True, pace: Pace | None = None
) -> Store:
    """`synchronous` is SQLite's (PostgreSQL's durability is the server's own setting);
    `pace` is PostgreSQL's, where several processes share the sending numbers (one SQLite
    database has one gateway, whose dispatcher paces itself)."""
    if is_postgres_url(location):
        return await open_pg(location, migrate, pace)
    return await open_sqlite(location, synchronous, migrate)
