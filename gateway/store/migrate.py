"""Numbered migrations (`migrations/NNN_name.sql`), applied in order and recorded."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

__all__ = ["Migration", "apply_migrations", "migrations"]

_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("gateway.store").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


def apply_migrations(db: sqlite3.Connection, now: str) -> list[int]:
    """Apply what is missing, each in its own transaction; returns the versions applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    applied = []
    for migration in migrations():
        if migration.version in done:
            continue
        # executescript commits first; wrap the script itself so it applies whole or not at all
        db.executescript(
            "BEGIN;\n" + migration.sql + "\nINSERT INTO schema_migrations VALUES ("
            f"{migration.version}, '{migration.name}', '{now}');\nCOMMIT;"
        )
        applied.append(migration.version)
    return applied
