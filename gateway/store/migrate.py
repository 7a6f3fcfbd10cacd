"""Numbered migrations, one folder per dialect (`migrations/sqlite/NNN_name.sql`,
`migrations/postgresql/NNN_name.sql`), applied in order and recorded in `schema_migrations`.

Both folders hold the same numbers and names: a version means the same schema on either
database (checked by `migrations()`, so a migration added to one dialect only cannot ship).

A migration that needs what SQL cannot do (011: phone metadata) has a Python step per dialect
in `_SQLITE_STEPS` / `_PG_STEPS`, run right after its script in the same transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources

import asyncpg

from gateway.store import country_fill

__all__ = ["DIALECTS", "Migration", "apply_migrations", "apply_pg_migrations", "migrations"]

DIALECTS = ("sqlite", "postgresql")
_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")
# pg_advisory_lock key held while migrating: processes started together migrate one by one
_MIGRATION_LOCK = 0x736D736C6162  # "smslab"
_RECORD_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)

# version -> what runs after that migration's script, in its transaction
_SQLITE_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {11: country_fill.fill_sqlite}
_PG_STEPS: dict[int, Callable[[asyncpg.Connection], Awaitable[None]]] = {11: country_fill.fill_pg}


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def _read(dialect: str) -> list[Migration]:
    found = []
    folder = resources.files("gateway.store").joinpath("migrations", dialect)
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate {dialect} migration numbers: {versions}")
    return found


def migrations(dialect: str = "sqlite") -> list[Migration]:
    """The dialect's migrations in order; raises if the dialects' numbers or names differ."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    listed = {d: _read(d) for d in DIALECTS}
    names = {d: [(m.version, m.name) for m in found] for d, found in listed.items()}
    if len({tuple(n) for n in names.values()}) != 1:
        raise RuntimeError(f"the dialects' migrations differ: {names}")
    return listed[dialect]


def _statements(script: str) -> list[str]:
    """A script's statements, one by one (a trigger's body keeps its inner semicolons)."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    rest = [
        line for line in pending.splitlines() if line.strip() and not line.strip().startswith("--")
    ]
    if rest:
        raise RuntimeError(f"an unfinished statement at the end of a migration: {pending!r}")
    return found


def apply_migrations(db: sqlite3.Connection, now: str) -> list[int]:
    """SQLite: apply what is missing, each in its own transaction; returns the versions
    applied. Each transaction takes the write lock before it reads what is applied, so two
    processes opening one file at once cannot both apply a migration; a migration that fails
    is rolled back whole and leaves no transaction open."""
    db.execute(_RECORD_TABLE)
    applied = []
    for migration in migrations("sqlite"):
        db.execute("BEGIN IMMEDIATE")
        try:
            if (
                db.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                is None
            ):
                for statement in _statements(migration.sql):
                    db.execute(statement)
                if step := _SQLITE_STEPS.get(migration.version):
                    step(db)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (migration.version, migration.name, now),
                )
                applied.append(migration.version)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return applied


async def apply_pg_migrations(conn: asyncpg.Connection, now: str) -> list[int]:
    """PostgreSQL: the same, each migration in its own transaction, under an advisory lock so
    that gateway processes starting at once do not race each other."""
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(_RECORD_TABLE)
        done = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        applied = []
        for migration in migrations("postgresql"):
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)  # no arguments: a multi-statement script
                if step := _PG_STEPS.get(migration.version):
                    await step(conn)
                await conn.execute(
                    "INSERT INTO schema_migrations VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    now,
                )
            applied.append(migration.version)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
