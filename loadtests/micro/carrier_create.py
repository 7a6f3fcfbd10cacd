"""CPU per carrier create through `CarrierClient.send_message`, in process, against a bare
aiohttp handler answering Twilio's 201 (the handler's own CPU is in the figure, the same for
any client change). With `--against TREE`, that tree's `gateway/workers/carrier_client.py`
runs in the same process, rounds alternating, so both see the same load on the machine.

    python loadtests/micro/carrier_create.py [--against /tmp/old-tree] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from gateway.workers import carrier_client

_ANSWER = json.dumps(
    {"sid": "SM" + "a" * 32, "status": "queued", "num_segments": "1", "error_code": None}
)


async def _create(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text=_ANSWER, status=201, content_type="application/json")


def _load(tree: Path) -> Any:
    spec = importlib.util.spec_from_file_location(
        "carrier_client_against", tree / "gateway/workers/carrier_client.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def _main(against: Path | None, calls: int, rounds: int) -> None:
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", _create)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    modules = {"this": carrier_client}
    if against is not None:
        modules = {"against": _load(against), **modules}
    figures: dict[str, list[float]] = {name: [] for name in modules}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        clients = {
            name: m.CarrierClient(f"http://127.0.0.1:{port}", "AC" + "b" * 32, "token", session)
            for name, m in modules.items()
        }

        async def one(client: Any, i: int) -> None:
            await client.send_message(
                to="+14155550101",
                from_="+14155550100",
                body="hello there, a test message",
                status_callback="http://127.0.0.1:1/carrier/status",
                idempotency_key=f"acti_{i}",
            )

        for _ in range(rounds):
            for name, client in clients.items():
                started = time.process_time()
                for start in range(0, calls, 32):
                    await asyncio.gather(
                        *(one(client, i) for i in range(start, min(calls, start + 32)))
                    )
                figures[name].append((time.process_time() - started) * 1e6 / calls)
    await runner.cleanup()
    for name, values in figures.items():
        print(f"{name}: median {statistics.median(values):.0f} us CPU a create", end="; ")
        print("rounds", " ".join(f"{v:.0f}" for v in values))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(_main(args.against, args.calls, args.rounds))
