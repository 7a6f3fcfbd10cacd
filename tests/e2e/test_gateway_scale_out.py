"""Several gateway processes on one PostgreSQL database: messages posted round-robin to three
gateways while one of them is killed with SIGKILL and never comes back. The carrier calls
back through a small round-robin balancer (the gateways' shared `public_url`), as it would
in production, so a status lands on any live process, whichever sent the message. Afterwards nothing
accepted is lost, the carrier saw each activity once, every message is final, and no sending
number went faster than `dispatcher.messages_per_second`, the three processes together.

The size is `MESSAGES` (SMSLAB_SCALE_MESSAGES overrides it); the figures are printed (-s).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.databases import POSTGRESQL, database_for, run_sql
from tests.e2e.procs import (
    FINAL_SQL,
    ROOT,
    SID,
    TOKEN,
    create_org,
    free_port,
    post_until,
    scenario_yaml,
    setup_senders,
    wait_healthy,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRESQL, reason="processes share one PostgreSQL"),
]

MESSAGES = int(os.environ.get("SMSLAB_SCALE_MESSAGES", "20000"))
PROCESSES = 3
CONCURRENCY = 48
SENDERS = 12
# per sending number, all processes together: 96/s, about what three processes accept on two
# cores, so the shared pace binds whenever the posts run ahead
RATE = 8.0
POLL = 0.05
# the simulator's clock runs 1000 times real time (procs.scenario_yaml): its whole-second
# creation dates are milliseconds of real time
TIME_SCALE = 1000


def _start_gateway(
    folder: Path, n: int, port: int, public_url: str, sim_port: int, db: str
) -> subprocess.Popen[bytes]:
    config = folder / f"gateway-{n}.yaml"
    config.write_text(f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "{public_url}", ops_port: 0}}
database: {{url: "{db}"}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN},
          timeout: 5}}
dispatcher: {{messages_per_second: {RATE}, max_in_flight: 64, poll_interval: {POLL},
             retry_base: 0.05, retry_max: 0.5}}
logging: {{level: WARNING}}
""")
    with (folder / f"gateway-{n}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@asynccontextmanager
async def _balancer(targets: list[str]) -> AsyncIterator[str]:
    """A round-robin reverse proxy on a free port: each request goes to the next target
    that answers (a dead one is skipped)."""
    turn = itertools.count()
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("content-type", "x-twilio-signature", "authorization")
        }
        first = next(turn)
        for k in range(len(targets)):  # each target once, from this request's turn on
            target = targets[(first + k) % len(targets)]
            try:
                async with session.request(
                    request.method, target + request.path_qs, data=body, headers=headers
                ) as resp:
                    return web.Response(
                        status=resp.status, body=await resp.read(), content_type=resp.content_type
                    )
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await session.close()


async def _kill_at(gateway: subprocess.Popen[bytes], accepted: list[str], at: int) -> None:
    while len(accepted) < at:
        await asyncio.sleep(0.01)
    gateway.kill()  # SIGKILL, mid-run: its claims lapse and the others send them
    gateway.wait(10)


