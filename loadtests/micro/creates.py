"""CPU per API create (`POST /api/v1/activity/sms/`, as bench_gateway posts it), in process:
the gateway of tests.gateway.harness (SQLite, dispatcher off, so only the create's own work)
and an aiohttp client, 32 at a time. The client's CPU is in the figure, the same for any
gateway change. Run from a tree's root: `python loadtests/micro/creates.py [creates] [rounds]`.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

import aiohttp

from tests.gateway.harness import Harness


async def _main(creates: int, rounds: int) -> None:
    logging.basicConfig(level=logging.INFO, stream=open("/dev/null", "w"))  # noqa: SIM115
    with tempfile.TemporaryDirectory() as name:
        harness = await Harness.start(Path(name), dispatcher_enabled=False)
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, "+14165550000")
        url = f"{harness.url}/api/v1/activity/sms/"
        headers = {"Authorization": aiohttp.encode_basic_auth(key, "")}
        figures = []
        for _ in range(rounds):

            async def one(i: int) -> None:
                body = {
                    "status": "outbox",
                    "lead_id": lead["id"],
                    "local_phone": number,
                    "remote_phone": f"+1416555{i % 10000:04d}",
                    "text": f"bench message {i}",
                }
                async with harness.session.post(url, json=body, headers=headers) as response:
                    assert response.status == 200, await response.text()

            started = time.process_time()
            for start in range(0, creates, 32):
                await asyncio.gather(*(one(i) for i in range(start, min(creates, start + 32))))
            figures.append((time.process_time() - started) * 1e6 / creates)
        await harness.close()
    print("us CPU a create (gateway + client):", " ".join(f"{f:.0f}" for f in figures))
    print(f"median {statistics.median(figures):.0f}")


if __name__ == "__main__":
    creates = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    asyncio.run(_main(creates, int(sys.argv[2]) if len(sys.argv) > 2 else 5))
