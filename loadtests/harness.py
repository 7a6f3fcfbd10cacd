"""Shared pieces of the benchmarks: free ports, real server processes, a fixed-concurrency driver.
HTTP only: nothing here imports smslab's packages."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = aiohttp.ClientTimeout(total=30)  # longer than this is a failed request


def create_org(db: str | Path, name: str) -> str:
    """A new organization in the gateway's database (`sms-gateway create-org`); its API key."""
    created = subprocess.run(
        [sys.executable, "-m", "gateway", "create-org", name, "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def api_auth(key: str) -> dict[str, str]:
    """The gateway API's HTTP Basic header: the key as user name, no password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def process(
    args: list[str], ready_url: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; wait until `ready_url` answers."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(_host_port(ready_url), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{args} did not start") from None
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def serve_simulator(scenario: Path, port: int) -> list[str]:
    """`process`'s arguments for `sms-simulator serve` on `scenario` and `port`."""
    return ["-m", "simulator", "serve", "--scenario", str(scenario), "--port", str(port)]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process (all its threads) has used so far (Linux). A
    figure that other load on the machine barely moves, unlike requests per second."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """`cpu_seconds` of a process and of all its descendants, with what its reaped children
    used (a server that forks a process per connection, as PostgreSQL does)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # gone meanwhile
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        todo.extend(children.get(current, []))
    return total


def _host_port(url: str) -> tuple[str, int]:
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    return host, int(port)


async def drive(
    count: int, concurrency: int, request: Callable[[aiohttp.ClientSession, int], Awaitable[None]]
) -> float:
    """Send `count` requests, `concurrency` at a time; returns the seconds it took."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(range(count))

        async def worker() -> None:
            for i in queue:
                await request(session, i)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


@dataclass
class OpenLoop:
    seconds: float  # from the first request's due time to the last answer
    latencies: list[float]  # each answered request's, from its due time, seconds
    failed: int  # requests that raised (an unexpected status, no answer in time)


async def drive_at_rate(
    count: int, rate: float, request: Callable[[aiohttp.ClientSession, int], Awaitable[None]]
) -> OpenLoop:
    """Open loop: request i is due i / `rate` seconds after the start whether or not earlier
    ones answered (a fixed arrival rate, as real clients arrive). Latency counts from the due
    time, so a request that had to wait for the load generator to get to it counts that wait."""
    connector = aiohttp.TCPConnector(limit=0)  # an arrival never waits for a free connection
    latencies: list[float] = []
    failed = 0
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:

        async def timed(i: int, due: float) -> None:
            nonlocal failed
            try:
                await request(session, i)
            except (AssertionError, aiohttp.ClientError, TimeoutError):
                failed += 1
            else:
                latencies.append(time.perf_counter() - due)

        started = time.perf_counter()
        tasks = []
        for i in range(count):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(timed(i, due)))
        await asyncio.gather(*tasks)
        return OpenLoop(time.perf_counter() - started, latencies, failed)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of them at or below it (NaN
    when there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
