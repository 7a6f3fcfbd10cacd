"""Gateway end to end: SMS accepted by the Close API -> final delivery status stored, with the
simulator at zero latency, beside a bare aiohttp handler measured in the same run.

    python loadtests/bench_gateway.py [--messages 3000] [--concurrency 32] [--rounds 3]

Real processes: `sms-simulator serve`, `sms-gateway serve` (SQLite in a temp dir), the bare
handler. "Final status stored" is read from the gateway's SQLite file (read-only), so the
figure covers the dispatcher, the carrier round trip and both status callbacks. Each process's
CPU time per message is printed too: unlike the rates, other load on the machine barely moves
it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from harness import ROOT, cpu_seconds, drive, free_port, median, process

SID = "AC" + "d" * 32
TOKEN = "bench-token"
SCENARIO = f"""
name: bench-gateway
seed: 1
time_scale: 1000
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
latency: {{sent: 0, delivered: 0}}
"""
FINAL = ("delivered", "undelivered", "failed")


def _config(folder: Path, port: int, sim_port: int, synchronous: str) -> str:
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}"}}
database: {{path: "{folder / "bench.db"}", synchronous: {synchronous}}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN}}}
dispatcher: {{messages_per_second: 100000, max_in_flight: 128, poll_interval: 0.05}}
"""


def _final_count(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        placeholders = ",".join("?" * len(FINAL))
        row = conn.execute(
            f"SELECT COUNT(*) FROM sms WHERE delivery_status IN ({placeholders})", FINAL
        ).fetchone()
    return int(row[0])


async def _bare(url: str, count: int, concurrency: int) -> float:
    async def one(session: aiohttp.ClientSession, i: int) -> None:
        body = {"status": "outbox", "remote_phone": f"+1416555{i % 10000:04d}", "text": f"b{i}"}
        async with session.post(f"{url}/api/v1/activity/sms/", json=body) as response:
            assert response.status == 201, response.status

    return count / await drive(count, concurrency, one)


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


async def _gateway(
    url: str,
    headers: dict[str, str],
    db: Path,
    count: int,
    concurrency: int,
    number: str,
    lead_id: str,
    pids: dict[str, int],
) -> tuple[float, float, dict[str, float]]:
    """Returns (submits per second, messages per second accepted -> final stored, CPU
    milliseconds per message of each process in `pids` and of this one)."""
    already = _final_count(db)
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
    submit_seconds = await drive(count, concurrency, one)
    deadline = started + 300
    while _final_count(db) < already + count:
        if time.perf_counter() > deadline:
            raise RuntimeError("messages did not reach a final status within 300 s")
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    cpu = {name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / count
           for name, pid in pids.items()}
    cpu["load generator"] = (time.process_time() - own_before) * 1000 / count
    return count / submit_seconds, count / elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--synchronous",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="the gateway's database.synchronous (FULL is its default)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "bench.yaml").write_text(SCENARIO)
        sim_port, gw_port, bare_port = free_port(), free_port(), free_port()
        (folder / "gateway.yaml").write_text(_config(folder, gw_port, sim_port, args.synchronous))
        db = folder / "bench.db"
        created = subprocess.run(
            [sys.executable, "-m", "gateway", "create-org", "bench", "--db", str(db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        key = created.stdout.strip().splitlines()[-1]
        headers = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
        sim_url, gw_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
        bare_url = f"http://127.0.0.1:{bare_port}"
        bare, submits, finals = [], [], []
        cpu: dict[str, list[float]] = {"gateway": [], "simulator": [], "load generator": []}
        with (
            process(
                [
                    "-m",
                    "simulator",
                    "serve",
                    "--scenario",
                    str(folder / "bench.yaml"),
                    "--port",
                    str(sim_port),
                ],
                sim_url,
            ) as simulator,
            process(
                ["-m", "gateway", "serve", "--config", str(folder / "gateway.yaml")], gw_url
            ) as gateway,
            process(["loadtests/bare_server.py", str(bare_port)], bare_url),
        ):
            number, lead_id = asyncio.run(_setup(gw_url, headers))
            for _ in range(args.rounds):
                bare.append(asyncio.run(_bare(bare_url, args.messages, args.concurrency)))
                pids = {"gateway": gateway.pid, "simulator": simulator.pid}
                submitted, final, cpu_ms = asyncio.run(
                    _gateway(
                        gw_url, headers, db, args.messages, args.concurrency, number, lead_id,
                        pids,
                    )
                )
                submits.append(submitted)
                finals.append(final)
                for name, ms in cpu_ms.items():
                    cpu[name].append(ms)
    print(
        f"messages per round {args.messages}, concurrency {args.concurrency}, "
        f"rounds {args.rounds} (medians)"
    )
    print(f"bare aiohttp handler                 {median(bare):8.0f} requests/s")
    print(
        f"gateway accepts (POST activity/sms)  {median(submits):8.0f} requests/s "
        f"({median(submits) / median(bare):.0%} of bare)"
    )
    print(
        f"gateway end to end (accepted->final) {median(finals):8.0f} messages/s "
        f"({median(finals) / median(bare):.0%} of bare)"
    )
    # CPU time barely moves with other load on the machine, unlike the rates above
    for name, values in cpu.items():
        print(f"{name} CPU per message{' ' * (19 - len(name))}{median(values):8.2f} ms")


if __name__ == "__main__":
    main()
