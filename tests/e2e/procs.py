"""Gateway and simulator as real OS processes, for the tests that kill, signal and restart them.

HTTP and the database (SQLite or PostgreSQL, tests/databases.py) only: nothing here reaches
into a running process.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from gateway.config import is_postgres_url
from tests.databases import database_for, run_sql

ROOT = Path(__file__).resolve().parents[2]
SID = "AC" + "e" * 32
TOKEN = "procs-token"
# COALESCE: `NOT (x IN ...)` is NULL, not true, for a NULL delivery status (outbox messages)
FINAL_SQL = (
    "(status = 'error' OR COALESCE(delivery_status, '') IN ('delivered', 'undelivered', 'failed'))"
)


def create_org(db: str, name: str) -> str:
    """A new organization through `sms-gateway create-org`; returns its API key."""
    return (
        subprocess.run(
            [sys.executable, "-m", "gateway", "create-org", name, "--db", db],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scenario_yaml(
    extra: str = "",
    *,
    seed: int = 3,
    latency: str = "{sent: 0, delivered: 0}",
    callback_faults: str = "",
) -> str:
    """`callback_faults` continues the callbacks' mapping (", duplicate_rate: 0.3")."""
    # Callbacks retried long enough to outlive a gateway restart (0.2 * (2^9 - 1) s ~ 100 s).
    return f"""
name: procs
seed: {seed}
time_scale: 1000
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
latency: {latency}
callbacks: {{attempts: 10, backoff: 0.2, timeout: 5{callback_faults}}}
{extra}"""


def gateway_yaml(
    port: int,
    sim_port: int,
    db: str,
    extra: str = "",
    server_extra: str = "",
    carrier_extra: str = "",
    carrier_timeout: float = 5,
    dispatcher_extra: str = "",
) -> str:
    database = f'url: "{db}"' if is_postgres_url(db) else f'path: "{db}", synchronous: NORMAL'
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}", ops_port: 0
         {server_extra}}}
database: {{{database}}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN},
          timeout: {carrier_timeout}{carrier_extra}}}
