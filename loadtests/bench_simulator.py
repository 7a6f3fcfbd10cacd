"""Simulator throughput: create + status callbacks, beside a bare aiohttp handler, same run.

    python loadtests/bench_simulator.py [--messages 4000] [--concurrency 32] [--rounds 3]

Each round: (1) the bare handler answers N form POSTs; (2) the simulator (a real
`sms-simulator serve` process, zero-latency scenario) accepts N creates, and we wait until this
process has received every final status callback. Reported: medians over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from harness import drive, free_port, median, process

SID = "AC" + "b" * 32
TOKEN = "bench-token"
HEADERS = {"Authorization": "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()}
SCENARIO = f"""
name: bench
seed: 1
time_scale: 1000
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
latency: {{sent: 0, delivered: 0}}
"""


async def _bare(url: str, count: int, concurrency: int) -> float:
    async def one(session: aiohttp.ClientSession, i: int) -> None:
        form = {
            "To": f"+1416555{i % 10000:04d}",
            "From": "+14155550100",
            "Body": f"bench {i}",
            "StatusCallback": "http://127.0.0.1:65535/status",
        }
        async with session.post(f"{url}/Messages.json", data=form) as response:
            assert response.status == 201, response.status

    return count / await drive(count, concurrency, one)


async def _simulator(url: str, count: int, concurrency: int, round_no: int) -> tuple[float, float]:
    """Returns (creates per second, messages per second until the last final callback)."""
    finals = 0
    done = asyncio.Event()

    async def callback(request: web.Request) -> web.Response:
        nonlocal finals
        form = await request.post()
        if form.get("MessageStatus") in ("delivered", "undelivered", "failed"):
            finals += 1
            if finals >= count:
                done.set()
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/status", callback)
    runner = web.AppRunner(receiver)
    await runner.setup()
    hook_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    async with aiohttp.ClientSession(headers=HEADERS) as s:
        sender = f"+1415555{100 + round_no:04d}"
        async with s.post(
            f"{url}/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json",
            data={"PhoneNumber": sender},
        ) as r:
            assert r.status == 201, await r.text()

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        form = {
            "To": f"+1416555{i % 10000:04d}",
            "From": sender,
            "Body": f"bench {round_no} {i}",
            "StatusCallback": f"http://127.0.0.1:{hook_port}/status",
        }
        async with session.post(
            f"{url}/2010-04-01/Accounts/{SID}/Messages.json", data=form, headers=HEADERS
        ) as response:
            assert response.status == 201, await response.text()

    started = time.perf_counter()
    create_seconds = await drive(count, concurrency, one)
    await asyncio.wait_for(done.wait(), timeout=300)
    end_to_end = time.perf_counter() - started
    await runner.cleanup()
    return count / create_seconds, count / end_to_end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "bench.yaml"
        scenario.write_text(SCENARIO)
        bare_port, sim_port = free_port(), free_port()
        bare_url, sim_url = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{sim_port}"
        bare, creates, finals = [], [], []
        with (
            process(["loadtests/bare_server.py", str(bare_port)], bare_url),
            process(
                ["-m", "simulator", "serve", "--scenario", str(scenario), "--port", str(sim_port)],
                sim_url,
            ),
        ):
            for round_no in range(args.rounds):
                bare.append(asyncio.run(_bare(bare_url, args.messages, args.concurrency)))
                created, final = asyncio.run(
                    _simulator(sim_url, args.messages, args.concurrency, round_no)
                )
                creates.append(created)
                finals.append(final)
    print(
        f"messages per round {args.messages}, concurrency {args.concurrency}, "
        f"rounds {args.rounds} (medians)"
    )
    print(f"bare aiohttp handler            {median(bare):8.0f} requests/s")
    print(
        f"simulator creates               {median(creates):8.0f} requests/s "
        f"({median(creates) / median(bare):.0%} of bare)"
    )
    print(
        f"simulator create + callbacks    {median(finals):8.0f} messages/s "
        f"({median(finals) / median(bare):.0%} of bare)"
    )


if __name__ == "__main__":
    main()
