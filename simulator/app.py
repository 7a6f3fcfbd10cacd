"""The simulator's aiohttp application: Twilio's Messaging API plus the /_sim/ control API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from simulator.api import messages, numbers, whitelist
from simulator.api.middleware import auth_middleware, error_middleware, outage_middleware
from simulator.callbacks import WebhookSender
from simulator.control import routes as control_routes
from simulator.keys import RUNTIME
from simulator.runtime import Runtime
from simulator.scenario.carrier_model import Scenario

__all__ = ["DEFAULT_SCENARIO", "create_app"]

# With no scenario: one default account, the four default countries, Twilio's magic numbers.
DEFAULT_SCENARIO = Scenario(name="default", test_numbers=True)


def create_app(scenario: Scenario | None = None) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware, auth_middleware, outage_middleware],
        client_max_size=1024 * 1024,
    )
    for table in (messages.routes, numbers.routes, whitelist.routes, control_routes):
        app.router.add_routes(table)

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            sender = WebhookSender(session)
            app[RUNTIME] = Runtime(scenario or DEFAULT_SCENARIO, sender)
            try:
                yield
            finally:
                await app[RUNTIME].stop()
                await sender.close()

    app.cleanup_ctx.append(runtime_ctx)
    return app