dispatcher: {{messages_per_second: 100000, max_in_flight: 128, poll_interval: 0.05,
             retry_base: 0.05, retry_max: 0.5{dispatcher_extra}}}
{extra}"""


async def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"{url} exited with {proc.returncode}")
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never became healthy")


@dataclass
class Processes:
    """A simulator and a gateway (restartable, same database and port)."""

    folder: Path
    sim_port: int = field(default_factory=free_port)
    gw_port: int = field(default_factory=free_port)
    sim: subprocess.Popen[bytes] | None = None
    gateway: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def db(self) -> str:
        return database_for(self.folder)

    @property
    def config(self) -> Path:
        return self.folder / "gateway.yaml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gw_port}"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def write_config(
        self,
        gateway_extra: str = "",
        server_extra: str = "",
        carrier_extra: str = "",
        carrier_timeout: float = 5,
        dispatcher_extra: str = "",
    ) -> None:
        self.config.write_text(
            gateway_yaml(
                self.gw_port,
                self.sim_port,
                self.db,
                gateway_extra,
                server_extra,
                carrier_extra,
                carrier_timeout,
                dispatcher_extra,
            )
        )

    async def start(
        self,
        scenario_extra: str = "",
        gateway_extra: str = "",
        server_extra: str = "",
        carrier_extra: str = "",
        carrier_timeout: float = 5,
        dispatcher_extra: str = "",
        scenario: str | None = None,
    ) -> str:
        """Start both; returns a new organization's API key. The extras are YAML added to
        the scenario, to the gateway's config, and inside its `server` and `carrier`;
        `scenario` replaces the whole scenario_yaml(scenario_extra); `dispatcher_extra`
        continues the dispatcher's mapping (", breaker_cooldown: 0.2")."""
        (self.folder / "scenario.yaml").write_text(
            scenario if scenario is not None else scenario_yaml(scenario_extra)
        )
        self.write_config(
            gateway_extra, server_extra, carrier_extra, carrier_timeout, dispatcher_extra
        )
        key = create_org(self.db, "Crash")
        self.sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulator",
                "serve",
                "--scenario",
                str(self.folder / "scenario.yaml"),
                "--port",
                str(self.sim_port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await wait_healthy(f"{self.sim_url}/_sim/health", self.sim)
        await self.start_gateway()
        return key

    async def start_gateway(self) -> None:
        self.starts += 1
        log = (self.folder / f"gateway-{self.starts}.log").open("wb")
        self.gateway = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", str(self.config)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        await wait_healthy(f"{self.url}/healthz", self.gateway)

    async def kill_at(self, accepted: list[str], at: list[int]) -> list[tuple[int, int]]:
        """SIGKILL the gateway as `accepted` grows past each of `at`, restarting it each time;
        returns (accepted, final) at each kill."""
        kills = []
        for threshold in at:
            while len(accepted) < threshold:
                await asyncio.sleep(0.005)
            assert self.gateway is not None
            self.gateway.kill()  # SIGKILL: no cleanup, no commit, no goodbye
            self.gateway.wait(10)
            done = self.query(f"SELECT COUNT(*) FROM sms WHERE {FINAL_SQL}")[0][0]
            kills.append((len(accepted), int(done)))
            await self.start_gateway()
        return kills

    def stop(self) -> None:
        for proc in (self.gateway, self.sim):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the gateway's database beside it (SQLite's WAL lets both run)."""
        return run_sql(self.db, sql, params)

    def unfinished(self) -> int:
        return int(
            self.query(
                f"SELECT COUNT(*) FROM sms WHERE direction = 'outbound' AND NOT {FINAL_SQL}"
            )[0][0]
        )

    async def oracle(self) -> list[dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.sim_url}/_sim/messages") as resp,
        ):
            return list((await resp.json())["messages"])


def auth(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


async def setup_senders(url: str, key: str, numbers: int) -> tuple[list[str], dict[str, Any]]:
    """Rent `numbers` US numbers and make a lead with one mobile contact."""
    async with aiohttp.ClientSession(headers=auth(key)) as session:
        rented = []
        for _ in range(numbers):
            async with session.post(
                f"{url}/api/v1/phone_number/request/internal/", json={"country": "US"}
            ) as resp:
                assert resp.status in (200, 201), await resp.text()
                rented.append((await resp.json())["number"])
        body = {
            "name": "Crash Co",
            "contacts": [
                {"name": "Dummy", "phones": [{"phone": "+14165550123", "type": "mobile"}]}
            ],
        }
        async with session.post(f"{url}/api/v1/lead/", json=body) as resp:
            assert resp.status in (200, 201), await resp.text()
            return rented, await resp.json()


async def post_until(
    count: int,
    key: str,
    url_of: Callable[[int], str],
    numbers: list[str],
    lead_id: str,
    accepted: list[str],
    failed: list[int],
    *,
    concurrency: int = 32,
    pause: float = 0.0,
    text: str = "msg",
) -> None:
    """POST outbox SMS, `concurrency` at a time, until `count` are acknowledged (200) into
    `accepted`. Request i goes to `url_of(i)`; one that fails (its gateway died: it may or may
    not have been stored) is noted in `failed`, and after `pause` a new one is sent."""
    counter = iter(range(10**9))
    async with aiohttp.ClientSession(
        headers=auth(key),
        timeout=aiohttp.ClientTimeout(total=10),
        connector=aiohttp.TCPConnector(limit=concurrency),
    ) as session:

        async def worker() -> None:
            while len(accepted) < count:
                i = next(counter)
                body = {
                    "status": "outbox",
                    "lead_id": lead_id,
                    "local_phone": numbers[i % len(numbers)],
                    "remote_phone": f"+1416555{i % 10000:04d}",
                    "text": f"{text} {i}",
                }
                try:
                    async with session.post(f"{url_of(i)}/api/v1/activity/sms/", json=body) as resp:
                        if resp.status == 200:
                            accepted.append((await resp.json())["id"])
                            continue
                except (aiohttp.ClientError, TimeoutError):
                    pass
                failed.append(i)
                await asyncio.sleep(pause)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
