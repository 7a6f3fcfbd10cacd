"""Open-loop end-to-end benchmark of the gateway: requests arrive at a fixed rate whatever the
answers do, as real clients do, so a slow answer cannot slow the load that measures it.

    python loadtests/bench.py [--rates 250,500,1000] [--seconds 10] [--stored 1000000]

Real processes on loopback: `sms-simulator serve` (zero latency), `sms-gateway serve` on a
SQLite file that already holds `--stored` final messages (seeded straight into the file before
the gateway starts, so the figures are those of a gateway with a history), and a bare aiohttp
handler, offered the same rates in the same run. For each rate it reports:

- submit latency p50 / p99 of `POST /api/v1/activity/sms/` (from the moment each request was
  due to be sent, so queueing in front of a saturated gateway counts), and the bare handler's;
- end-to-end throughput: the phase's messages over the time from its first request to the
  last final delivery status stored in the gateway's database;
- failed requests (anything but 200, or no answer within 30 s).

Then the gateway's resident memory (VmRSS) with the `--stored` messages plus the phases' own,
beside the bare handler's. Exit code 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from bench_gateway import SCENARIO, _config, _setup
from harness import (
    api_auth,
    create_org,
    drive_at_rate,
    free_port,
    percentile,
    process,
    serve_simulator,
)
from history import final_since, now, one_message, seed, stored


@dataclass
class Phase:
    rate: int
    sent: int
    failed: int
    p50_ms: float
    p99_ms: float
    end_to_end: float | None = None  # messages/s; None for the bare handler


async def open_loop(
    url: str,
    rate: int,
    seconds: float,
    body_of: Callable[[int], dict[str, str]],
    headers: dict[str, str] | None = None,
) -> Phase:
    """POST `rate` requests per second for `seconds`, each at its own due time."""
    count = int(rate * seconds)

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        async with session.post(url, json=body_of(i), headers=headers) as response:
            await response.read()
            assert response.status in (200, 201), response.status

    driven = await drive_at_rate(count, rate, one)
    return Phase(
        rate,
        count,
        driven.failed,
        1000 * percentile(driven.latencies, 0.5),
        1000 * percentile(driven.latencies, 0.99),
    )


async def gateway_phase(
    url: str,
    headers: dict[str, str],
    db: Path,
    rate: int,
    seconds: float,
    number: str,
    lead_id: str,
) -> Phase:
    since = now()  # only this phase's messages count

    def body(i: int) -> dict[str, str]:
        return {
            "status": "outbox",
            "lead_id": lead_id,
            "local_phone": number,
            "remote_phone": f"+1416555{i % 10000:04d}",
            "text": f"bench {rate} {i}",
        }

    started = time.perf_counter()
    phase = await open_loop(f"{url}/api/v1/activity/sms/", rate, seconds, body, headers)
    accepted = phase.sent - phase.failed
    deadline = time.perf_counter() + 600
    while (done := final_since(db, lead_id, since)) < accepted:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{accepted - done} messages not final within 600 s")
        await asyncio.sleep(0.1)
    phase.end_to_end = accepted / (time.perf_counter() - started)
    return phase


def crossing(points: list[tuple[int, float]], limit_ms: float) -> str:
    """Where submit p99 first passes `limit_ms`, between the rates offered (linear between the
    last rate under it and the first over it: a rough figure, said so)."""
    points = sorted(points)
    for n, (rate, p99) in enumerate(points):
        if p99 > limit_ms:
            if n == 0:
                return f"p99 over {limit_ms:g} ms already at {rate:,}/s, the lowest rate offered"
            low, low_p99 = points[n - 1]
            at = low + (rate - low) * (limit_ms - low_p99) / (p99 - low_p99)
            return (
                f"p99 crosses {limit_ms:g} ms between {low:,}/s ({low_p99:.0f} ms) and"
                f" {rate:,}/s ({p99:.0f} ms): near {at:,.0f}/s, interpolated"
            )
    return f"p99 under {limit_ms:g} ms at every rate offered (up to {points[-1][0]:,}/s)"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rates", default="250,500,1000", help="offered messages per second, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument(
        "--stored", type=int, default=1_000_000, help="final messages already in the database"
    )
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "bench.yaml").write_text(SCENARIO)
        sim_port, gw_port, bare_port = free_port(), free_port(), free_port()
        config = folder / "gateway.yaml"
        config.write_text(_config(folder, gw_port, sim_port, args.synchronous))
        db = folder / "bench.db"
        headers = api_auth(create_org(db, "bench"))
        sim_url, gw_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{gw_port}"
        bare_url = f"http://127.0.0.1:{bare_port}"
        serve_gateway = ["-m", "gateway", "serve", "--config", str(config)]
        simulator = serve_simulator(folder / "bench.yaml", sim_port)
        with process(simulator, sim_url):
            with process(serve_gateway, gw_url):
                number, lead_id = asyncio.run(_setup(gw_url, headers))
                asyncio.run(one_message(gw_url, headers, number, lead_id))
            seeded = time.perf_counter()
            seed(db, args.stored)
            print(
                f"seeded {args.stored:,} stored messages in {time.perf_counter() - seeded:.0f} s",
                file=sys.stderr,
            )
            with (
                process(serve_gateway, gw_url) as gateway,
                process(["loadtests/bare_server.py", str(bare_port)], bare_url) as bare,
            ):
                rss_start = rss_mb(gateway.pid)
                results: list[tuple[Phase, Phase]] = []
                for rate in rates:
                    base = asyncio.run(
                        open_loop(
                            bare_url,
                            rate,
                            args.seconds,
                            lambda i: {"status": "outbox", "remote_phone": f"+1416555{i:04d}"},
                        )
                    )
                    ours = asyncio.run(
                        gateway_phase(gw_url, headers, db, rate, args.seconds, number, lead_id)
                    )
                    results.append((base, ours))
                    print(f"{rate} msg/s done", file=sys.stderr)
                rss_end, rss_bare = rss_mb(gateway.pid), rss_mb(bare.pid)
                held = stored(db)
    print(
        f"open loop, {args.seconds:g} s per rate, synchronous={args.synchronous}, "
        f"{args.stored:,} messages stored before the run"
    )
    print("offered/s   bare p50/p99 ms   gateway p50/p99 ms   end to end msg/s   failed")
    for base, ours in results:
        print(
            f"{ours.rate:9,d}   {base.p50_ms:6.1f} /{base.p99_ms:6.1f}   "
            f"{ours.p50_ms:8.1f} /{ours.p99_ms:7.1f}   {ours.end_to_end:16,.0f}   "
            f"{ours.failed + base.failed:6d}"
        )
    print(crossing([(o.rate, o.p99_ms) for _, o in results], 100.0))
    print(
        f"gateway RSS: {rss_start:.0f} MB at start, {rss_end:.0f} MB after the phases "
        f"({held:,} messages stored); "
        f"bare aiohttp handler {rss_bare:.0f} MB"
    )
    return 1 if any(b.failed or o.failed for b, o in results) else 0


if __name__ == "__main__":
    sys.exit(main())
