"""CPU per webhook of the simulator's sender (simulator.callbacks.WebhookSender), in process,
against loadtests/bare_server.py in its own process.

    .venv/bin/python loadtests/micro/webhook_sender.py [--requests 3000] [--concurrency 16]
        [--rounds 5]

Prints this process's CPU time (user + system, time.process_time) per send, median over the
rounds: the sender's own cost, since the receiver runs elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from simulator import callbacks
from simulator.callbacks import WebhookSender
from simulator.scenario.carrier_model import CallbackFaults

BARE = Path(__file__).resolve().parent.parent / "bare_server.py"
PARAMS = {
    "AccountSid": "AC" + "a" * 32,
    "ApiVersion": "2010-04-01",
    "From": "+14155550100",
    "MessageSid": "SM" + "1" * 32,
    "MessageStatus": "delivered",
    "SmsSid": "SM" + "1" * 32,
    "SmsStatus": "delivered",
    "To": "+14165550199",
    "RawDlrDoneDate": "2612020405",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _round(sender: WebhookSender, url: str, count: int, concurrency: int) -> float:
    faults = CallbackFaults()
    queue = iter(range(count))

    async def worker() -> None:
        for _ in queue:
            delivery = await sender.send(url, PARAMS, "token", faults)
            assert delivery.ok, delivery

    start = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - start) / count


async def _main(count: int, concurrency: int, rounds: int, port: int) -> list[float]:
    url = f"http://127.0.0.1:{port}/carrier/status"
    # the session the simulator makes, where the code measured has one of its own
    make_session = getattr(callbacks, "webhook_session", aiohttp.ClientSession)
    async with make_session() as session:
        sender = WebhookSender(session)
        await _round(sender, url, 200, concurrency)  # warm up: connections, first sights
        figures = [await _round(sender, url, count, concurrency) for _ in range(rounds)]
        close = getattr(sender, "close", None)
        if close is not None:
            await close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(BARE), str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        figures = asyncio.run(_main(args.requests, args.concurrency, args.rounds, port))
    finally:
        server.terminate()
        server.wait()
    rounds = ", ".join(f"{f * 1e6:.0f}" for f in figures)
    print(f"sender CPU per webhook: median {statistics.median(figures) * 1e6:.0f} us ({rounds})")


if __name__ == "__main__":
    main()
