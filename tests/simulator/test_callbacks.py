"""The webhook sender retries a callback its receiver refused, with the same signed body."""

from __future__ import annotations

from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulator.callbacks import WebhookSender
from simulator.scenario.carrier_model import CallbackFaults
from telecom import compute_signature

TOKEN = "callback-token"


async def test_a_retry_sends_the_same_signed_form_again() -> None:
    seen: list[tuple[bool, dict[str, str]]] = []

    async def receive(request: web.Request) -> web.Response:
        form = dict(parse_qsl(await request.text()))
        url = str(request.url)
        signed = request.headers.get("X-Twilio-Signature") == compute_signature(url, form, TOKEN)
        seen.append((signed, form))
        # refuse the first delivery as a busy receiver would, with a body of its own
        return web.Response(status=503 if len(seen) == 1 else 200, text="busy, try again")

    app = web.Application()
    app.router.add_post("/hook", receive)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
        sender = WebhookSender(session)
        try:
            delivery = await sender.send(
                str(server.make_url("/hook")),
                params,
                TOKEN,
                CallbackFaults(attempts=3, backoff=0.01),
            )
        finally:
            await sender.close()  # its kept connection, before the loop closes
    assert delivery.ok and delivery.attempts == 2
    assert seen == [(True, params), (True, params)]
