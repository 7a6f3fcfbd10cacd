"""The shell around the pure core: run a query against the gateway's store (SQLite or
PostgreSQL), compiled for the store's own `search_dialect`.

The Store protocol has no search method yet and its files belong to the storage layer, so
this reaches for the stores' read helpers (`_all`, `_leads`) through a narrow Protocol.
When the store grows `search_leads(compiled)` and `get_leads(ids)`, only this module changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

from gateway.core import dates
from gateway.core.errors import ValidationFailed
from gateway.core.models import Lead
from gateway.search.compile import Compiled, Dialect, compile_search
from gateway.search.errors import SearchError
from gateway.search.parse import parse

__all__ = ["SqlReader", "load_leads", "run_search", "search_leads"]


class SqlReader(Protocol):
    search_dialect: Dialect

    async def _all(self, sql: str, params: Iterable[Any] = ...) -> list[Any]: ...
    async def _leads(self, rows: list[Any]) -> list[Lead]: ...


async def run_search(store: SqlReader, compiled: Compiled) -> tuple[list[str], int]:
    """(lead ids of the page, newest first; total matches)."""
    rows = await store._all(compiled.sql, compiled.params)
    total = next((row[3] for row in rows if row[0] is None), 0)
    page = sorted(
        (row for row in rows if row[0] is not None), key=lambda row: (row[1], row[2]), reverse=True
    )
    return [row[0] for row in page], int(total)


async def load_leads(store: SqlReader, org_id: str, ids: Sequence[str]) -> list[Lead]:
    """The leads, with contacts, in the order of `ids`."""
    if not ids:
        return []
    dialect = store.search_dialect
    marks = [dialect.placeholder.format(n) for n in range(1, len(ids) + 2)]
    # SQLite's `+` keeps it on the primary key: left to itself it walks the organization's
    # index through every lead (200 ms at 100,000 leads) to find the hundred it was given
    rows = await store._all(
        f"SELECT * FROM leads WHERE id IN ({','.join(marks[:-1])})"
        f" AND {dialect.unindexed.format('organization_id')} = {marks[-1]}",
        [*ids, org_id],
    )
    by_id = {row["id"]: row for row in rows}
    return await store._leads([by_id[i] for i in ids if i in by_id])


async def search_leads(
    store: Any,
    org_id: str,
    text: str,
    skip: int,
    limit: int,
    tz: timezone,
    region: str | None,
    now: datetime | None = None,
) -> tuple[list[Lead], int]:
    """`GET /lead/?query=`: a page of matching leads and the total. A query the language
    does not accept becomes Close's 400, naming the position and what was expected."""
    try:
        node = parse(text, region)
    except SearchError as exc:
        raise ValidationFailed({"query": str(exc)}) from None
    compiled = compile_search(
        node,
        org_id=org_id,
        now=now or dates.now(),
        tz=tz,
        skip=skip,
        limit=limit,
        dialect=store.search_dialect,
    )
    ids, total = await run_search(store, compiled)
    return await load_leads(store, org_id, ids), total
