"""What the shared query classes are written against, whichever the backend.

A query is written once, in PostgreSQL's numbered placeholders (`$1`, `$2`; SQLite's shell
turns them into its own `?1`, `?2`); what else differs between the two SQL dialects is the
search `Dialect` (`self.search_dialect`: row order column, lists, row locks, dates).

`Db` names the primitives both backends give: `_all` and `_one` read, `_write` and `_changes`
run one statement, and `_batch` runs several in one transaction (on SQLite one op of the
group-commit writer, on PostgreSQL one transaction). A multi-statement write that does not
read its own intermediate results is a list of `Stmt`s built by pure functions, the
Idempotency-Key answer (gateway.store.keys.answer_stmts) being one more of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.search.compile import Dialect

__all__ = ["Binds", "Db", "Row", "Stmt"]

# sqlite3.Row or asyncpg.Record: indexable by position and by column name
Row = Any


@dataclass(frozen=True, slots=True)
class Stmt:
    sql: str  # numbered placeholders, $1 first
    params: Sequence[Any] = ()
    many: bool = False  # `params` is a sequence of parameter tuples: one run for each
    # raised, rolling the whole batch back, when the statement returns no row
    or_fail: Exception | None = None


class Binds:
    """Values bound in order, for SQL assembled piece by piece: each `b(value)` appends the
    value and returns its placeholder."""

    def __init__(self, *values: Any) -> None:
        self.values: list[Any] = list(values)

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


class Db:
    search_dialect: Dialect
    # what ends a claim: PostgreSQL's claims also name the claiming process (claimed_by)
    unclaimed: str = "claimed_until = NULL"

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        raise NotImplementedError

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        raise NotImplementedError

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """One statement, its own transaction; returns its RETURNING rows, if any."""
        raise NotImplementedError

    async def _changes(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Like `_write`, returning how many rows the statement changed."""
        raise NotImplementedError

    async def _batch(self, statements: Sequence[Stmt]) -> list[list[Row]]:
        """The statements in order, in one transaction: each one's rows (none for `many`).
        All or nothing: an error, or an `or_fail`, rolls every one of them back."""
        raise NotImplementedError

    def _serialise(self, key: str) -> list[Stmt]:
        """Statements that make the rest of a batch wait for any other batch that took the
        same key, until it ends: what lets a batch read a decision and write on it."""
        raise NotImplementedError
