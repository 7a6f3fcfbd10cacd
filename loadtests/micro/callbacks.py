"""CPU per message of its two status callbacks (sent, delivered), in process: the gateway of
tests.gateway.harness (SQLite, dispatcher off) and an aiohttp client posting signed callbacks
for messages already accepted. The client's CPU is in the figure, the same for any gateway
change. Run from a tree's root: `python loadtests/micro/callbacks.py [messages]`."""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

from gateway.core.lifecycle import accepted
from gateway.keys import STORE
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from telecom import compute_signature
from tests.gateway.builders import T0, create_org, make_sms
from tests.gateway.harness import Harness


async def _main(messages: int, rounds: int) -> None:
    logging.basicConfig(level=logging.INFO, stream=open("/dev/null", "w"))  # noqa: SIM115
    with tempfile.TemporaryDirectory() as name:
        harness = await Harness.start(Path(name), dispatcher_enabled=False)
        store = harness.app[STORE]
        await create_org(store)
        url = f"{harness.url}/carrier/status"
        figures = []
        for r in range(rounds):
            sids = []
            for i in range(messages):
                sid = f"SM{r:04d}{i:028d}"
                await store.insert_sms(make_sms(f"acti_{r}_{i}"))
                await store.record_accepted(f"acti_{r}_{i}", sid, accepted("queued"), T0)
                sids.append(sid)

            async def post(sid: str, status: str) -> None:
                form = {
                    "MessageSid": sid,
                    "SmsSid": sid,
                    "MessageStatus": status,
                    "SmsStatus": status,
                    "AccountSid": DEFAULT_ACCOUNT_SID,
                    "From": "+14155550100",
                    "To": "+14155550199",
                    "ApiVersion": "2010-04-01",
                }
                headers = {"X-Twilio-Signature": compute_signature(url, form, DEFAULT_AUTH_TOKEN)}
                async with harness.session.post(url, data=form, headers=headers) as response:
                    assert response.status == 200, response.status

            started = time.process_time()
            for status in ("sent", "delivered"):
                for start in range(0, messages, 32):
                    await asyncio.gather(*(post(s, status) for s in sids[start : start + 32]))
            figures.append((time.process_time() - started) * 1e6 / messages)
        await harness.close()
    rounds_text = " ".join(f"{f:.0f}" for f in figures)
    print("us CPU a message's two callbacks (gateway + client):", rounds_text)
    print(f"median {statistics.median(figures):.0f}")


if __name__ == "__main__":
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    asyncio.run(_main(messages, int(sys.argv[2]) if len(sys.argv) > 2 else 5))
