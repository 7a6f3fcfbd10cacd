"""Operations endpoints: `/readyz` (database writable, carrier reachable) and `/metrics`
(Prometheus text) on the ops listener (`server.ops_host`/`ops_port`: `ops_app`), `/healthz`
on both listeners, and the middleware that counts status callbacks (orphans, lag) and puts the
activity id on every log line written while one is handled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.core import dates
from gateway.core.breaker import BreakerState
from gateway.edge.nul_guard import NUL_MESSAGE, first_nul_field
from gateway.edge.webhooks import signed_form
from gateway.keys import (
    CALLBACK_MATCH,
    CONFIG,
    DISPATCHER,
    GATEWAY,
    METRICS,
    SHUTTING_DOWN,
    STORE,
)
from gateway.logs import ACTIVITY_ID

__all__ = ["callback_observer", "healthz", "ops_app", "refuse_when_stopping"]

log = logging.getLogger("gateway.ops")
_PROBE_TIMEOUT = 2.0


async def _carrier_reachable(url: str) -> str | None:
    """None when a TCP connection to the carrier opens; else why not. A connection, not an
    API call: it costs nothing at a real carrier and needs no message to exist."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), _PROBE_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        return f"cannot connect to {parts.hostname}:{port}: {exc!r}"
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    app = request.app[GATEWAY]
    problems: dict[str, str] = {}
    try:
        await asyncio.wait_for(app[STORE].check_writable(), _PROBE_TIMEOUT)
    except Exception as exc:  # any failure means "not ready", never a 500
        problems["database"] = f"not writable: {exc!r}"
    dispatcher = app[DISPATCHER]
    if dispatcher is not None and dispatcher.carrier_problem is not None:
        # until a call is answered: the breaker's probes keep finding the same fault
        problems["carrier"] = f"misconfigured: {dispatcher.carrier_problem}"
    elif dispatcher is not None and dispatcher.breaker.state is BreakerState.OPEN:
        problems["carrier"] = "circuit breaker open: the carrier keeps failing"
    else:
        why = await _carrier_reachable(app[CONFIG].carrier_url)
        if why:
            problems["carrier"] = why
    if problems:
        return web.json_response({"status": "unready", "problems": problems}, status=503)
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    """Cheap whatever the database holds: the message counts are kept on write (migration
    010), the queue depth and unmatched callbacks are partial-index counts."""
    app = request.app[GATEWAY]
    registry, store = app[METRICS], app[STORE]
    registry.census(await store.sms_census())
    due, later = await store.queue_depth(dates.iso(dates.now()))
    registry.queue_depth.labels("due").set(due)
    registry.queue_depth.labels("later").set(later)
    registry.unmatched_callbacks.set(await store.unmatched_callbacks())
    response = web.Response(body=registry.render())
    response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
    return response


@web.middleware
async def refuse_when_stopping(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Once shutdown began, a new request on a kept-alive connection is refused (503, and the
    connection closes) rather than accepted into a process that is going away; the listener
    itself is already closed. Requests already running finish."""
    if request.app[SHUTTING_DOWN].is_set() and request.path.startswith("/api/"):
        return web.json_response(
            {"error": "The gateway is shutting down; retry shortly."},
            status=503,
            headers={"Connection": "close", "Retry-After": "1"},
        )
    return await handler(request)


@web.middleware
async def callback_observer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """For the carrier's webhooks: parse the form once, answering 400 (never a 500) to a body
    that cannot be parsed, and check its signature (403) before anything else; for status
    callbacks, count them and name their activity."""
    if (
        request.method != "POST"
        or not request.path.startswith("/carrier/")
        or request.match_info.http_exception is not None
    ):  # no such webhook: 404/405
        return await handler(request)
    try:
        await request.post()  # cached: the intake reads the same parsed form
    except ValueError as exc:  # e.g. multipart without a boundary
        return web.json_response({"error": f"Malformed form body: {exc}"}, status=400)
    form = await signed_form(request)  # first: a forged request reads no database
    field = first_nul_field(form)
    if field:  # before any lookup: PostgreSQL cannot even compare such a value
        return web.json_response({"error": f"{field} {NUL_MESSAGE}"}, status=400)
    if request.path != "/carrier/status":
        return await handler(request)
    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    status = str(form.get("MessageStatus") or form.get("SmsStatus") or "")
    # the handler names the activity once record_status matched it (no read of its own here)
    token = ACTIVITY_ID.set(None)
    try:
        response = await handler(request)
        if response.status == 200:
            _count(request.app, sid, status, request.get(CALLBACK_MATCH))
        return response
    finally:
        ACTIVITY_ID.reset(token)  # keep-alive: the next request on this task starts clean


def _count(
    app: web.Application, sid: str, status: str, found: tuple[str, str | None] | None
) -> None:
    registry = app[METRICS]
    registry.callbacks.labels(status or "unknown").inc()
    if found is None:
        registry.orphan_callbacks.inc()
        log.info(
            "status %s for unknown sid %s (kept: its create answer may be on the way)",
            status,
            sid,
            extra={"carrier_sid": sid},
        )
        return
    log.debug("status %s for %s", status, sid, extra={"carrier_sid": sid})
    if found[1]:
        lag = (dates.now() - datetime.fromisoformat(found[1])).total_seconds()
        registry.callback_lag.labels(status or "unknown").observe(max(0.0, lag))


def ops_app(gateway: web.Application) -> web.Application:
    """The ops listener's app: its handlers read the gateway's store, dispatcher and
    metrics. Kept off the API's port, where anyone could read every organization's counts
    and each probe would queue with the API's requests."""
    app = web.Application()
    app[GATEWAY] = gateway
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
