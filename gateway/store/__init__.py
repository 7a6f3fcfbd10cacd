"""Storage: the `Store` protocol and its SQLite and PostgreSQL implementations. SQL lives only
here (and in gateway.search's compiler)."""

from gateway.store.base import Store
from gateway.store.location import open_store
from gateway.store.migrate import apply_migrations, migrations
from gateway.store.pg import PgStore, open_pg
from gateway.store.sqlite import SqliteStore, open_sqlite

__all__ = [
    "PgStore",
    "SqliteStore",
    "Store",
    "apply_migrations",
    "migrations",
    "open_pg",
    "open_sqlite",
    "open_store",
]
