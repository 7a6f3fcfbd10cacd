"""10,000 random and adversarial query strings: each parses or is refused with a
QuerySyntaxError or UnknownField, nothing else; whatever parses also compiles, and SQLite
runs the result on the gateway's schema without complaint."""

from __future__ import annotations

import asyncio
import sqlite3
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
from gateway.store import open_sqlite
from tests.gateway.search.adversarial import corpus

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)


async def _migrated(path: Path) -> None:
    store = await open_sqlite(str(path))
    await store.close()


def test_ten_thousand_strings_parse_or_are_refused_cleanly(tmp_path: Path) -> None:
    asyncio.run(_migrated(tmp_path / "fuzz.db"))
    db = sqlite3.connect(tmp_path / "fuzz.db")  # the real schema, empty: only errors matter
    outcomes: Counter[str] = Counter()
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
        compiled = compile_search(node, org_id="orga_fuzz", now=NOW, tz=zone, skip=0, limit=10)
        assert db.execute(compiled.sql, compiled.params).fetchall() == [(None, None, None, 0)]
        outcomes["parsed"] += 1
    # the corpus reaches every outcome, not just the parser's first refusal
    assert min(outcomes[name] for name in ("parsed", "QuerySyntaxError", "UnknownField",
                                           "InvalidValue", "QueryTooComplex")) >= 100, outcomes


def test_search_error_subclasses_are_the_documented_two() -> None:
    assert issubclass(QuerySyntaxError, SearchError) and issubclass(UnknownField, SearchError)
