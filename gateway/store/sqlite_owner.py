"""One gateway per SQLite file: the serving process holds an exclusive lock on the file.

A second gateway on the same file would release the first one's live claims at start-up (on
SQLite, a claim has no owner to ask) and send their messages again. `flock` on the database
file itself needs no lock file to clean up, goes away with the process however it ends, and
does not touch SQLite's own (POSIX) locks on the same file.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DatabaseInUse", "sole_gateway"]


class DatabaseInUse(RuntimeError):
    """Another gateway process serves from this SQLite file."""


@contextmanager
def sole_gateway(path: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"database.path {path}: another gateway is already serving from this SQLite"
                " file; one SQLite file serves one gateway process (stop the other one, or run"
                " several on PostgreSQL: database.url)"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock
