"""Client retries across a crash: SMS posted under an `Idempotency-Key` while the gateway is
killed with SIGKILL and restarted; a client retries every request it got no answer to, with
the same key, until it gets one. Afterwards each key made exactly one activity, and the answer
to every key, asked once more, is the first one again."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.procs import Processes, auth, setup_senders

pytestmark = pytest.mark.slow  # real processes, killed

MESSAGES = 300
CONCURRENCY = 16


async def _post_all(
    procs: Processes, key: str, number: str, lead_id: str, answers: dict[str, str]
) -> None:
    todo = iter(range(MESSAGES))
    async with aiohttp.ClientSession(
        headers=auth(key), timeout=aiohttp.ClientTimeout(total=10)
    ) as session:

        async def worker() -> None:
            for i in todo:
                body = {
                    "status": "outbox",
                    "lead_id": lead_id,
                    "local_phone": number,
                    "remote_phone": f"+1416555{i:04d}",
                    "text": f"retry {i}",
                }
                while True:  # the same key and body until an answer comes
                    try:
                        async with session.post(
                            f"{procs.url}/api/v1/activity/sms/",
                            json=body,
                            headers={"Idempotency-Key": f"key-{i}"},
                        ) as resp:
                            if resp.status == 200:
                                answers[f"key-{i}"] = (await resp.json())["id"]
                                break
                            assert resp.status in (409, 503), await resp.text()
                    except (aiohttp.ClientError, TimeoutError):
                        pass  # killed mid-request: it may or may not have been stored
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _kill_twice(procs: Processes, answers: dict[str, str]) -> None:
    for threshold in sorted(random.Random(4).sample(range(30, MESSAGES - 30), 2)):
        while len(answers) < threshold:
            await asyncio.sleep(0.002)
        assert procs.gateway is not None
        procs.gateway.kill()
        procs.gateway.wait(10)
        await procs.start_gateway()


async def test_retries_across_kill_9_create_each_activity_once(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    try:
        key = await procs.start(gateway_extra="logging: {level: WARNING}")
        [number], lead = await setup_senders(procs.url, key, 1)
        answers: dict[str, str] = {}
        await asyncio.gather(
            _post_all(procs, key, number, lead["id"], answers), _kill_twice(procs, answers)
        )
        assert procs.starts == 3
        stored = procs.query("SELECT id FROM sms WHERE direction = 'outbound'")
        assert sorted(row[0] for row in stored) == sorted(answers.values())  # none twice
        # every key once more: the first answer, and still nothing new
        repeats: dict[str, str] = {}
        await _post_all(procs, key, number, lead["id"], repeats)
        assert repeats == answers
        assert len(procs.query("SELECT id FROM sms WHERE direction = 'outbound'")) == MESSAGES
    finally:
        procs.stop()
