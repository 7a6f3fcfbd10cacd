"""The usage benchmark runs from the repository and reports every figure it promises (tiny
sizes: this guards the tool, it measures nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the benchmark starts the gateway (and the simulator) as processes
pytestmark = pytest.mark.e2e


def test_bench_usage_reports_each_report_and_the_fill() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "loadtests/bench_usage.py",
            "--stored",
            "2000",
            "--phones",
            "200",
            "--repeat",
            "1",
            "--fill",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(
        r"^(365|30) days\s+(\w+)\s+[\d.]+\s+[\d.]+\s+\d+\s+([\d,]+)$", done.stdout, re.MULTILINE
    )
    assert [(span, group) for span, group, _ in rows] == [
        (span, group) for span in ("365", "30") for group in ("country", "number", "day")
    ]
    # the year holds (nearly) every seeded message, whatever the report's grouping
    year = {int(count.replace(",", "")) for span, _, count in rows if span == "365"}
    assert len(year) == 1 and 1990 <= year.pop() <= 2000
    assert re.search(r"migration 011's fill of the stored country: [\d.]+ s", done.stdout)
