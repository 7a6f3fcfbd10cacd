"""Storage: the `Store` protocol and its SQLite implementation. SQL lives only here."""

from gateway.store.base import Store
from gateway.store.migrate import apply_migrations, migrations
from gateway.store.sqlite import SqliteStore, open_sqlite

__all__ = ["SqliteStore", "Store", "apply_migrations", "migrations", "open_sqlite"]
