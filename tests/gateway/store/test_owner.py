"""One gateway per SQLite file: a second one refuses to start instead of releasing the first
one's live claims."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gateway import create_app
from gateway.keys import STORE
from gateway.store.sqlite_owner import DatabaseInUse
from tests.databases import POSTGRESQL
from tests.gateway.builders import T1, create_org, make_sms
from tests.gateway.harness import gateway_config, serve

pytestmark = pytest.mark.skipif(POSTGRESQL, reason="several processes share PostgreSQL")

ROOT = Path(__file__).resolve().parents[3]


async def test_a_second_gateway_on_the_same_file_refuses_to_start(tmp_path: Path) -> None:
    path = str(tmp_path / "gw.db")
    config = gateway_config(
        path, "http://127.0.0.1:9", "http://127.0.0.1:9", dispatcher_enabled=False
    )
    first = await serve(lambda _url: create_app(config))
    try:
        store = first.app[STORE]
        await create_org(store)
        await store.insert_sms(make_sms())
        lease = "2999-01-01T00:00:00.000000+00:00"
        assert await store.claim_sms(["acti_1"], T1, lease) == ["acti_1"]  # in flight
        with pytest.raises(DatabaseInUse, match=f"database.path {path}: another gateway"):
            await serve(lambda _url: create_app(config.replace(dispatcher_enabled=True)))
        # the first one's claim is untouched: nobody released it to send it again
        assert await store.due_sms(T1, 10, 10, frozenset()) == []
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "gateway",
                "serve",
                "--db",
                path,
                "--port",
                "0",
                "--carrier-auth-token",
                "t",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert "another gateway is already serving from this SQLite file" in done.stderr
        assert "PostgreSQL" in done.stderr and "Traceback" not in done.stderr
    finally:
        await first.stop()
    second = await serve(lambda _url: create_app(config))  # the file is free again
    await second.stop()
