"""The shell around the pure core: run a query against the gateway's store (SQLite or
PostgreSQL), compiled for the store's own `search_dialect`, through the Store contract's
`search_leads` (the compiled query's rows) and `get_leads` (the page's leads)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from gateway.core import dates
from gateway.core.errors import ValidationFailed
from gateway.core.models import Lead
from gateway.search.compile import Compiled, compile_search
from gateway.search.errors import SearchError
from gateway.search.parse import parse

if TYPE_CHECKING:  # the store imports the search compiler: no cycle at run time
    from gateway.store.base import Store

__all__ = ["load_leads", "run_search", "search_leads"]


async def run_search(store: Store, compiled: Compiled) -> tuple[list[str], int]:
    """(lead ids of the page, newest first; total matches)."""
    rows = await store.search_leads(compiled)
    total = next((row[3] for row in rows if row[0] is None), 0)
    page = sorted(
        (row for row in rows if row[0] is not None), key=lambda row: (row[1], row[2]), reverse=True
    )
    return [row[0] for row in page], int(total)


async def load_leads(store: Store, org_id: str, ids: Sequence[str]) -> list[Lead]:
    """The leads, with contacts, in the order of `ids`."""
    return await store.get_leads(org_id, ids)


async def search_leads(
    store: Store,
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
