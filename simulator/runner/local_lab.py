"""Where a run happens: a fresh simulator and gateway in this process on free loopback ports
(a temporary SQLite database, an organization made by the gateway's own CLI), or servers that
are already running, given by URL.

The gateway is reached only through `gateway.app.create_app` and `gateway.config.Config`,
imported when an in-process run starts, so the simulator does not need the gateway otherwise.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from simulator.app import create_app as create_simulator
from simulator.runner.clients import RunFailed
from simulator.scenario.carrier_model import Scenario

__all__ = ["Endpoints", "in_process"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Endpoints:
    gateway_url: str
    simulator_url: str
    api_key: str


async def _serve(make_app: Callable[[str], web.Application]) -> tuple[web.AppRunner, str]:
    """Bind port 0 first, so the app knows its own URL (the gateway gives it to the carrier)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        runner = web.AppRunner(make_app(url), handle_signals=False, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
    except BaseException:
        sock.close()
        raise
    return runner, url


class _LoopThread:
    """An event loop of its own in a daemon thread. Each server runs on one: the gateway's
    writes are serialised and each waits for a turn of its loop, so a loop shared with the
    simulator and the runner makes every write wait for their work too (measured on the mixed
    scenario: 60 s on one loop, 46 s with the gateway on its own)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="gateway-loop", daemon=True
        )
        self._thread.start()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


async def _create_org(database: str) -> str:
    """`python -m gateway create-org`: it migrates the database and prints the key last."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway",
        "create-org",
        "smslab-runner",
        "--db",
        database,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = out.decode().split()
    if process.returncode != 0 or not lines:
        raise RunFailed(
            f"sms-gateway create-org failed ({process.returncode}): {err.decode().strip()[-500:]}"
        )
    return lines[-1]


@asynccontextmanager
async def _served(
    thread: _LoopThread, make_app: Callable[[str], web.Application]
) -> AsyncIterator[str]:
    runner, url = await thread.run(_serve(make_app))
    try:
        yield url
    finally:
        await thread.run(runner.cleanup())


@asynccontextmanager
async def in_process(scenario: Scenario, database: str | None = None) -> AsyncIterator[Endpoints]:
    """The simulator and the gateway on loopback; the gateway's store is `database` (an empty
    SQLite path or postgresql:// database), by default a SQLite file in a temporary folder."""
    from gateway.app import create_app as create_gateway
    from gateway.config import Config

    account = scenario.accounts[0]
    async with AsyncExitStack() as stack:
        if database is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="smslab-run-"))
            database = str(Path(tmp) / "gateway.db")
        key = await _create_org(database)
        # Each server on a loop of its own (see _LoopThread); the runner keeps this one.
        sim_thread, gw_thread = _LoopThread(), _LoopThread()
        stack.callback(sim_thread.stop)
        stack.callback(gw_thread.stop)
        sim_url = await stack.enter_async_context(
            _served(sim_thread, lambda _url: create_simulator(scenario))
        )
        config = Config(
            carrier_url=sim_url,
            carrier_account_sid=account.sid,
            carrier_auth_token=account.auth_token,
            carrier_timeout=5.0,
            # a throwaway database: durability buys nothing here, speed does
            db_synchronous="OFF",
            # the scenario's rates pace the traffic; the gateway must not add its own
            messages_per_second=10_000.0,
            poll_interval=0.02,
            max_in_flight=128,
            retry_base=0.05,
            retry_max=0.5,
            max_limit=1000,
            ops_port=0,  # several runs at once: no fixed port for /metrics
        ).with_database(database)
        gw_url = await stack.enter_async_context(
            _served(gw_thread, lambda url: create_gateway(config.replace(public_url=url)))
        )
        yield Endpoints(gw_url, sim_url, key)
