"""`sms-gateway`: migrate, create-org (the key on the last line), config errors."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main


def test_migrate_and_create_org(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    assert main(["migrate", "--db", db]) == 0
    assert main(["create-org", "Acme", "--db", db]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("api_") and len(key) > 30
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT key_hash FROM api_keys").fetchall()
    assert stored == [(hashlib.sha256(key.encode()).hexdigest(),)]  # never the key itself


def test_serve_reports_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("server:\n  port: high\n")
    assert main(["serve", "--config", str(bad)]) == 2
    assert "server.port" in capsys.readouterr().err
    assert main(["serve", "--db", str(tmp_path / "x.db")]) == 2  # no carrier token anywhere
    assert "carrier.auth_token" in capsys.readouterr().err


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "gateway", "create-org", "Co", "--db",
                           str(tmp_path / "m.db")], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1].startswith("api_")


def test_flags_override_the_file(tmp_path: Path) -> None:
    from gateway.cli import _parser, _serve_config

    path = tmp_path / "gw.yaml"
    path.write_text("server: {port: 9000, public_url: http://a.example}\n"
                    "carrier: {auth_token: from-file, url: http://carrier.example}\n")
    config = _serve_config(_parser().parse_args([
        "serve", "--config", str(path), "--port", "9100", "--db", "x.db",
        "--carrier-auth-token", "from-flag", "--public-url", "https://b.example/"]))
    assert (config.port, config.db_path, config.carrier_auth_token, config.public_url) == \
        (9100, "x.db", "from-flag", "https://b.example")
    assert config.carrier_url == "http://carrier.example"  # not overridden: the file's
