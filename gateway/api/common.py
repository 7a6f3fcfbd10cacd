"""What every Close resource handler shares: body parsing, paging, `_fields`, routing, and
the answer of a create (kept for a retry under its Idempotency-Key)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import timezone
from typing import Any

from aiohttp import web

from gateway.config import Config
from gateway.core import dates
from gateway.core.errors import BadRequest, ValidationFailed
from gateway.core.idempotency import KeyAnswer
from gateway.edge.nul_guard import NUL_MESSAGE, first_nul_field
from gateway.keys import KEY_CLAIM, LIVE_CONFIG, ORGANIZATION, STORE
from gateway.store import Store

__all__ = [
    "MAX_SKIP",
    "add_route",
    "config_of",
    "created",
    "json_body",
    "list_response",
    "multi_param",
    "org_of",
    "paging",
    "render_one",
    "store_of",
    "tz_of",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_SKIP = 10_000  # the deepest page a list or search may start at


def add_route(router: web.UrlDispatcher, method: str, path: str, handler: Handler) -> None:
    """Close's paths end with a slash; accept them without it too (no redirect: a redirected
    POST would lose its body)."""
    router.add_route(method, path, handler)
    router.add_route(method, path.rstrip("/"), handler)


def org_of(request: web.Request) -> str:
    return request[ORGANIZATION]


def store_of(request: web.Request) -> Store:
    return request.app[STORE]


def tz_of(request: web.Request) -> timezone:
    """The caller's zone from `X-TZ-Offset` (UTC without it); a bad one is a 400 naming it."""
    try:
        return dates.parse_tz_offset(request.headers.get("X-TZ-Offset"))
    except ValueError as exc:
        raise ValidationFailed({"X-TZ-Offset": str(exc)}) from None


def config_of(request: web.Request) -> Config:
    return request.app[LIVE_CONFIG].current  # the startup config plus what SIGHUP reloaded


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request contains invalid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("Please send a JSON object.")
    field = first_nul_field(data)
    if field is not None:
        raise ValidationFailed({field: NUL_MESSAGE})
    return data


def paging(request: web.Request) -> tuple[int, int]:
    """`_skip` and `_limit` with Close's (flask-mongorest's) error messages."""
    max_limit = config_of(request).max_limit
    raw_skip = request.query.get("_skip", "0")
    raw_limit = request.query.get("_limit", str(max_limit))
    try:
        skip = int(raw_skip)
        if skip < 0:
            raise ValueError
    except ValueError:
        raise BadRequest(
            f'_skip must be a non-negative integer (got "{raw_skip}" instead).'
        ) from None
    if skip > MAX_SKIP:  # an OFFSET walks every row it skips: bounded work per request
        raise ValidationFailed(
            {
                "_skip": f"_skip can be at most {MAX_SKIP}; to go further,"
                " narrow the query (for SMS, date_created__lt= the oldest"
                " date_created of the last page)."
            }
        )
    try:
        limit = int(raw_limit)
    except ValueError:
        raise BadRequest(f'_limit must be an integer (got "{raw_limit}" instead).') from None
    if limit < 0:
        raise BadRequest(f'_limit must be an integer (got "{raw_limit}" instead).')
    if limit > max_limit:
        raise BadRequest(
            "The limit you set is larger than the maximum limit for this resource"
            f" (max_limit = {max_limit})."
        )
    return skip, limit


def multi_param(request: web.Request, name: str) -> tuple[str, ...]:
    """Close documents comma-separated lists; `requests` sends repeated keys: take both."""
    values: list[str] = []
    for raw in request.query.getall(name, []):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return tuple(values)


def _fields(request: web.Request) -> set[str] | None:
    raw = multi_param(request, "_fields")
    return set(raw) if raw else None


def _pick(obj: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    return obj if fields is None else {k: v for k, v in obj.items() if k in fields}


def render_one(request: web.Request, obj: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(_pick(obj, _fields(request)), status=status)


def created(
    request: web.Request, obj: dict[str, Any], status: int = 200
) -> tuple[web.Response, KeyAnswer | None]:
    """A create's answer, and what to store with the created record when the request came
    with an Idempotency-Key (None otherwise): a retry is answered with exactly these bytes."""
    body = json.dumps(_pick(obj, _fields(request)))
    claim = request.get(KEY_CLAIM)
    return (
        web.Response(text=body, status=status, content_type="application/json"),
        KeyAnswer(claim, status, body) if claim is not None else None,
    )


def list_response(
    request: web.Request, objs: Iterable[dict[str, Any]], has_more: bool, **extra: Any
) -> web.Response:
    fields = _fields(request)
    return web.json_response(
        {"data": [_pick(obj, fields) for obj in objs], "has_more": has_more, **extra}
    )
