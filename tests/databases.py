"""The database behind each test's gateway: a SQLite file in tmp_path, or with
SMSLAB_TEST_DB=postgresql a fresh PostgreSQL database cloned from a migrated template in a
throwaway cluster (initdb'd into a temporary directory at the first use, fsync off, removed
at exit).

`database_for(tmp_path)` is the one entry point: the same test asking twice (a gateway
restart) gets the same database; `drop_test_databases` (autouse, tests/conftest.py) drops a
test's databases when it ends, so a whole suite's worth never piles up, and tells whether the
test asked for one (such a test must carry the `postgres` marker).
"""

from __future__ import annotations

import asyncio
import atexit
import glob
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg

from gateway.search.compile import POSTGRESQL as PG_DIALECT
from gateway.search.compile import SQLITE
from gateway.store import migrations, open_pg

__all__ = [
    "BACKEND",
    "DIALECT",
    "POSTGRESQL",
    "database_for",
    "drop_test_databases",
    "run_sql",
    "run_statements",
]

BACKEND = os.environ.get("SMSLAB_TEST_DB", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"SMSLAB_TEST_DB: expected sqlite or postgresql, got {BACKEND!r}")
POSTGRESQL = BACKEND == "postgresql"
DIALECT = PG_DIALECT if POSTGRESQL else SQLITE  # what gateway.search compiles for
_TEMPLATE = "smslab_template"


def _binary(name: str) -> str:
    """A PostgreSQL server binary: on PATH, or where Debian's packages put it."""
    found = shutil.which(name) or max(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default=None, key=_version
    )
    if found is None:
        raise RuntimeError(f"{name} not found: install PostgreSQL (apt-get install postgresql)")
    return found


def _version(path: str) -> int:
    match = re.search(r"/postgresql/(\d+)/", path)
    return int(match[1]) if match else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A PostgreSQL server of our own, owned by the `postgres` user when we run as root
    (initdb and postgres refuse root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="smslab-pg-"))
        self.port = _free_port()
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        subprocess.run(
            [
                *self._as_owner,
                _binary("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        log = (self.folder / "server.log").open("wb")
        self._server = subprocess.Popen(
            [
                *self._as_owner,
                _binary("postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.folder}",
                # a test database is thrown away: durability buys nothing here
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=64MB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_ready()
        self.admin("CREATE DATABASE " + _TEMPLATE)
        _run(self._migrate_template())

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise RuntimeError("postgres exited: " + (self.folder / "server.log").read_text())
            if _run(self._ping()):
                return
            time.sleep(0.1)
        raise RuntimeError("postgres did not start within 30 s")

    async def _ping(self) -> bool:
        try:
            conn = await asyncpg.connect(self.url("postgres"), timeout=1)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await conn.close()
        return True

    async def _migrate_template(self) -> None:
        store = await open_pg(self.url(_TEMPLATE))
        await store.close()

    def admin(self, sql: str) -> None:
        _run(_execute(self.url("postgres"), sql))

    @property
    def server_pid(self) -> int:
        """The server's process (through `runuser` when we run as root): its tree is the server."""
        return self._server.pid

    def new_database(self, migrated: bool = True) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        self.admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        self._server.terminate()
        try:
            self._server.wait(30)
        except subprocess.TimeoutExpired:
            self._server.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


_pool = ThreadPoolExecutor(max_workers=1)


def _run(coro: Any) -> Any:
    """Run a coroutine to the end from synchronous code, even inside a running event loop
    (a test's): on a thread of its own, with a loop of its own."""
    return _pool.submit(asyncio.run, coro).result()


_cluster: Cluster | None = None
_created: dict[tuple[Path, str], str] = {}
_asked = False  # since the last drop_test_databases: on either backend


def _the_cluster() -> Cluster:
    global _cluster
    if _cluster is None:
        _cluster = Cluster()
        atexit.register(_cluster.stop)
    return _cluster


def database_for(tmp_path: Path, name: str = "gateway", migrated: bool = True) -> str:
    """The test's database called `name`: a SQLite path, or a PostgreSQL URL (migrated
    already unless asked for an empty one; a SQLite file starts empty either way)."""
    global _asked
    _asked = True
    if not POSTGRESQL:
        return str(tmp_path / f"{name}.db")
    key = (tmp_path, name)
    if key not in _created:
        _created[key] = _the_cluster().new_database(migrated)
    return _created[key]


def drop_test_databases() -> bool:
    """Drop the databases handed out since the last call; whether any was asked for."""
    global _asked
    for url in _created.values():
        _the_cluster().drop(url)
    _created.clear()
    asked, _asked = _asked, False
    return asked


def run_sql(location: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on a test's database from synchronous code, written for SQLite
    (`?` placeholders; PostgreSQL gets them as $1, $2, ...)."""
    sql = _numbered(sql) if POSTGRESQL else sql
    return run_statements(location, [(sql, params)])[0]


def run_statements(
    location: str, statements: Sequence[tuple[str, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Each statement's rows, run in order on one connection, in the backend's own dialect."""
    if not POSTGRESQL:
        with sqlite3.connect(location, timeout=10) as conn:
            return [list(conn.execute(sql, tuple(params)).fetchall()) for sql, params in statements]

    async def fetch() -> list[list[tuple[Any, ...]]]:
        conn = await asyncpg.connect(location)
        try:
            return [
                [tuple(row) for row in await conn.fetch(sql, *params)] for sql, params in statements
            ]
        finally:
            await conn.close()

    return list(_run(fetch()))


async def migrated_before(
    location: str, version: int, insert: str, rows: Sequence[tuple[Any, ...]], applied_at: str
) -> None:
    """A database as the migrations before `version` left it (each recorded, as the gateway
    records them), holding `rows` inserted by `insert` (written for SQLite: `?` placeholders):
    what a migration that fills something from existing rows is tested on."""
    older = [m for m in migrations("postgresql" if POSTGRESQL else "sqlite") if m.version < version]
    script = "\n".join(m.sql for m in older) + (
        "\nCREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL);"
    )
    recorded = [(m.version, m.name, applied_at) for m in older]
    if not POSTGRESQL:
        with sqlite3.connect(location) as db:
            db.executescript(script)
            db.executemany("INSERT INTO schema_migrations VALUES (?, ?, ?)", recorded)
            db.executemany(insert, rows)
        return
    conn = await asyncpg.connect(location)
    try:
        await conn.execute(script)
        await conn.executemany("INSERT INTO schema_migrations VALUES ($1, $2, $3)", recorded)
        await conn.executemany(_numbered(insert), rows)
    finally:
        await conn.close()


def _numbered(sql: str) -> str:
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _m: f"${next(count)}", sql)
