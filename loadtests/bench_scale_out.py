"""Gateway end to end on SQLite, on PostgreSQL, and on PostgreSQL with several gateway
processes, in the same run: SMS accepted by the Close API -> final delivery status stored,
with the simulator at zero latency (bench_gateway.py's measure, per setup).

    python loadtests/bench_scale_out.py [--messages 3000] [--concurrency 32] [--rounds 3]
                                        [--processes 1,2,3] [--db postgresql://...]

Without `--db` a throwaway PostgreSQL cluster is started (tests/databases.py: the server
binaries must be installed; it runs without fsync, as the tests' does). The processes of a
setup share the database and the API load (posted to them in turn); each is the carrier's
callback address for what it sent. Besides the rates, each setup's CPU time per message:
the gateways' in all and each process's per message it handled, the simulator's, and (when
the server is ours) PostgreSQL's, every server process included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
from bench_gateway import SCENARIO, SID, TOKEN, _setup
from harness import (
    ROOT,
    api_auth,
    create_org,
    drive,
    free_port,
    median,
    process,
    serve_simulator,
    tree_cpu_seconds,
)
from history import FINAL


@dataclass(frozen=True)
class Setup:
    name: str
    database: str  # a SQLite path or a PostgreSQL URL
    processes: int


_PG = ("postgresql://", "postgres://")


def _config(port: int, sim_port: int, database: str) -> str:
    where = f'url: "{database}"' if database.startswith(_PG) else f'path: "{database}"'
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}",
         ops_port: 0}}
database: {{{where}}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN}}}
dispatcher: {{messages_per_second: 100000, max_in_flight: 128, poll_interval: 0.05}}
logging: {{level: WARNING}}
"""


async def _final_count(database: str) -> int:
    final = ", ".join(f"'{status}'" for status in FINAL)
    sql = f"SELECT COUNT(*) FROM sms WHERE delivery_status IN ({final})"
    if not database.startswith(_PG):
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    conn = await asyncpg.connect(database)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def _round(
    urls: list[str],
    headers: dict[str, str],
    database: str,
    count: int,
    concurrency: int,
    number: str,
    lead_id: str,
    pids: dict[str, int],
) -> Round:
    """Submits per second, messages per second accepted -> final stored, and the CPU
    milliseconds per message of each process in `pids` (with its children: PostgreSQL's)."""
    already = await _final_count(database)
    cpu_before = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        body = {
            "status": "outbox",
            "lead_id": lead_id,
            "local_phone": number,
            "remote_phone": f"+1416555{i % 10000:04d}",
            "text": f"bench message {i}",
        }
        async with session.post(
            f"{urls[i % len(urls)]}/api/v1/activity/sms/", json=body, headers=headers
        ) as response:
            assert response.status == 200, await response.text()

    started = time.perf_counter()
    submit_seconds = await drive(count, concurrency, one)
    deadline = started + 300
    while await _final_count(database) < already + count:
        if time.perf_counter() > deadline:
            raise RuntimeError("messages did not reach a final status within 300 s")
        await asyncio.sleep(0.05)
    finals = count / (time.perf_counter() - started)
    cpu = {
        name: (tree_cpu_seconds(pid) - cpu_before[name]) * 1000 / count
        for name, pid in pids.items()
    }
    return Round(count / submit_seconds, finals, cpu)


@dataclass
class Round:
    submits: float  # accepted per second
    finals: float  # messages per second, first POST -> last final status stored
    cpu: dict[str, float]  # CPU milliseconds per message (of all the round's), by process


def _measure(
    setup: Setup, folder: Path, sim_port: int, args: argparse.Namespace, others: dict[str, int]
) -> list[Round]:
    """`others`: the processes besides the gateways whose CPU to count (simulator, server)."""
    headers = api_auth(create_org(setup.database, setup.name))
    ports = [free_port() for _ in range(setup.processes)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    rounds = []
    with contextlib.ExitStack() as stack:
        pids = {}
        for n, port in enumerate(ports):
            config = folder / f"{setup.name}-{n}.yaml"
            config.write_text(_config(port, sim_port, setup.database))
            gateway = stack.enter_context(
                process(["-m", "gateway", "serve", "--config", str(config)], urls[n])
            )
            pids[f"gateway {n + 1}"] = gateway.pid
        if setup.database.startswith(_PG):
            pids.update(others)
        else:
            pids["simulator"] = others["simulator"]
        number, lead_id = asyncio.run(_setup(urls[0], headers))
        for _ in range(args.rounds):
            rounds.append(
                asyncio.run(
                    _round(
                        urls,
                        headers,
                        setup.database,
                        args.messages,
                        args.concurrency,
                        number,
                        lead_id,
                        pids,
                    )
                )
            )
    return rounds


@contextlib.contextmanager
def _postgres(url: str | None) -> Iterator[tuple[str, int | None]]:
    """A database URL, and the server's process when it is ours (its CPU is counted)."""
    if url:
        yield url, None
        return
    sys.path.insert(0, str(ROOT))
    from tests.databases import Cluster  # a throwaway server, as the tests use

    cluster = Cluster()
    try:
        yield cluster.new_database(), cluster.server_pid
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--processes",
        default="1,2,3",
        help="PostgreSQL setups: gateway processes sharing the database, comma-separated",
    )
    parser.add_argument("--db", metavar="URL", help="an empty PostgreSQL database to use")
    args = parser.parse_args()
    results: list[tuple[Setup, list[Round]]] = []
    with tempfile.TemporaryDirectory() as name, _postgres(args.db) as (url, server):
        folder = Path(name)
        (folder / "bench.yaml").write_text(SCENARIO)
        sim_port = free_port()
        setups = [Setup("sqlite", str(folder / "bench.db"), 1)] + [
            Setup(f"postgresql-x{n}", url, int(n)) for n in args.processes.split(",")
        ]
        with process(
            serve_simulator(folder / "bench.yaml", sim_port),
            f"http://127.0.0.1:{sim_port}",
        ) as simulator:
            others = {"simulator": simulator.pid}
            if server is not None:
                others["postgresql server"] = server
            for setup in setups:
                results.append((setup, _measure(setup, folder, sim_port, args, others)))
    _report(args, results)


def _report(args: argparse.Namespace, results: list[tuple[Setup, list[Round]]]) -> None:
    print(
        f"messages per round {args.messages}, concurrency {args.concurrency}, "
        f"rounds {args.rounds} (medians); SQLite at database.synchronous FULL"
    )
    base = median([r.finals for r in results[0][1]])
    for setup, rounds in results:
        label = f"{setup.name} ({setup.processes} process{'es' if setup.processes > 1 else ''})"
        finals = median([r.finals for r in rounds])
        print(
            f"{label:28} accepts {median([r.submits for r in rounds]):6.0f} requests/s,"
            f" end to end {finals:6.0f} messages/s ({finals / base:.0%} of SQLite's)"
        )
        cpu = {name: median([r.cpu[name] for r in rounds]) for name in rounds[0].cpu}
        gateways = [value for name, value in cpu.items() if name.startswith("gateway")]
        # each gateway process took 1/n of the API load: its CPU per message of its share
        each = ", ".join(f"{value * setup.processes:.2f}" for value in gateways)
        line = f"  CPU ms per message: gateways {sum(gateways):.2f} in all ({each} per process)"
        for name, value in cpu.items():
            if not name.startswith("gateway"):
                line += f", {name} {value:.2f}"
        print(line)


if __name__ == "__main__":
    main()
