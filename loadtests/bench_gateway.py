"""Gateway end to end: SMS accepted by the Close API -> final delivery status stored, with the
simulator at zero latency, beside a bare aiohttp handler measured in the same run.

    python loadtests/bench_gateway.py [--messages 3000] [--concurrency 32] [--rounds 3]
        [--synchronous FULL|NORMAL] [--rate 500] [--stored 1000000] [--quick] [--profile DIR]

Real processes: `sms-simulator serve`, `sms-gateway serve` (SQLite in a temp dir), the bare
handler. "Final status stored" is read from the gateway's SQLite file (read-only), so the
figure covers the dispatcher, the carrier round trip and both status callbacks. Each process's
CPU time per message is printed first, as a table (median and each round): unlike the rates,
other load on the machine barely moves it. `--quick` is a size for a shared 2-core box (1,000
messages, 3 rounds; about 15 s). `--profile DIR` samples the gateway and the simulator with
py-spy over the rounds and writes their top frames (by self and total time, in CPU ms per
message) to DIR. `--stored N` first copies N final messages into the gateway's SQLite file
(loadtests/history.py, the gateway stopped), so the rounds run with that history behind them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from harness import (
    api_auth,
    cpu_seconds,
    create_org,
    drive,
    drive_at_rate,
    free_port,
    median,
    percentile,
    process,
    serve_simulator,
)
from history import final_since, now, one_message, seed
from sampling import Sampler

SID = "AC" + "d" * 32
TOKEN = "bench-token"
SCENARIO = f"""
name: bench-gateway
seed: 1
time_scale: 1000
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
latency: {{sent: 0, delivered: 0}}
"""


def _config(folder: Path, port: int, sim_port: int, synchronous: str) -> str:
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}",
         ops_port: 0}}
database: {{path: "{folder / "bench.db"}", synchronous: {synchronous}}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN}}}
dispatcher: {{messages_per_second: 100000, max_in_flight: 128, poll_interval: 0.05}}
"""


async def _bare(url: str, count: int, concurrency: int, pid: int) -> tuple[float, float]:
    """Requests per second, and the handler's CPU milliseconds per request."""
    cpu_before = cpu_seconds(pid)

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        body = {"status": "outbox", "remote_phone": f"+1416555{i % 10000:04d}", "text": f"b{i}"}
        async with session.post(f"{url}/api/v1/activity/sms/", json=body) as response:
            assert response.status == 201, response.status

    rate = count / await drive(count, concurrency, one)
    return rate, (cpu_seconds(pid) - cpu_before) * 1000 / count


async def _setup(url: str, headers: dict[str, str]) -> tuple[str, str]:
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(
            f"{url}/api/v1/phone_number/request/internal/", json={"country": "US"}
        ) as response:
            assert response.status in (200, 201), await response.text()
            number = (await response.json())["number"]
        lead = {
            "name": "Bench Inc",
            "contacts": [
                {"name": "Load Tester", "phones": [{"phone": "+14165550123", "type": "mobile"}]}
            ],
        }
        async with session.post(f"{url}/api/v1/lead/", json=lead) as response:
            assert response.status in (200, 201), await response.text()
            lead_id = (await response.json())["id"]
    return number, lead_id


@dataclass
class Round:
    submits: float  # accepted per second
    finals: float  # messages per second, first POST -> last final status stored
    cpu: dict[str, float]  # CPU milliseconds per message, by process
    latencies: list[float]  # each submit's, seconds (open loop only)


