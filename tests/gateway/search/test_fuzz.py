"""10,000 random and adversarial query strings: each parses or is refused with a
QuerySyntaxError or UnknownField, nothing else; whatever parses also compiles, and SQLite
runs the result on the gateway's schema without complaint."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from gateway.search import (
    QuerySyntaxError,
    SearchError,
    UnknownField,
    compile_search,
    parse,
)
from gateway.store import open_store
from tests.databases import DIALECT, database_for, run_statements
from tests.gateway.search.adversarial import corpus

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


async def _migrated(location: str) -> None:
    store = await open_store(location)
    await store.close()


def test_ten_thousand_strings_parse_or_are_refused_cleanly(tmp_path: Path) -> None:
    location = database_for(tmp_path, "fuzz")  # the real schema, empty: only errors matter
    asyncio.run(_migrated(location))
    outcomes: Counter[str] = Counter()
    statements = []
    for i, text in enumerate(corpus(seed=20261127, count=10_000)):
        try:
            node = parse(text)
        except (QuerySyntaxError, UnknownField) as exc:
            assert isinstance(exc.position, int) and 0 <= exc.position <= len(text), text
            assert str(exc), text
            outcomes[type(exc).__name__] += 1
            continue
        except Exception as exc:  # the property under test: nothing else ever escapes
            raise AssertionError(f"string #{i} {text!r} raised {exc!r}") from exc
        zone = timezone(timedelta(hours=(i % 29) - 14 + 0.5 * (i % 2)))
        compiled = compile_search(
            node, org_id="orga_fuzz", now=NOW, tz=zone, skip=0, limit=10, dialect=DIALECT
        )
        statements.append((compiled.sql, compiled.params))
        outcomes["parsed"] += 1
    for rows in run_statements(location, statements):
        assert rows == [(None, None, None, 0)]
    # the corpus reaches every outcome, not just the parser's first refusal
    assert (
        min(
            outcomes[name]
            for name in (
                "parsed",
                "QuerySyntaxError",
                "UnknownField",
                "InvalidValue",
                "QueryTooComplex",
            )
        )
        >= 100
    ), outcomes


def test_search_error_subclasses_are_the_documented_two() -> None:
    assert issubclass(QuerySyntaxError, SearchError) and issubclass(UnknownField, SearchError)
