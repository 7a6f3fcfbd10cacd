"""Close's lead search language over SMS activity: text -> AST -> one SQL query.

Pure core: `parse` (grammar.lark, lark LALR), `ast`, `fields`, `dates`, `compile_search`,
`evaluate` (the reference answer for tests). Shell: `service` (runs it on the gateway's store,
SQLite or PostgreSQL, through the Store contract).
"""

from gateway.search.compile import Compiled, Dialect, compile_search, compile_where
from gateway.search.errors import (
    InvalidValue,
    QuerySyntaxError,
    QueryTooComplex,
    SearchError,
    UnknownField,
)
from gateway.search.evaluate import evaluate
from gateway.search.parse import parse
from gateway.search.service import load_leads, run_search, search_leads

__all__ = [
    "Compiled",
    "Dialect",
    "InvalidValue",
    "QuerySyntaxError",
    "QueryTooComplex",
    "SearchError",
    "UnknownField",
    "compile_search",
    "compile_where",
    "evaluate",
    "load_leads",
    "parse",
    "run_search",
    "search_leads",
]
