"""`sms-simulator check` and `sms-simulator serve` as real processes."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.serving import wait_for

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_check_passes_the_library_and_names_file_line_and_field(tmp_path: Path) -> None:
    library = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    good = _run("check", *library)
    assert good.returncode == 0, good.stderr
    assert good.stdout.count(": ok") == len(library)
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nlatency:\n  sent: -1\nspam_filters:\n  - {name: x, regex: '(('}\n")
    result = _run("check", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3:" in result.stderr and "latency.sent" in result.stderr
    assert f"{bad}:5:" in result.stderr and "spam_filters[0].regex" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_where_it_listens_and_answers() -> None:
    port = _free_port()
    account = "AC" + "c" * 32
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "serve",
            "--scenario",
            "scenarios/mixed.yaml",
            "--port",
            str(port),
            "--account-sid",
            account,
            "--auth-token",
            "tok",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline() + process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner and "mixed" in banner
        health = wait_for(lambda: _get(f"http://127.0.0.1:{port}/_sim/health"))
        assert health["scenario"] == "mixed"
        numbers = requests.get(
            f"http://127.0.0.1:{port}/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json",
            auth=(account, "tok"),
            timeout=5,
        )
        assert numbers.status_code == 200 and numbers.json()["incoming_phone_numbers"] == []
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _get(url: str) -> dict[str, object] | None:
    try:
        return requests.get(url, timeout=1).json()  # type: ignore[no-any-return]
    except requests.ConnectionError:
        return None


def test_a_bad_scenario_stops_serve_with_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: one\n")
    result = _run("serve", "--scenario", str(bad), "--port", str(_free_port()))
    assert result.returncode == 2 and f"{bad}:1:" in result.stderr and "seed" in result.stderr
