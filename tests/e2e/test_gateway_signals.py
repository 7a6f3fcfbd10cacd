"""Signals to a real `sms-gateway serve` process: SIGTERM under load exits 0 within the grace
period with every accepted message kept (and sent once after a restart); SIGHUP reloads
rates and routing from the config file."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.procs import FINAL_SQL, Processes, auth, setup_senders

pytestmark = pytest.mark.slow

GRACE = 4.0
WORKERS = 16


async def _post_until(
    url: str,
    key: str,
    numbers: list[str],
    lead_id: str,
    accepted: list[str],
    stop: asyncio.Event,
    ends: list[str],
) -> None:
    """Each worker posts on its own kept-alive connection until the gateway turns it away;
    `ends` records how: `503` (told, with Retry-After), `refused` (the listener had closed)
    or `disconnected` (cut off mid-exchange: what must not happen)."""

    async def worker(w: int) -> None:
        i = w
        connector = aiohttp.TCPConnector(limit=1)  # one connection, kept alive
        async with aiohttp.ClientSession(headers=auth(key), connector=connector) as session:
            while not stop.is_set():
                body = {
                    "status": "outbox",
                    "lead_id": lead_id,
                    "local_phone": numbers[i % len(numbers)],
                    "remote_phone": f"+1416555{i % 10000:04d}",
                    "text": f"term {i}",
                }
                i += WORKERS
                try:
                    async with session.post(f"{url}/api/v1/activity/sms/", json=body) as resp:
                        if resp.status == 200:
                            accepted.append((await resp.json())["id"])
                        else:
                            assert resp.status == 503  # shutting down: not accepted
                            assert resp.headers.get("Retry-After")
                            ends.append("503")
                            return
                except aiohttp.ClientConnectorError:
                    ends.append("refused")
                    return
                except aiohttp.ClientError:
                    ends.append("disconnected")
                    return

    await asyncio.gather(*(worker(w) for w in range(WORKERS)))


async def test_sigterm_under_load_exits_0_in_grace_and_loses_nothing(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    try:
        # the carrier answers 0.3 s late, so there are always calls in flight when TERM comes
        key = await procs.start(
            scenario_extra="timeline: [{at: 0, outage: {duration: 100000, mode: slow,"
            " delay: 0.3}}]",
            server_extra=f", grace_period: {GRACE}",
        )
        numbers, lead = await setup_senders(procs.url, key, 4)
        accepted: list[str] = []
        stop = asyncio.Event()
        ends: list[str] = []
        load = asyncio.create_task(
            _post_until(procs.url, key, numbers, lead["id"], accepted, stop, ends)
        )
        await asyncio.sleep(2.0)
        assert procs.gateway is not None
        in_flight = procs.query("SELECT COUNT(*) FROM sms WHERE claimed_until IS NOT NULL")
        procs.gateway.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        code = await asyncio.to_thread(procs.gateway.wait, GRACE + 5)
        took = time.monotonic() - signalled
        stop.set()
        await load
        assert code == 0
        assert took <= GRACE, f"took {took:.2f} s"
        # every kept-alive client was told (503, Retry-After) before the listener closed
        assert len(ends) == WORKERS and set(ends) == {"503"}, ends
        assert in_flight[0][0] > 0  # the signal did find carrier calls in flight
        # every in-flight call finished and its outcome was committed: no claim is left
        assert procs.query("SELECT COUNT(*) FROM sms WHERE claimed_until IS NOT NULL") == [(0,)]
        stored = {r[0] for r in procs.query("SELECT id FROM sms WHERE direction = 'outbound'")}
        assert set(accepted) <= stored and len(accepted) > 50

        await procs.start_gateway()  # the rest goes out after a restart, each once
        deadline = time.monotonic() + 60
        while procs.unfinished():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
        final = {
            r[0]
            for r in procs.query(f"SELECT id FROM sms WHERE {FINAL_SQL} AND direction = 'outbound'")
        }
        assert final == stored
        keys = [m["idempotency_key"] for m in await procs.oracle()]
        assert sorted(keys) == sorted(stored)
    finally:
        procs.stop()


async def _api(
    session: aiohttp.ClientSession, method: str, url: str, body: Any = None
) -> tuple[int, Any]:
    async with session.request(method, url, json=body) as resp:
        return resp.status, await resp.json()


async def test_sighup_reloads_rates_and_countries(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    try:
        key = await procs.start()
        numbers, lead = await setup_senders(procs.url, key, 1)
        sms = {
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": numbers[0],
            "remote_phone": "+14165550123",
            "text": "price check",
        }
        async with aiohttp.ClientSession(headers=auth(key)) as session:
            api = f"{procs.url}/api/v1"
            assert (await _api(session, "POST", f"{api}/activity/sms/", sms))[1]["cost"] == "0.83"
            assert procs.gateway is not None
            # a broken file: logged, the running settings stay, the process lives on
            procs.config.write_text("sms: {rates: nonsense}\n")
            procs.gateway.send_signal(signal.SIGHUP)
            await asyncio.sleep(0.3)
            assert procs.gateway.poll() is None
            assert (await _api(session, "POST", f"{api}/activity/sms/", sms))[1]["cost"] == "0.83"

            procs.write_config("sms: {rates: {CA: 2.5, default: 1}, countries: {US: [US]}}")
            procs.gateway.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            while True:  # GB is no longer rentable once the reload is done
                status, _ = await _api(
                    session, "POST", f"{api}/phone_number/request/internal/", {"country": "GB"}
                )
                if status == 400:
                    break
                assert time.monotonic() < deadline, "SIGHUP never took effect"
                await asyncio.sleep(0.1)
            assert (await _api(session, "POST", f"{api}/activity/sms/", sms))[1]["cost"] == "2.5"
        assert procs.gateway.poll() is None
        log = (tmp_path / "gateway-1.log").read_text()
        assert "SIGHUP: reloaded rates, countries" in log
        assert "SIGHUP: kept the running settings" in log
    finally:
        procs.stop()
