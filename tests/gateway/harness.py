"""Real servers for gateway tests: the simulator and the gateway on 127.0.0.1, a real database
(SQLite in tmp_path, or PostgreSQL: tests/databases.py), real HTTP between them, Close's own
client as the judge (from a thread: it is synchronous). Imported by tests/gateway and
tests/e2e alike."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import closeio_api
import pytest
from aiohttp import web

from gateway import Config, create_app
from gateway.edge.auth import create_organization
from gateway.keys import OPS_URL, STORE
from simulator.app import create_app as create_simulator
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, Scenario
from tests.databases import database_for

T = TypeVar("T")


@dataclass
class Served:
    runner: web.AppRunner
    app: web.Application
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(make_app: Callable[[str], web.Application], port: int = 0) -> Served:
    """Bind first, so the app can know its own public URL before it is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    bound = sock.getsockname()[1]
    try:
        app = make_app(f"http://127.0.0.1:{bound}")
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
    except BaseException:
        sock.close()
        raise
    await web.SockSite(runner, sock).start()
    return Served(runner, app, bound)


def gateway_config(db: str, carrier_url: str, public_url: str, **overrides: Any) -> Config:
    """`db`: a SQLite path or a PostgreSQL URL (tests/databases.database_for)."""
    base = Config(
        carrier_url=carrier_url,
        carrier_account_sid=DEFAULT_ACCOUNT_SID,
        carrier_auth_token=DEFAULT_AUTH_TOKEN,
        carrier_timeout=5.0,
        public_url=public_url,
        messages_per_second=1000.0,
        poll_interval=0.05,
        retry_base=0.05,
        retry_max=0.2,
        breaker_cooldown=0.3,  # tests' outages last ~1 s
        ops_port=0,  # /readyz and /metrics: `Harness.ops`
    )
    return base.with_database(db).replace(**overrides)


@dataclass
class Harness:
    tmp_path: Path
    sim: Served
    session: aiohttp.ClientSession
    gateway: Served | None = None
    gateway_port: int = 0
    keys: list[str] = field(default_factory=list)

    @classmethod
    async def start(
        cls, tmp_path: Path, scenario: Scenario | None = None, **gateway_overrides: Any
    ) -> Harness:
        sim = await serve(lambda _url: create_simulator(scenario))
        harness = cls(tmp_path, sim, aiohttp.ClientSession())
        try:
            await harness.start_gateway(**gateway_overrides)
        except BaseException:
            await harness.close()
            raise
        return harness

    async def start_gateway(self, **overrides: Any) -> Served:
        carrier_url = overrides.pop("carrier_url", self.sim.url)

        def make(url: str) -> web.Application:
            return create_app(gateway_config(self.db, carrier_url, url, **overrides))

        self.gateway = await serve(make, self.gateway_port)
        self.gateway_port = self.gateway.port  # a restart keeps the public URL
        return self.gateway

    async def stop_gateway(self) -> None:
        if self.gateway is not None:
            await self.gateway.stop()
            self.gateway = None

    async def close(self) -> None:
        await self.stop_gateway()
        await self.sim.stop()
        await self.session.close()

    @property
    def db(self) -> str:
        """The gateway's database: the same one across restarts."""
        return database_for(self.tmp_path)

    @property
    def url(self) -> str:
        assert self.gateway is not None
        return self.gateway.url

    @property
    def app(self) -> web.Application:
        assert self.gateway is not None
        return self.gateway.app

    async def new_org(self, name: str = "Acme") -> str:
        _org, key = await create_organization(self.app[STORE], name)
        return key

    def close_api(self, key: str) -> closeio_api.API:
        return closeio_api.API(base_url=f"{self.url}/api/v1/", api_key=key, tz_offset=0)

    async def request(
        self, key: str | None, method: str, path: str, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = kwargs.pop("headers", {})
        if key is not None:
            headers["Authorization"] = aiohttp.encode_basic_auth(key, "")
        async with self.session.request(
            method, f"{self.url}{path}", headers=headers, **kwargs
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text

    async def ops(self, path: str) -> tuple[int, Any]:
        """GET on the ops listener (/readyz, /metrics): JSON, or text where it is not."""
        async with self.session.get(f"{self.app[OPS_URL]}{path}") as response:
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text

    async def api(self, key: str, method: str, path: str, body: Any = None) -> Any:
        """A request that must succeed (2xx); returns the JSON."""
        status, data = await self.request(key, method, f"/api/v1/{path}", json=body)
        assert 200 <= status < 300, (status, data)
        return data

    async def rent(
        self, key: str, country: str = "US", prefix: str | None = None
    ) -> dict[str, Any]:
        body = {"country": country, **({"prefix": prefix} if prefix else {})}
        return await self.api(key, "POST", "phone_number/request/internal/", body)

    async def lead_with(self, key: str, phone: str, name: str = "Bluth Co") -> dict[str, Any]:
        return await self.api(
            key,
            "POST",
            "lead/",
            {
                "name": name,
                "contacts": [{"name": "George", "phones": [{"phone": phone, "type": "mobile"}]}],
            },
        )

    async def send(
        self, key: str, lead: dict[str, Any], local: str, text: str = "Hello", **extra: Any
    ) -> dict[str, Any]:
        contact = lead["contacts"][0]
        return await self.api(
            key,
            "POST",
            "activity/sms/",
            {
                "status": "outbox",
                "lead_id": lead["id"],
                "contact_id": contact["id"],
                "local_phone": local,
                "remote_phone": contact["phones"][0]["phone"],
                "text": text,
                **extra,
            },
        )

    async def sms(self, key: str, sms_id: str) -> dict[str, Any]:
        return await self.api(key, "GET", f"activity/sms/{sms_id}/")

    async def settle(
        self, key: str, sms_id: str, until: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            sms = await self.sms(key, sms_id)
            return sms if until(sms) else None

        return await eventually(check, timeout)

    async def oracle(self) -> list[dict[str, Any]]:
        async with self.session.get(f"{self.sim.url}/_sim/messages") as response:
            return (await response.json())["messages"]

    async def handset_sends(self, from_: str, to: str, body: str) -> dict[str, Any]:
        async with self.session.post(
            f"{self.sim.url}/_sim/inbound", json={"from": from_, "to": to, "body": body}
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def eventually(
    check: Callable[[], Awaitable[T | None]], timeout: float = 10.0, interval: float = 0.05
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {value!r})")
        await asyncio.sleep(interval)


def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Awaitable[T]:
    """Close's client is synchronous: run it off the event loop that serves it."""
    return asyncio.to_thread(fn, *args, **kwargs)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path)
    yield h
    await h.close()
