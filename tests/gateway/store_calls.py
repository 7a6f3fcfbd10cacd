"""Count what a running gateway asks its real store: every public coroutine method of the
store instance is wrapped (pytest's monkeypatch undoes it), the store itself still answers."""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gateway.store import Store

__all__ = ["count_store_calls"]


def count_store_calls(store: Store, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls by method name, from now on."""
    calls: Counter[str] = Counter()
    for name in dir(store):
        method = getattr(store, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            continue
        monkeypatch.setattr(store, name, _counted(name, method, calls))
    return calls


def _counted(
    name: str, method: Callable[..., Awaitable[Any]], calls: Counter[str]
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return await method(*args, **kwargs)

    return counted
