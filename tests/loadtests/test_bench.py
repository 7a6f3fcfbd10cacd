"""The open-loop benchmark runs from the repository and reports every figure it promises
(tiny sizes: this guards the tool, it measures nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the benchmark starts the gateway (and the simulator) as processes
pytestmark = pytest.mark.e2e


def test_bench_reports_latency_throughput_and_memory() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "loadtests/bench.py",
            "--rates",
            "20,40",
            "--seconds",
            "1",
            "--stored",
            "500",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(
        r"^\s+(\d+)\s+([\d.]+) /\s*([\d.]+)\s+([\d.]+) /\s*([\d.]+)\s+([\d,]+)\s+0$",
        done.stdout,
        re.MULTILINE,
    )
    assert [row[0] for row in rows] == ["20", "40"], done.stdout
    assert all(float(row[5].replace(",", "")) > 0 for row in rows)
    # 500 seeded + the template message + 20 + 40 sent by the phases
    assert re.search(r"MB after the phases \(561 messages stored\)", done.stdout), done.stdout


def test_bench_ops_reports_the_scrape_and_the_read_behind_it() -> None:
    done = subprocess.run(
        [sys.executable, "loadtests/bench_ops.py", "--stored", "300", "--scrapes", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for line in (
        "GET /metrics alone: +median +[\\d.]+ ms, worst +[\\d.]+ ms",
        "API read alone: +median +[\\d.]+ ms",
        "API read 5 ms into a scrape: +median +[\\d.]+ ms, worst +[\\d.]+ ms",
    ):
        assert re.search(line, done.stdout), done.stdout
