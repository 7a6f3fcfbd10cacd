"""What a usage report (`GET /api/v1/usage/sms/`) costs with a million messages stored.

    python loadtests/bench_usage.py [--stored 1000000] [--phones 100000] [--repeat 5]

A real `sms-gateway serve` on a SQLite file that holds `--stored` carrier messages of one
organization, spread evenly over the last 365 days (80 % outbound to `--phones` distinct
recipients in eight countries, 20 % inbound), seeded straight into the file before the
gateway starts, as bench.py does. Each report is asked `--repeat` times one after the other,
grouped by country, number and day, over the whole year and over the last 30 days; the table
gives the median and the slowest answer, and the median CPU time the gateway process spent on
one (a figure other load on the machine barely moves). With `--fill`, it then times
migration 011's fill of the stored country (gateway/store/country_fill.py) over the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
from bench_gateway import _config
from harness import api_auth, cpu_seconds, create_org, free_port, median, process

from telecom import country_of

# (recipient template, cost of one segment in cents): valid numbers in eight countries
_RECIPIENTS = (
    ("+1415555{:04d}", "0.83"),
    ("+1416555{:04d}", "0.83"),
    ("+4474001{:05d}", "4.6"),
    ("+3361{:07d}", "7.1"),
    ("+491512{:06d}", "8.2"),
    ("+61412{:06d}", "5.4"),
    ("+5511987{:06d}", "4.9"),
    ("+8190123{:05d}", "7.7"),
)
_OUR_NUMBERS = 10  # +1415555010N, the organization's sending numbers
_GROUPS = ("country", "number", "day")


def seed(db: Path, stored: int, phones: int) -> None:
    """`stored` billed messages over the last 365 days, in one statement per table."""
    with sqlite3.connect(db) as conn:
        org = conn.execute("SELECT id FROM organizations").fetchone()[0]
        has_country = "country" in {row[1] for row in conn.execute("PRAGMA table_info(sms)")}
        conn.execute(
            "CREATE TEMP TABLE recipients (i INTEGER PRIMARY KEY, phone TEXT,"
            " country TEXT, cost TEXT)"
        )
        rows = []
        for i in range(phones):
            template, cost = _RECIPIENTS[i % len(_RECIPIENTS)]
            phone = template.format(i // len(_RECIPIENTS))
            rows.append((i, phone, country_of(phone), cost))
        conn.executemany("INSERT INTO temp.recipients VALUES (?, ?, ?, ?)", rows)
        start = datetime.now(UTC) - timedelta(days=365)
        step = 365 * 86400 / stored
        outbound = "n % 5 <> 0"  # one in five is inbound
        local = f"'+1415555010' || (n % {_OUR_NUMBERS})"
        moment = (
            f"strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', {start.timestamp():.0f}"
            f" + CAST(n * {step} AS INTEGER), 'unixepoch')"
        )
        columns = {
            "id": "printf('acti_usage%024d', n)",
            "organization_id": "?",
            "direction": f"CASE WHEN {outbound} THEN 'outbound' ELSE 'inbound' END",
            "status": f"CASE WHEN {outbound} THEN 'sent' ELSE 'inbox' END",
            "text": "'a seeded message'",
            "local_phone": local,
            "remote_phone": "r.phone",
            "source": "'Close.io'",
            "date_created": moment,
            "date_updated": moment,
            "date_sent": f"CASE WHEN {outbound} THEN {moment} END",
            "segments": "1 + n % 2",
            "encoding": "'GSM-7'",
            "cost": f"CASE WHEN {outbound} THEN r.cost ELSE '0.83' END",
            "delivery_status": f"CASE WHEN {outbound} THEN 'delivered' ELSE 'received' END",
            "carrier_sid": "printf('SMusage%026d', n)",
        }
        if has_country:  # what the gateway writes: the recipient's, or our (US) number's
            columns["country"] = f"CASE WHEN {outbound} THEN r.country ELSE 'US' END"
        conn.execute(
            f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)"
            f" INSERT INTO sms ({', '.join(columns)})"
            f" SELECT {', '.join(columns.values())} FROM seq"
            f" JOIN temp.recipients AS r ON r.i = n % {phones}",
            (stored - 1, org),
        )
        conn.execute("ANALYZE")


async def _time_reports(
    url: str, headers: dict[str, str], repeat: int, pid: int
) -> list[tuple[str, str, float, float, float, int]]:
    today = date.today()
    ranges = (("365 days", today - timedelta(days=364)), ("30 days", today - timedelta(days=29)))
    results = []
    async with aiohttp.ClientSession(headers=headers) as session:
        for span, first in ranges:
            params = {"date_start": first.isoformat(), "date_end": today.isoformat()}
            for group_by in _GROUPS:
                took, cpu = [], []
                for _ in range(repeat):
                    started, used = time.perf_counter(), cpu_seconds(pid)
                    async with session.get(
                        f"{url}/api/v1/usage/sms/", params={**params, "group_by": group_by}
                    ) as answer:
                        report = await answer.json()
                        assert answer.status == 200, report
                    took.append(time.perf_counter() - started)
                    cpu.append(cpu_seconds(pid) - used)
                results.append(
                    (
                        span,
                        group_by,
                        median(took),
                        max(took),
                        median(cpu),
                        int(report["totals"]["messages"]),
                    )
                )
    return results


def _time_fill(db: Path) -> float:
    from gateway.store.country_fill import fill_sqlite  # the gateway's own, as migration 011

    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.execute("UPDATE sms SET country = NULL")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        fill_sqlite(conn)
        conn.execute("COMMIT")
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=1_000_000, help="messages stored")
    parser.add_argument("--phones", type=int, default=100_000, help="distinct recipients")
    parser.add_argument("--repeat", type=int, default=5, help="answers timed per report")
    parser.add_argument("--fill", action="store_true", help="time migration 011's fill too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = free_port()
        config = folder / "gateway.yaml"
        # no carrier behind the URL: nothing is sent, the reports only read
        config.write_text(_config(folder, port, free_port(), "NORMAL"))
        db = folder / "bench.db"
        headers = api_auth(create_org(db, "usage"))
        seeding = time.perf_counter()
        seed(db, args.stored, args.phones)
        print(
            f"seeded {args.stored:,} messages in {time.perf_counter() - seeding:.0f} s",
            file=sys.stderr,
        )
        url = f"http://127.0.0.1:{port}"
        with process(["-m", "gateway", "serve", "--config", str(config)], url) as gateway:
            results = asyncio.run(_time_reports(url, headers, args.repeat, gateway.pid))
        fill = _time_fill(db) if args.fill else None
    print(
        f"usage reports, {args.stored:,} messages stored ({args.phones:,} recipients),"
        f" {args.repeat} answers each"
    )
    print("range      group_by   median ms   slowest ms   gateway CPU ms   messages")
    for span, group_by, middle, slowest, cpu, messages in results:
        print(
            f"{span:9s}  {group_by:8s}   {1000 * middle:9.1f}   {1000 * slowest:10.1f}"
            f"   {1000 * cpu:14.0f}   {messages:8,d}"
        )
    if fill is not None:
        print(f"migration 011's fill of the stored country: {fill:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
