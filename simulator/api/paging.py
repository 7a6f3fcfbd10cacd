"""Twilio's list paging: PageSize (1..1000, default 50), Page, PageToken, relative page URIs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from simulator.errors import TwilioError

__all__ = ["page"]

T = TypeVar("T")


def _int(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise TwilioError(20001, f"{name} must be an integer, got {raw!r}") from None


def page(
    path: str,
    query: Mapping[str, str],
    items: Sequence[T],
    key: str,
    sid_of: Any,
    render: Any,
) -> dict[str, Any]:
    """One page of `items` under `key`, with every meta key the SDK knows and no other key."""
    size = _int(query, "PageSize", 50)
    number = _int(query, "Page", 0)
    if not 1 <= size <= 1000:
        raise TwilioError(20001, f"PageSize must be between 1 and 1000, got {size}")
    if number < 0:
        raise TwilioError(20001, f"Page must not be negative, got {number}")
    filters = {k: v for k, v in query.items() if k not in ("PageSize", "Page", "PageToken")}
    start = number * size
    token = query.get("PageToken", "")
    if token.startswith("PA"):  # resume after the last record shown: stable while lists grow
        after = next((i for i, item in enumerate(items) if sid_of(item) == token[2:]), None)
        if after is None:
            raise TwilioError(20001, f"PageToken {token!r} is not valid for this list")
        start = after + 1
    chunk = items[start : start + size]

    def uri(n: int, token: str | None = None) -> str:
        params = {**filters, "PageSize": size, "Page": n}
        if token:
            params["PageToken"] = token
        return f"{path}?{urlencode(params)}"

    has_next = start + size < len(items)
    return {
        key: [render(item) for item in chunk],
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(number + 1, "PA" + sid_of(chunk[-1])) if has_next and chunk else None,
        "page": number,
        "page_size": size,
        "previous_page_uri": uri(number - 1) if number > 0 else None,
        "start": start,
        "uri": uri(number),
    }
