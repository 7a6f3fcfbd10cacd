"""The Done-when walk with everything as real processes: `python -m simulator serve`,
`python -m gateway serve`, and Close's own client talking HTTP to them."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from closeio_api import API, APIError, ValidationError

from tests.databases import database_for
from tests.e2e.procs import create_org, free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never became healthy")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[str, str]]:
    sim_port, gw_port = free_port(), free_port()
    db = database_for(tmp_path, "gw")
    key = create_org(db, "Proc")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "simulator", "serve", "--port", str(sim_port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_healthy(f"http://127.0.0.1:{sim_port}/_sim/health", started[0])
        gw = f"http://127.0.0.1:{gw_port}"
        started.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gateway",
                    "serve",
                    "--config",
                    "gateway/demo.yaml",
                    "--port",
                    str(gw_port),
                    "--ops-port",
                    "0",
                    "--db",
                    db,
                    "--carrier-url",
                    f"http://127.0.0.1:{sim_port}",
                    "--public-url",
                    gw,
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_healthy(f"{gw}/healthz", started[1])
        yield gw, key
    finally:
        for proc in started:
            proc.terminate()
        for proc in started:
            proc.wait(10)


def _final(api: API, sms_id: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sms = api.get(f"activity/sms/{sms_id}")
        if sms["status"] == "error" or sms["delivery_status"] in ("delivered", "undelivered"):
            return sms
        time.sleep(0.1)
    raise AssertionError(f"{sms_id} never reached a final status")


def test_closeio_client_against_real_processes(processes: tuple[str, str]) -> None:
    url, key = processes
    api = API(base_url=f"{url}/api/v1/", api_key=key)
    lead = api.post(
        "lead",
        {
            "name": "Bluth",
            "contacts": [
                {"name": "George", "phones": [{"phone": "+14155550199", "type": "mobile"}]}
            ],
        },
    )
    number = api.post("phone_number/request/internal", {"country": "US"})
    sms = api.post(
        "activity/sms",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": "+14155550199",
            "text": "Hi George",
        },
    )
    done = _final(api, sms["id"])
    assert (done["status"], done["delivery_status"]) == ("sent", "delivered")
    landline = api.post(
        "activity/sms",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": "+15005550009",
            "text": "Landline?",
        },
    )
    failed = _final(api, landline["id"])
    assert (failed["status"], failed["error_reason"]) == ("error", "landline")
    assert "does not support SMS" in failed["error_message"]
    page = api.get("activity/sms", params={"lead_id": lead["id"], "_limit": 1})
    assert page["has_more"] is True and len(page["data"]) == 1
    with pytest.raises(ValidationError) as caught:
        api.post(
            "activity/sms",
            {
                "status": "outbox",
                "lead_id": lead["id"],
                "local_phone": number["number"],
                "remote_phone": "+14155550199",
                "text": "x" * 1001,
            },
        )
    assert "text" in caught.value.field_errors
    with pytest.raises(APIError) as refused:
        API(base_url=f"{url}/api/v1/", api_key="api_wrong").get("lead")
    assert refused.value.response.status_code == 401