def _fastest(times: list[float], window: float) -> int:
    """The most sends within any `window` seconds."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass
class Deployment:
    db: str
    sim_url: str
    urls: list[str]  # each gateway's own address (the API is posted to them in turn)
    gateways: list[subprocess.Popen[bytes]]
    key: str


@asynccontextmanager
async def _deployed(folder: Path) -> AsyncIterator[Deployment]:
    """The simulator, a balancer and PROCESSES gateways on one fresh database."""
    db, sim_port = database_for(folder), free_port()
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(PROCESSES)]
    (folder / "scenario.yaml").write_text(scenario_yaml())
    key = create_org(db, "Scale")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "simulator",
                    "serve",
                    "--scenario",
                    str(folder / "scenario.yaml"),
                    "--port",
                    str(sim_port),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        await wait_healthy(f"http://127.0.0.1:{sim_port}/_sim/health", started[0])
        async with _balancer(urls) as balancer:
            gateways = [
                _start_gateway(folder, n, int(url.rsplit(":", 1)[1]), balancer, sim_port, db)
                for n, url in enumerate(urls)
            ]
            started.extend(gateways)
            for url, gateway in zip(urls, gateways, strict=True):
                await wait_healthy(f"{url}/healthz", gateway)
            yield Deployment(db, f"http://127.0.0.1:{sim_port}", urls, gateways, key)
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def _outbound(db: str, where: str = "TRUE") -> set[str]:
    return {
        row[0]
        for row in run_sql(db, f"SELECT id FROM sms WHERE direction = 'outbound' AND {where}")
    }


async def test_three_processes_one_killed_lose_nothing_send_once_and_keep_the_rate(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    async with _deployed(tmp_path) as world:
        numbers, lead = await setup_senders(world.urls[0], world.key, SENDERS)
        accepted: list[str] = []
        failed: list[int] = []
        await asyncio.gather(
            # round-robin: a request its gateway failed goes to the next one
            post_until(
                MESSAGES,
                world.key,
                lambda i: world.urls[i % len(world.urls)],
                numbers,
                lead["id"],
                accepted,
                failed,
                concurrency=CONCURRENCY,
                text="scale",
            ),
            _kill_at(world.gateways[1], accepted, MESSAGES // 2),
        )
        accepted_at = time.monotonic()
        deadline = accepted_at + float(os.environ.get("SMSLAB_SCALE_DRAIN", "300"))
        while unfinished := len(_outbound(world.db, f"NOT {FINAL_SQL}")):
            assert time.monotonic() < deadline, f"{unfinished} never became final"
            await asyncio.sleep(0.5)
        drained_at = time.monotonic()

        final, stored = _outbound(world.db, FINAL_SQL), _outbound(world.db)
        assert len(accepted) == len(set(accepted)) >= MESSAGES
        lost = set(accepted) - final
        assert not lost, f"{len(lost)} accepted messages are not final, e.g. {sorted(lost)[:3]}"
        assert stored == final  # also those whose 200 was cut off by the kill

        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{world.sim_url}/_sim/messages") as resp,
        ):
            oracle: list[dict[str, Any]] = (await resp.json())["messages"]
    keys = [m["idempotency_key"] for m in oracle if m.get("idempotency_key")]
    assert len(keys) == len(set(keys)), "an activity reached the carrier twice"
    assert set(keys) == stored

    # the pace, as the carrier saw it: per number, in any one and any five seconds
    by_number: dict[str, list[float]] = {}
    for m in oracle:
        if m.get("idempotency_key"):
            moment = parsedate_to_datetime(m["date_created"]).timestamp() / TIME_SCALE
            by_number.setdefault(m["from"], []).append(moment)
    burst = int(POLL * RATE) + 1
    fastest = {w: max(_fastest(sorted(t), w) for t in by_number.values()) for w in (1, 5)}
    # Room for the jitter between a claim and the carrier's clock (a saturated machine delays
    # some sends more than others, bunching them); three processes pacing only themselves
    # reach three times the rate whenever the posts run ahead of it.
    assert fastest[1] <= RATE * 2 + burst, fastest
    assert fastest[5] <= RATE * 5 * 1.1 + burst, fastest
    resent = sum(1 for m in oracle if m.get("create_calls", 1) > 1)
    print(
        f"\nscale-out: {PROCESSES} processes, one killed at {MESSAGES // 2} accepted;"
        f" {len(accepted)} accepted, {len(failed)} requests cut off or refused"
        f" ({len(stored) - len(accepted)} of them stored anyway); {len(keys)} sent once each"
        f" ({resent} re-sent under their Idempotency-Key); most sends of one number in 1 s:"
        f" {fastest[1]}, in 5 s: {fastest[5]} (rate {RATE:g}/s); accept"
        f" {accepted_at - began:.1f} s, drain {drained_at - accepted_at:.1f} s"
    )
