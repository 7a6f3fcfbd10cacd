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


def test_check_validates_what_run_does_traffic_and_expect_included(tmp_path: Path) -> None:
    """A send to a lead no step creates, a phone no lead has and a wrong expectation load as
    a carrier scenario: `run` refuses them, so `check` must too, all problems at once."""
    bad = tmp_path / "refs.yaml"
    bad.write_text(
        "seed: x\n"
        "traffic:\n"
        "  - numbers: {country: US}\n"
        "  - send: {to: Nobody, from: US, text: hi}\n"
        "  - send: {to: '+14155550100', from: US, text: hi}\n"
        "expect:\n"
        "  status: {snt: 1}\n"
    )
    result = _run("check", str(bad))
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "seed",
        "traffic[1].send",
        "traffic[2].send",
        "expect.status",
    ]
    assert f"{bad}:4:" in lines[1] and "no lead is named 'Nobody'" in lines[1]
    assert f"{bad}:5:" in lines[2] and "no lead has the phone '+14155550100'" in lines[2]


def test_check_refuses_an_empty_mapping_as_an_empty_file(tmp_path: Path) -> None:
    for text in ("", "{}\n"):
        empty = tmp_path / "empty.yaml"
        empty.write_text(text)
        result = _run("check", str(empty))
        assert result.returncode == 1
        assert result.stderr.strip() == f"{empty}:1:1: the scenario is empty"


def test_check_takes_folders_like_run(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("seed: 1\n")
    (tmp_path / "b.yaml").write_text("seed: 2\ntraffic:\n  - cancel: later\n")
    result = _run("check", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{tmp_path / 'a.yaml'}: ok (a, seed 1")
    assert f"{tmp_path / 'b.yaml'}:3:" in result.stderr
    (tmp_path / "none").mkdir()
    assert _run("check", str(tmp_path / "none")).returncode == 2


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
