"""A wrong carrier token or URL is an outage, not a failure of every message: the messages stay
queued, the breaker opens, one line is logged, /readyz names the problem, `max_age` still ends
them; once the gateway is restarted with the right settings, the backlog goes out once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.gateway.harness import Harness, Served, eventually, serve


async def _not_twilio(kind: str) -> Served:
    """A plain web server where the carrier should be: aiohttp's own 404 page, or a 200 page."""

    async def welcome(_request: web.Request) -> web.Response:
        return web.Response(text="<html>It works!</html>", content_type="text/html")

    app = web.Application()
    if kind == "200":
        app.router.add_route("*", "/{tail:.*}", welcome)
    return await serve(lambda _url: app)


async def _ready(harness: Harness) -> tuple[int, Any]:
    return await harness.ops("/readyz")


async def _setup(harness: Harness) -> tuple[str, list[dict[str, Any]]]:
    """An organization with a number rented while the carrier settings were right."""
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await harness.lead_with(key, "+14155550179")
    return key, [lead, {"number": number}]


Break = Callable[[Harness], Awaitable[tuple[dict[str, Any], Served | None, str]]]


async def _wrong_token(harness: Harness) -> tuple[dict[str, Any], Served | None, str]:
    return {"carrier_auth_token": "not-the-token"}, None, "credentials"


async def _wrong_path(harness: Harness) -> tuple[dict[str, Any], Served | None, str]:
    return {"carrier_url": f"{harness.sim.url}/twilio"}, None, "HTTP 404"


async def _plain_404(harness: Harness) -> tuple[dict[str, Any], Served | None, str]:
    server = await _not_twilio("404")
    return {"carrier_url": server.url}, server, "not Twilio's"


async def _plain_200(harness: Harness) -> tuple[dict[str, Any], Served | None, str]:
    server = await _not_twilio("200")
    return {"carrier_url": server.url}, server, "not Twilio's"


@pytest.mark.parametrize(
    "wrong",
    [_wrong_token, _wrong_path, _plain_404, _plain_200],
    ids=["401-token", "404-path", "plain-404", "plain-200"],
)
async def test_a_misconfigured_carrier_keeps_the_queue_until_the_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, wrong: Break
) -> None:
    harness = await Harness.start(tmp_path)
    other: Served | None = None
    try:
        key, (lead, number) = await _setup(harness)
        await harness.stop_gateway()
        overrides, other, named = await wrong(harness)
        await harness.start_gateway(**overrides)
        caplog.set_level(logging.INFO, logger="gateway")
        sms = [await harness.send(key, lead, number["number"], f"queued {i}") for i in range(6)]

        async def unready() -> dict[str, Any] | None:
            status, body = await _ready(harness)
            return body if status == 503 else None

        problem = (await eventually(unready))["problems"]["carrier"]
        assert problem.startswith("misconfigured: ") and named in problem, problem
        _, metrics = await harness.ops("/metrics")
        state = next(
            line
            for line in metrics.splitlines()
            if line.startswith("smslab_carrier_breaker_state{")
        )
        assert state.endswith((" 2.0", " 1.0")), state  # open, or half-open for a probe
        await asyncio.sleep(1.0)  # several breaker probes (cooldown 0.3 s)
        for s in sms:  # queued still, not failed
            got = await harness.sms(key, s["id"])
            assert (got["status"], got["error_reason"]) == ("outbox", None), got
        said = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(said) == 1 and "carrier misconfigured" in said[0].getMessage(), [
            r.getMessage() for r in said
        ]
        assert named in said[0].getMessage()
        assert not await harness.oracle()  # nothing reached the simulator's Messages

        await harness.stop_gateway()  # the fix: the right settings, a restart
        await harness.start_gateway()
        for s in sms:
            done = await harness.settle(key, s["id"], lambda m: m["delivery_status"] == "delivered")
            assert done["status"] == "sent"
        assert sorted(m["idempotency_key"] for m in await harness.oracle()) == sorted(
            s["id"] for s in sms
        )
        assert (await _ready(harness))[0] == 200
    finally:
        if other is not None:
            await other.stop()
        await harness.close()


async def test_max_age_still_ends_messages_while_misconfigured(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path)
    try:
        key, (lead, number) = await _setup(harness)
        await harness.stop_gateway()
        await harness.start_gateway(
            carrier_auth_token="not-the-token", max_age=1.5, breaker_cooldown=30.0
        )  # no probe comes to end them
        sms = [await harness.send(key, lead, number["number"], f"late {i}") for i in range(4)]
        for s in sms:
            done = await harness.settle(key, s["id"], lambda m: m["status"] == "error")
            assert (done["error_reason"], done["delivery_status"]) == ("expired", None)
        assert not await harness.oracle()
    finally:
        await harness.close()
