"""What a `/metrics` scrape costs with 1,000,000 SMS stored, and what an API read waits behind one.

    python loadtests/bench_ops.py [--stored 1000000] [--scrapes 20] [--main-port-metrics]

Real processes on loopback: `sms-simulator serve` and `sms-gateway serve` on a SQLite file
holding `--stored` messages over four countries and three outcomes (seeded straight into the
file, as loadtests/bench.py does, before the gateway that measures starts). Then:

- a scrape alone: the median and worst milliseconds of `--scrapes` sequential `GET /metrics`;
- an API read alone (`GET /api/v1/activity/sms/{id}/`), the median of 50;
- an API read sent 5 ms after a scrape began, `--scrapes` times: its median and worst
  milliseconds (the reader thread is shared: a read queued behind a slow scrape waits for it).

`--main-port-metrics` scrapes the API's own port: for a gateway from before the ops listener
(run this file from a checkout of that commit).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from bench_gateway import SCENARIO, SID, TOKEN, _setup
from harness import api_auth, create_org, free_port, process, serve_simulator
from history import one_message

# remote phones (four countries) and outcomes the seeded history spreads over
_PHONES = (
    "'+1415555' || printf('%04d', n % 10000)",
    "'+1416555' || printf('%04d', n % 10000)",
    "'+447700' || printf('%06d', n % 1000000)",
    "'+614' || printf('%08d', n)",
)
_OUTCOMES = (
    "'sent', 'delivered', NULL",
    "'error', 'undelivered', 'unreachable'",
    "'error', 'failed', 'landline'",
)


def seed(db: Path, stored: int) -> str:
    """Copy the one message the setup sent `stored` times, spread over countries and
    outcomes; returns the id of one of them, for the reads."""
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(sms)")]
        phone = (
            "CASE n % 4 " + " ".join(f"WHEN {i} THEN {p}" for i, p in enumerate(_PHONES)) + " END"
        )
        generated = {
            "id": "printf('acti_seed%027d', n)",
            "carrier_sid": "printf('SMseed%026d', n)",
            "date_created": "strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 1700000000 + n,"
            " 'unixepoch')",
            "remote_phone": phone,
            "due_at": "NULL",
            "claimed_until": "NULL",
            "text": "'seeded message ' || n",
        }
        for i, column in enumerate(("status", "delivery_status", "error_reason")):
            generated[column] = (
                "CASE n % 3 "
                + " ".join(f"WHEN {k} THEN {o.split(', ')[i]}" for k, o in enumerate(_OUTCOMES))
                + " END"
            )
        select = ", ".join(generated.get(c, c) for c in columns)
        conn.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)"
            f" INSERT INTO sms ({', '.join(columns)})"
            f" SELECT {select} FROM seq, (SELECT * FROM sms LIMIT 1)",
            (stored,),
        )
    return f"acti_seed{stored // 2:027d}"


def _config(folder: Path, port: int, ops_port: int | None, sim_port: int) -> str:
    ops = f", ops_port: {ops_port}" if ops_port is not None else ""
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}"{ops}}}
database: {{path: "{folder / "bench.db"}"}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN}}}
"""


async def _timed(session: aiohttp.ClientSession, url: str) -> float:
    start = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - start) * 1000


async def measure(
    metrics_url: str, read_url: str, headers: dict[str, str], scrapes: int
) -> dict[str, float]:
    async with aiohttp.ClientSession(headers=headers) as session:
        await _timed(session, metrics_url)  # warm: the first scrape opens pages
        alone = [await _timed(session, metrics_url) for _ in range(scrapes)]
        reads = [await _timed(session, read_url) for _ in range(50)]
        behind = []
        for _ in range(scrapes):
            scrape = asyncio.create_task(_timed(session, metrics_url))
            await asyncio.sleep(0.005)
            behind.append(await _timed(session, read_url))
            await scrape
    return {
        "scrape_median": statistics.median(alone),
        "scrape_max": max(alone),
        "read_median": statistics.median(reads),
        "behind_median": statistics.median(behind),
        "behind_max": max(behind),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument(
        "--main-port-metrics",
        action="store_true",
        help="scrape the API's port (a gateway from before the ops listener)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "bench.yaml").write_text(SCENARIO)
        sim_port, gw_port = free_port(), free_port()
        ops_port = None if args.main_port_metrics else free_port()
        config = folder / "gateway.yaml"
        config.write_text(_config(folder, gw_port, ops_port, sim_port))
        db = folder / "bench.db"
        headers = api_auth(create_org(db, "bench"))
        sim_url, gw_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
        serve_gateway = ["-m", "gateway", "serve", "--config", str(config)]
        simulator = serve_simulator(folder / "bench.yaml", sim_port)
        with process(simulator, sim_url):
            with process(serve_gateway, gw_url):
                number, lead_id = asyncio.run(_setup(gw_url, headers))
                asyncio.run(one_message(gw_url, headers, number, lead_id))
                time.sleep(1)  # its final status: the copies are final
            started = time.perf_counter()
            sms_id = seed(db, args.stored)
            print(
                f"seeded {args.stored:,} messages in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            with process(serve_gateway, gw_url):
                base = f"http://127.0.0.1:{ops_port}" if ops_port else gw_url
                time.sleep(1)  # the ops listener starts with the app
                found = asyncio.run(
                    measure(
                        f"{base}/metrics",
                        f"{gw_url}/api/v1/activity/sms/{sms_id}/",
                        headers,
                        args.scrapes,
                    )
                )
    print(f"{args.stored:,} SMS stored; {args.scrapes} scrapes")
    print(
        f"GET /metrics alone:           median {found['scrape_median']:7.1f} ms,"
        f" worst {found['scrape_max']:7.1f} ms"
    )
    print(f"API read alone:               median {found['read_median']:7.1f} ms")
    print(
        f"API read 5 ms into a scrape:  median {found['behind_median']:7.1f} ms,"
        f" worst {found['behind_max']:7.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
