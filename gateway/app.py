"""`create_app(config)`: the gateway as an aiohttp Application, built from explicit parts.

The store, the HTTP session (inside the carrier client) and the dispatcher each open in a
`cleanup_ctx`, so each closes exactly what it opened, in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.api import setup_routes
from gateway.config import Config, is_postgres_url
from gateway.config_reload import LiveConfig
from gateway.core.pacing import Pace
from gateway.edge.auth import auth_middleware
from gateway.edge.limits import RateLimiter, body_limit_middleware, rate_limit_middleware
from gateway.edge.middleware import error_middleware
from gateway.edge.nul_guard import nul_middleware
from gateway.edge.openapi import setup as setup_openapi
from gateway.edge.ops_endpoints import callback_observer, healthz, ops_app, refuse_when_stopping
from gateway.edge.webhooks import setup as setup_intake
from gateway.keys import (
    API_KEY_CACHE,
    CARRIER,
    CONFIG,
    DISPATCHER,
    LIVE_CONFIG,
    METRICS,
    OPS_URL,
    SHUTTING_DOWN,
    STORE,
)
from gateway.metrics import Metrics
from gateway.store import open_store
from gateway.store.sqlite_owner import sole_gateway
from gateway.ui import setup as setup_ui
from gateway.workers.carrier_client import CarrierClient
from gateway.workers.dispatcher import Dispatcher
from gateway.workers.housekeeping import Housekeeper
from gateway.workers.reconcile import Reconciler

__all__ = ["create_app", "stop_taking"]


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    app[STORE] = await open_store(
        config.database,
        config.db_synchronous,
        pace=Pace(config.messages_per_second, config.poll_interval),
    )
    try:
        with contextlib.ExitStack() as held:
            if not is_postgres_url(config.database):  # several processes: PostgreSQL only
                held.enter_context(sole_gateway(config.database))
            yield
    finally:
        await app[STORE].close()


async def _carrier_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    # Many small requests to one host: keep connections alive and allow the dispatcher's
    # full concurrency on them.
    connector = aiohttp.TCPConnector(limit=max(100, config.max_in_flight * 2))
    async with aiohttp.ClientSession(connector=connector) as session:
        app[CARRIER] = CarrierClient(
            config.carrier_url,
            config.carrier_account_sid,
            config.carrier_auth_token,
            session,
            config.carrier_timeout,
        )
        yield


async def _dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    if not app[CONFIG].dispatcher_enabled:
        app[DISPATCHER] = None
        yield
        return
    dispatcher = Dispatcher(app[STORE], app[CARRIER], app[CONFIG], app[METRICS])
    app[DISPATCHER] = dispatcher
    task = asyncio.create_task(dispatcher.run(), name="sms-dispatcher")
    yield
    # SIGTERM or stop: in-flight carrier calls finish and record their outcome (within the
    # grace period) before the carrier session and the database close after us
    await dispatcher.drain(app[CONFIG].grace_period)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _reconciler_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    if not config.dispatcher_enabled or config.reconcile_after <= 0:
        yield
        return
    reconciler = Reconciler(app[STORE], app[CARRIER], config, app[METRICS])
    task = asyncio.create_task(reconciler.run(), name="sms-reconciler")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _housekeeping_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(
        Housekeeper(app[STORE], app[CONFIG], app[METRICS]).run(), name="housekeeping"
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _ops_ctx(app: web.Application) -> AsyncIterator[None]:
    """The ops listener (/readyz, /metrics, /healthz): started after the parts it reports on,
    closed before them."""
    config = app[CONFIG]
    runner = web.AppRunner(ops_app(app), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, config.ops_host, config.ops_port).start()
        host, port = runner.addresses[0][:2]
        app[OPS_URL] = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        logging.getLogger("gateway").info("ops endpoints (/readyz, /metrics) on %s", app[OPS_URL])
        yield
    finally:
        await runner.cleanup()


def stop_taking(app: web.Application) -> None:
    """Shutdown began: refuse new API requests (503) on every connection; the dispatcher
    claims nothing new, and its drain counts the grace period from now."""
    app[SHUTTING_DOWN].set()
    dispatcher = app.get(DISPATCHER)
    if dispatcher is not None:
        dispatcher.stop_taking()


async def _stop_taking(app: web.Application) -> None:
    stop_taking(app)  # already done when SIGTERM came through gateway.signals: a no-op then


def create_app(config: Config) -> web.Application:
    failures = (
        RateLimiter(config.auth_failure_rate, config.auth_failure_burst)
        if config.auth_failure_rate > 0
        else None
    )
    middlewares: list[Middleware] = [
        error_middleware,
        nul_middleware,
        refuse_when_stopping,
        body_limit_middleware,
        auth_middleware(failures),
    ]
    if config.rate_limit > 0:
        burst = config.rate_burst or max(1, int(config.rate_limit * 2))
        middlewares.append(rate_limit_middleware(RateLimiter(config.rate_limit, burst)))
    middlewares.append(callback_observer)
    app = web.Application(middlewares=middlewares, client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app[LIVE_CONFIG] = LiveConfig(config)
    app[METRICS] = Metrics()
    app[SHUTTING_DOWN] = asyncio.Event()
    app[API_KEY_CACHE] = {}
    app.cleanup_ctx.extend(
        [_store_ctx, _carrier_ctx, _dispatcher_ctx, _reconciler_ctx, _housekeeping_ctx, _ops_ctx]
    )
    app.on_shutdown.append(_stop_taking)
    setup_routes(app.router)
    setup_intake(app.router)
    app.router.add_get("/healthz", healthz)  # the API's own port: alive, nothing more
    setup_openapi(app.router)
    if config.ui:
        setup_ui(app, config)
    return app
