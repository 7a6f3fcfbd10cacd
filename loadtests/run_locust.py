"""`make loadtest`: a simulator (zero latency) and a gateway as real processes, then locust
headless against the gateway for a set time, with CSV output in loadtests/results/.

    python loadtests/run_locust.py [--users 32] [--spawn-rate 8] [--time 30s] [--p99-ms 500]

The exit code is locust's: non-zero when any request failed or the p99 passed the threshold.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import ROOT, create_org, free_port, process

SID = "AC" + "e" * 32
TOKEN = "loadtest-token"
SCENARIO = f"""
name: loadtest
seed: 1
time_scale: 1000
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
handsets: [{{number: "+14155550110", kind: landline}}]
spam_filters: [{{name: money, regex: "(?i)free money"}}]
latency: {{sent: 0, delivered: 0}}
"""


def _gateway_config(folder: Path, port: int, sim_port: int) -> str:
    return f"""
server: {{host: 127.0.0.1, port: {port}, public_url: "http://127.0.0.1:{port}",
         ops_port: 0}}
database: {{path: "{folder / "loadtest.db"}"}}
carrier: {{url: "http://127.0.0.1:{sim_port}", account_sid: {SID}, auth_token: {TOKEN}}}
dispatcher: {{messages_per_second: 100000, max_in_flight: 128, poll_interval: 0.05}}
logging: {{level: WARNING}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--spawn-rate", type=float, default=8)
    parser.add_argument("--time", default="30s")
    parser.add_argument("--p99-ms", type=float, default=500)
    args = parser.parse_args()
    results = ROOT / "loadtests" / "results"
    results.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "scenario.yaml").write_text(SCENARIO)
        sim_port, gw_port = free_port(), free_port()
        (folder / "gateway.yaml").write_text(_gateway_config(folder, gw_port, sim_port))
        key = create_org(folder / "loadtest.db", "loadtest")
        gateway_url = f"http://127.0.0.1:{gw_port}"
        with (
            process(
                [
                    "-m",
                    "simulator",
                    "serve",
                    "--scenario",
                    str(folder / "scenario.yaml"),
                    "--port",
                    str(sim_port),
                ],
                f"http://127.0.0.1:{sim_port}",
            ),
            process(
                ["-m", "gateway", "serve", "--config", str(folder / "gateway.yaml")], gateway_url
            ),
        ):
            locust = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    "loadtests/locustfile.py",
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    args.time,
                    "--host",
                    gateway_url,
                    "--only-summary",
                    "--csv",
                    str(results / "locust"),
                ],
                cwd=ROOT,
                env={**os.environ, "SMSLAB_API_KEY": key, "SMSLAB_P99_MS": str(args.p99_ms)},
            )
    print(f"CSV: {results}/locust_stats.csv; exit code {locust.returncode}")
    return locust.returncode


if __name__ == "__main__":
    sys.exit(main())
