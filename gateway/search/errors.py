"""Every error a search query can raise. Pure: the HTTP shell turns them into 400s.

SearchError(ValueError)      -- .message, .position (0-based offset into the query text)
├── QuerySyntaxError         -- not in the grammar; .expected lists what would have fitted
│   ├── InvalidValue         -- a known field given a value or comparison it cannot take
│   └── QueryTooComplex      -- over the length or nesting limit
└── UnknownField             -- .field, and .known: the fields allowed in that place
"""

from __future__ import annotations

__all__ = ["InvalidValue", "QuerySyntaxError", "QueryTooComplex", "SearchError", "UnknownField"]


class SearchError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{message} (at position {position})")


class QuerySyntaxError(SearchError):
    def __init__(self, message: str, position: int, expected: tuple[str, ...] = ()) -> None:
        self.expected = expected
        super().__init__(message, position)


class InvalidValue(QuerySyntaxError):
    pass


class QueryTooComplex(QuerySyntaxError):
    pass


class UnknownField(SearchError):
    def __init__(self, field: str, known: tuple[str, ...], position: int, where: str = "") -> None:
        self.field = field
        self.known = known
        super().__init__(
            f"Unknown field {field!r}{where}; known fields: {', '.join(known)}", position
        )
