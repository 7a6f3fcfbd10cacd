"""`sms-gateway`: migrate, create-org (the key on the last line), config errors."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.core.models import Suppression
from gateway.store import open_store
from tests.databases import POSTGRESQL, database_for, run_sql
from tests.gateway.builders import create_org


def test_migrate_and_create_org(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = database_for(tmp_path, "cli")  # a path, or a postgresql:// URL
    assert main(["migrate", "--db", db]) == 0
    assert "is up to date" in capsys.readouterr().out
    assert main(["create-org", "Acme", "--db", db]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("api_") and len(key) > 30
    stored = run_sql(db, "SELECT key_hash FROM api_keys")
    assert stored == [(hashlib.sha256(key.encode()).hexdigest(),)]  # never the key itself
    versions = run_sql(db, "SELECT count(*) FROM schema_migrations")
    assert versions[0][0] >= 3


@pytest.mark.skipif(not POSTGRESQL, reason="needs the PostgreSQL test cluster")
def test_migrate_hides_the_password_it_was_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = database_for(tmp_path, "cli").replace("postgres@", "postgres:s3cret@")
    assert main(["migrate", "--db", url]) == 0  # trust authentication ignores the password
    out = capsys.readouterr().out
    assert "s3cret" not in out and "postgres:***@" in out


def test_serve_reports_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("server:\n  port: high\n")
    assert main(["serve", "--config", str(bad)]) == 2
    assert "server.port" in capsys.readouterr().err
    assert main(["serve", "--db", str(tmp_path / "x.db")]) == 2  # no carrier token anywhere
    assert "carrier.auth_token" in capsys.readouterr().err


def test_an_unreachable_database_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # port 9 (discard): nothing listens there
    assert main(["migrate", "--db", "postgresql://gw:pw@127.0.0.1:9/sms"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sms-gateway: --db postgresql://gw:***@127.0.0.1:9/sms: ")
    assert "pw" not in err and err.count("\n") == 1
    assert main(["create-org", "Acme", "--db", str(tmp_path / "missing" / "x.db")]) == 2
    assert "missing" in capsys.readouterr().err


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "create-org", "Co", "--db", database_for(tmp_path, "m")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1].startswith("api_")


def test_flags_override_the_file(tmp_path: Path) -> None:
    from gateway.cli import _parser, _serve_config

    path = tmp_path / "gw.yaml"
    path.write_text(
        "server: {port: 9000, public_url: http://a.example}\n"
        "carrier: {auth_token: from-file, url: http://carrier.example}\n"
    )
    config = _serve_config(
        _parser().parse_args(
            [
                "serve",
                "--config",
                str(path),
                "--port",
                "9100",
                "--db",
                "x.db",
                "--carrier-auth-token",
                "from-flag",
                "--public-url",
                "https://b.example/",
            ]
        )
    )
    assert (config.port, config.db_path, config.carrier_auth_token, config.public_url) == (
        9100,
        "x.db",
        "from-flag",
        "https://b.example",
    )
    assert config.carrier_url == "http://carrier.example"  # not overridden: the file's


def test_db_takes_a_path_or_a_postgresql_url(tmp_path: Path) -> None:
    from gateway.cli import _parser, _serve_config

    path = tmp_path / "gw.yaml"
    path.write_text(
        "database: {url: 'postgresql://gw@db.example:5432/sms'}\ncarrier: {auth_token: t}\n"
    )
    from_file = _serve_config(_parser().parse_args(["serve", "--config", str(path)]))
    assert from_file.database == "postgresql://gw@db.example:5432/sms"
    to_path = _serve_config(
        _parser().parse_args(["serve", "--config", str(path), "--db", "local.db"])
    )
    assert (to_path.database, to_path.db_url) == ("local.db", None)  # the flag wins
    to_url = _serve_config(
        _parser().parse_args(["serve", "--config", str(path), "--db", "postgres://other/db"])
    )
    assert to_url.database == "postgres://other/db"


def test_opt_out_list_clear_and_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = database_for(tmp_path, "optout")
    phone, at = "+14155550177", "2026-01-01T00:00:00.000000+00:00"

    async def seed() -> None:
        store = await open_store(db)
        try:
            await create_org(store, created=at)
            await store.suppress(Suppression("orga_a", phone, "STOP", "+14155550100", at))
        finally:
            await store.close()

    asyncio.run(seed())
    base = ["--db", db, "--org", "orga_a"]
    assert main(["opt-out", "list", *base]) == 0
    assert capsys.readouterr().out == f"{phone}  STOP  to +14155550100  since {at}\n"
    assert (
        main(
            [
                "opt-out",
                "clear",
                *base,
                "--phone",
                "+1 415 555 0177",
                "--why",
                "asked us by email",
                "--by",
                "ann",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith(f"cleared {phone}  STOP")
    assert main(["opt-out", "list", *base]) == 0
    assert capsys.readouterr().out == ""
    assert main(["opt-out", "history", *base, "--phone", phone]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert f"{phone}  cleared by ann: asked us by email  (was {phone}  STOP" in line
    # the clearing is recorded where the recipients' own opt-ins are
    assert run_sql(db, "SELECT cleared_by, why FROM suppression_clearings") == [
        ("ann", "asked us by email")
    ]
    assert main(["opt-out", "clear", *base, "--phone", phone, "--why", "again"]) == 1
    assert "not on the suppression list" in capsys.readouterr().err
    assert main(["opt-out", "clear", *base, "--phone", "nope", "--why", "x"]) == 2
    assert capsys.readouterr().err.startswith("--phone: ")
    assert main(["opt-out", "clear", *base, "--phone", phone, "--why", " "]) == 2
    assert capsys.readouterr().err.startswith("--why: ")
    with pytest.raises(SystemExit):  # a reason is required
        main(["opt-out", "clear", *base, "--phone", phone])