async def _gateway(
    url: str,
    headers: dict[str, str],
    db: Path,
    count: int,
    load: float,
    number: str,
    lead_id: str,
    pids: dict[str, int],
    open_loop: bool,
) -> Round:
    """`load` clients posting back to back, or with `open_loop` `load` messages per second
    whatever the answers; the CPU of each process in `pids` and of this one is counted."""
    since = now()  # this round's messages only: a history behind them is never read
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    own_before = time.process_time()

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        body = {
            "status": "outbox",
            "lead_id": lead_id,
            "local_phone": number,
            "remote_phone": f"+1416555{i % 10000:04d}",
            "text": f"bench message {i}",
        }
        async with session.post(
            f"{url}/api/v1/activity/sms/", json=body, headers=headers
        ) as response:
            assert response.status == 200, await response.text()

    started = time.perf_counter()
    latencies: list[float] = []
    if open_loop:
        driven = await drive_at_rate(count, load, one)
        if driven.failed:
            raise RuntimeError(f"{driven.failed} of {count} submits failed")
        submit_seconds, latencies = driven.seconds, driven.latencies
    else:
        submit_seconds = await drive(count, int(load), one)
    deadline = started + 300
    while final_since(db, lead_id, since) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError("messages did not reach a final status within 300 s")
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    cpu = {name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / count for name, pid in pids.items()}
    cpu["load generator"] = (time.process_time() - own_before) * 1000 / count
    return Round(count / submit_seconds, count / elapsed, cpu, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="1,000 messages a round: the CPU table in seconds"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="py-spy the gateway and the simulator over the rounds; top frames into DIR",
    )
    parser.add_argument(
        "--profile-label", default="profile", help="the summaries' file name prefix (DIR/LABEL_*)"
    )
    parser.add_argument(
        "--synchronous",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="the gateway's database.synchronous (FULL is its default)",
    )
    parser.add_argument(
        "--stored",
        type=int,
        default=0,
        help="final messages copied into the gateway's database before the rounds",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: post this many messages per second whatever the answers, and report"
        " submit latency (instead of --concurrency clients posting back to back)",
    )
    args = parser.parse_args()
    if args.quick:
        args.messages = 1000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "bench.yaml").write_text(SCENARIO)
        sim_port, gw_port, bare_port = free_port(), free_port(), free_port()
        (folder / "gateway.yaml").write_text(_config(folder, gw_port, sim_port, args.synchronous))
        db = folder / "bench.db"
        key = create_org(db, "bench")
        headers = api_auth(key)
        sim_url, gw_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
        bare_url = f"http://127.0.0.1:{bare_port}"
        bare: list[tuple[float, float]] = []
        rounds: list[Round] = []
        simulator_args = serve_simulator(folder / "bench.yaml", sim_port)
        serve_gateway = ["-m", "gateway", "serve", "--config", str(folder / "gateway.yaml")]
        with (
            process(simulator_args, sim_url) as simulator,
            _gateway_with_history(serve_gateway, gw_url, headers, db, args.stored) as (
                gateway,
                number,
                lead_id,
            ),
            process(["loadtests/bare_server.py", str(bare_port)], bare_url) as bare_server,
        ):
            pids = {"gateway": gateway.pid, "simulator": simulator.pid}
            load = args.rate or args.concurrency
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
            sampler = Sampler(pids, args.profile, args.messages * args.rounds)
            for _ in range(args.rounds):
                bare.append(
                    asyncio.run(_bare(bare_url, args.messages, args.concurrency, bare_server.pid))
                )
                with sampler.round():  # the gateway rounds only
                    rounds.append(
                        asyncio.run(
                            _gateway(
                                gw_url,
                                headers,
                                db,
                                args.messages,
                                load,
                                number,
                                lead_id,
                                pids,
                                args.rate is not None,
                            )
                        )
                    )
            sampler.write(
                args.profile_label,
                {name: median([r.cpu[name] for r in rounds]) for name in pids},
            )
    _report(args, bare, rounds)


@contextlib.contextmanager
def _gateway_with_history(
    serve: list[str], url: str, headers: dict[str, str], db: Path, stored: int
) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """The gateway process with its number and lead set up; with `stored`, a first run sends
    the message that `seed` then copies into the stopped gateway's file."""
    if stored:
        with process(serve, url):
            number, lead_id = asyncio.run(_setup(url, headers))
            asyncio.run(one_message(url, headers, number, lead_id))
        seed(db, stored)
        with process(serve, url) as gateway:
            yield gateway, number, lead_id
        return
    with process(serve, url) as gateway:
        yield gateway, *asyncio.run(_setup(url, headers))


def _report(args: argparse.Namespace, bare: list[tuple[float, float]], rounds: list[Round]) -> None:
    load = f"open loop at {args.rate:.0f}/s" if args.rate else f"concurrency {args.concurrency}"
    history = f", {args.stored:,} messages stored before" if args.stored else ""
    print(f"messages per round {args.messages}, {load}, rounds {args.rounds}{history}")
    # CPU time first: other load on the machine barely moves it, unlike the rates below
    print(
        f"CPU ms per message    median  {'  '.join(f'round {i + 1}' for i in range(len(rounds)))}"
    )
    table = {name: [r.cpu[name] for r in rounds] for name in rounds[0].cpu}
    table["bare handler"] = [cpu for _, cpu in bare]
    for name, values in table.items():
        each = "  ".join(f"{v:7.3f}" for v in values)
        print(f"  {name:<19} {median(values):7.3f}  {each}")
    print("rates (medians)")
    bare_rate = median([rate for rate, _ in bare])
    submits = median([r.submits for r in rounds])
    finals = median([r.finals for r in rounds])
    print(f"  bare aiohttp handler                 {bare_rate:8.0f} requests/s")
    print(
        f"  gateway accepts (POST activity/sms)  {submits:8.0f} requests/s "
        f"({submits / bare_rate:.0%} of bare)"
    )
    print(
        f"  gateway end to end (accepted->final) {finals:8.0f} messages/s "
        f"({finals / bare_rate:.0%} of bare)"
    )
    if args.rate:
        p50, p99 = (
            median([percentile(r.latencies, q) for r in rounds]) * 1000 for q in (0.5, 0.99)
        )
        print(f"  submit latency p50, p99              {p50:8.1f} ms, {p99:.1f} ms")


if __name__ == "__main__":
    main()
