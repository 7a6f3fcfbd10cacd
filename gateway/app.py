"""`create_app(config)`: the gateway as an aiohttp Application, built from explicit parts.

The store, the HTTP session (inside the carrier client) and the dispatcher each open in a
`cleanup_ctx`, so each closes exactly what it opened, in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from gateway.api import setup_routes
from gateway.auth import auth_middleware
from gateway.carrier import CarrierClient
from gateway.config import Config
from gateway.dispatcher import Dispatcher
from gateway.intake import setup as setup_intake
from gateway.keys import API_KEY_CACHE, CARRIER, CONFIG, DISPATCHER, STORE
from gateway.middleware import error_middleware
from gateway.store import open_sqlite

__all__ = ["create_app"]


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    app[STORE] = await open_sqlite(config.db_path, config.db_synchronous)
    yield
    await app[STORE].close()


async def _carrier_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    # Many small requests to one host: keep connections alive and allow the dispatcher's
    # full concurrency on them.
    connector = aiohttp.TCPConnector(limit=max(100, config.max_in_flight * 2))
    async with aiohttp.ClientSession(connector=connector) as session:
        app[CARRIER] = CarrierClient(config.carrier_url, config.carrier_account_sid,
                                     config.carrier_auth_token, session, config.carrier_timeout)
        yield


async def _dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    if not app[CONFIG].dispatcher_enabled:
        app[DISPATCHER] = None
        yield
        return
    dispatcher = Dispatcher(app[STORE], app[CARRIER], app[CONFIG])
    app[DISPATCHER] = dispatcher
    task = asyncio.create_task(dispatcher.run(), name="sms-dispatcher")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    await request.app[STORE].organization_for_key("")  # the database answers
    return web.json_response({"status": "ready"})


def create_app(config: Config) -> web.Application:
    app = web.Application(middlewares=[error_middleware, auth_middleware])
    app[CONFIG] = config
    app[API_KEY_CACHE] = {}
    app.cleanup_ctx.extend([_store_ctx, _carrier_ctx, _dispatcher_ctx])
    setup_routes(app.router)
    setup_intake(app.router)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app
