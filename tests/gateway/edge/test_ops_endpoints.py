"""Operations in process, against a fake carrier: the circuit breaker, /metrics, /readyz,
orphan callbacks, JSON log lines that name the activity, and SIGHUP's reload."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway import create_app
from gateway.api.common import config_of
from gateway.edge.auth import create_organization
from gateway.keys import LIVE_CONFIG, OPS_URL, STORE
from gateway.logs import JsonFormatter
from gateway.signals import reload_config
from simulator.scenario.carrier_model import DEFAULT_AUTH_TOKEN
from telecom import compute_signature, error_body
from tests.databases import database_for
from tests.gateway.builders import make_number
from tests.gateway.fakes import FakeTwilio
from tests.gateway.harness import Served, eventually, gateway_config, serve

NUMBER = "+14155550100"
DOWN = (503, error_body(20503, "down", 503))
UP = (201, {"sid": "new", "status": "queued"})


@dataclass
class Rig:
    fake: FakeTwilio
    gateway: Served
    key: str
    lead_id: str
    session: aiohttp.ClientSession

    async def call(
        self, method: str, path: str, body: Any = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = {
            "Authorization": aiohttp.encode_basic_auth(self.key, ""),
            **kwargs.pop("headers", {}),
        }
        async with self.session.request(
            method, f"{self.gateway.url}{path}", json=body, headers=headers, **kwargs
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def send(self, remote: str = "+14155550199") -> dict[str, Any]:
        status, sms = await self.call(
            "POST",
            "/api/v1/activity/sms/",
            {
                "status": "outbox",
                "lead_id": self.lead_id,
                "local_phone": NUMBER,
                "remote_phone": remote,
                "text": "hi",
            },
        )
        assert status == 200, sms
        return dict(sms)

    async def ops(self, path: str) -> tuple[int, Any]:
        async with self.session.get(f"{self.gateway.app[OPS_URL]}{path}") as response:
            return response.status, await response.json()

    async def metrics(self) -> str:
        async with self.session.get(f"{self.gateway.app[OPS_URL]}/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            return await response.text()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Rig]]]:
    opened: list[tuple[Rig, Served]] = []

    async def make(**overrides: Any) -> Rig:
        overrides.setdefault("carrier_deduplicates_creates", True)  # canned answers: creates
        fake = FakeTwilio(default=UP)
        fake_server = await serve(lambda _url: fake.app())
        gateway = await serve(
            lambda url: create_app(
                gateway_config(database_for(tmp_path, "gw"), fake_server.url, url, **overrides)
            )
        )
        store = gateway.app[STORE]
        org, key = await create_organization(store, "Ops")
        await store.insert_phone_number(
            make_number("phon_0", org.id, NUMBER, carrier_sid="PN" + "0" * 32)
        )
        rig = Rig(fake, gateway, key, "", aiohttp.ClientSession())
        _, lead = await rig.call(
            "POST",
            "/api/v1/lead/",
            {"name": "L", "contacts": [{"phones": [{"phone": "+14155550199"}]}]},
        )
        rig.lead_id = lead["id"]
        opened.append((rig, fake_server))
        return rig

    yield make
    for opened_rig, fake_server in opened:
        await opened_rig.session.close()
        await opened_rig.gateway.stop()
        await fake_server.stop()


def _value(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


async def test_breaker_stops_calls_while_open_and_a_probe_closes_it(rig: Any) -> None:
    r = await rig(breaker_threshold=3, breaker_cooldown=0.8, retry_base=0.01, retry_max=0.02)
    r.fake.default = DOWN
    sms = await r.send()
    await eventually(lambda: asyncio.sleep(0, len(r.fake.creates()) >= 3), 5)
    await asyncio.sleep(0.5)  # without the breaker: another ~25 attempts in this time
    assert len(r.fake.creates()) == 3
    status, ready = await r.ops("/readyz")
    assert status == 503 and "breaker" in ready["problems"]["carrier"]
    metrics = await r.metrics()
    assert _value(metrics, "smslab_carrier_breaker_state") == 2
    assert _value(metrics, "smslab_carrier_breaker_opens_total") == 1
    assert _value(metrics, "smslab_dispatch_retries_total") == 3
    r.fake.default = UP

    async def sent() -> bool:
        return (await r.call("GET", f"/api/v1/activity/sms/{sms['id']}/"))[1]["status"] == "sent"

    await eventually(sent, 5)
    assert len(r.fake.creates()) == 4  # one probe, and it went through
    assert _value(await r.metrics(), "smslab_carrier_breaker_state") == 0
    assert (await r.ops("/readyz")) == (200, {"status": "ready"})


async def test_metrics_census_and_histograms(rig: Any) -> None:
    r = await rig()
    r.fake.answers.append((400, error_body(21408, "no permission", 400)))
    failed = await r.send("+14165550100")  # Toronto: CA
    await eventually(lambda: asyncio.sleep(0, len(r.fake.creates()) == 1), 5)
    ok = await r.send()

    async def both_done() -> bool:
        rows = [
            (await r.call("GET", f"/api/v1/activity/sms/{s['id']}/"))[1]["status"]
            for s in (failed, ok)
        ]
        return rows == ["error", "sent"]

    await eventually(both_done, 5)
    metrics = await r.metrics()
    assert (
        'smslab_messages{country="CA",direction="outbound",reason="unsupported_country",'
        'status="error"} 1.0'
    ) in metrics
    assert (
        'smslab_messages{country="US",direction="outbound",reason="",status="sent"} 1.0' in metrics
    )
    assert 'smslab_carrier_errors_total{code="21408",kind="rejected"} 1.0' in metrics
    assert _value(metrics, "smslab_dispatch_delay_seconds_count") == 1
    assert 'smslab_carrier_latency_seconds_count{outcome="accepted"} 1.0' in metrics
    assert 'smslab_queue_depth{state="due"} 0.0' in metrics


async def _callback(r: Rig, form: dict[str, str]) -> int:
    url = f"{r.gateway.url}/carrier/status"
    signature = compute_signature(url, list(form.items()), DEFAULT_AUTH_TOKEN)
    async with r.session.post(
        url, data=form, headers={"X-Twilio-Signature": signature}
    ) as response:
        return response.status


async def test_orphan_callbacks_are_counted_never_a_500(rig: Any) -> None:
    r = await rig()
    assert await _callback(r, {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}) == 200
    assert (
        await _callback(
            r,
            {
                "MessageSid": "SM" + "f" * 32,
                "MessageStatus": "delivered",
                "ErrorCode": "not-a-number",
            },
        )
        == 200
    )
    assert await _callback(r, {"MessageStatus": "delivered"}) == 400
    metrics = await r.metrics()
    assert _value(metrics, "smslab_orphan_callbacks_total") == 2
    assert _value(metrics, "smslab_unmatched_callbacks") == 2
    # a known message: the lag from its acceptance is observed
    sms = await r.send()
    await eventually(lambda: asyncio.sleep(0, bool(r.fake.seen)), 5)

    async def sid() -> str | None:
        data = (await r.call("GET", f"/api/v1/activity/sms/{sms['id']}/"))[1]
        return data["status"] == "sent" or None  # type: ignore[no-any-return]

    await eventually(sid, 5)
    sent = await r.gateway.app[STORE].get_sms(sms["organization_id"], sms["id"])
    assert await _callback(r, {"MessageSid": sent.carrier_sid, "MessageStatus": "delivered"}) == 200
    assert 'smslab_callback_lag_seconds_count{status="delivered"} 1.0' in await r.metrics()


async def test_log_lines_are_json_and_name_the_activity(rig: Any) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gateway")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        r = await rig(retry_base=0.01, retry_max=0.02)
        r.fake.answers.append(DOWN)
        sms = await r.send()
        await eventually(lambda: asyncio.sleep(0, len(r.fake.creates()) >= 2), 5)
        await asyncio.sleep(0.1)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    about = [line for line in lines if "carrier" in line["event"]]
    assert {line["logger"] for line in about} >= {"gateway.carrier", "gateway.dispatcher"}
    assert all(line["activity_id"] == sms["id"] for line in about)
    assert all({"ts", "level", "logger", "event"} <= set(line) for line in lines)


async def test_reload_takes_rates_and_countries_only(rig: Any, tmp_path: Path) -> None:
    r = await rig()
    app = r.gateway.app
    before = app[LIVE_CONFIG].current
    path = tmp_path / "new.yaml"
    path.write_text("server: {port: 1}\nsms: {rates: {US: 9}, countries: {US: [US]}}\n")
    assert reload_config(app, str(path)) == ["rates", "countries"]
    now = app[LIVE_CONFIG].current
    assert (now.port, now.db_path) == (before.port, before.db_path)  # needs a restart
    assert dict(now.countries) == {"US": ("US",)}
    assert (await r.send())["cost"] == "9"
    path.write_text("sms: {rates: [1]}\n")
    assert reload_config(app, str(path)) is None
    assert app[LIVE_CONFIG].current is now
    assert config_of  # the API reads the live config through it


async def test_readyz_names_an_unreachable_carrier(tmp_path: Path) -> None:
    gateway = await serve(
        lambda url: create_app(
            gateway_config(database_for(tmp_path, "gw"), "http://127.0.0.1:9", url)
        )
    )  # nothing listens on 9
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{gateway.app[OPS_URL]}/readyz") as response,
        ):
            assert response.status == 503
            body = await response.json()
        assert body["status"] == "unready" and "127.0.0.1:9" in body["problems"]["carrier"]
        assert "database" not in body["problems"]
    finally:
        await gateway.stop()


async def test_malformed_webhook_body_is_400_not_500(rig: Any) -> None:
    r = await rig()
    for path in ("/carrier/status", "/carrier/inbound"):
        async with r.session.post(
            f"{r.gateway.url}{path}", data=b"x", headers={"Content-Type": "multipart/form-data"}
        ) as response:
            assert response.status == 400
            assert "error" in await response.json()


@pytest.mark.parametrize("after", [0.3, 0.0], ids=["reconciled", "off"])
async def test_lost_callbacks_are_reconciled_from_the_carrier(rig: Any, after: float) -> None:
    r = await rig(reconcile_after=after, reconcile_interval=0.1)

    async def carrier_view(request: Any, form: dict[str, str]) -> tuple[int, Any] | None:
        if request.method == "GET" and "/Messages/" in request.path:
            sid = request.path.rsplit("/", 1)[1].removesuffix(".json")
            return 200, {"sid": sid, "status": "undelivered", "error_code": 30003}
        return None  # creates: 201 queued, and no callback will ever come

    r.fake.hook = carrier_view
    sms = await r.send()

    async def settled() -> dict[str, Any] | None:
        data = (await r.call("GET", f"/api/v1/activity/sms/{sms['id']}/"))[1]
        return data if data["delivery_status"] == "undelivered" else None

    if after:
        done = await eventually(settled, 5)
        assert (done["status"], done["error_code"], done["error_reason"]) == (
            "error",
            30003,
            "unreachable",
        )
        assert 'smslab_reconciled_total{status="undelivered"} 1.0' in await r.metrics()
        await asyncio.sleep(0.4)  # final now: never asked about again
        assert sum(1 for m, *_ in r.fake.seen if m == "GET") == 1
    else:
        await asyncio.sleep(0.6)
        assert await settled() is None  # without reconciliation it waits for ever
        assert not [m for m, *_ in r.fake.seen if m == "GET"]


async def test_readyz_and_metrics_answer_on_the_ops_listener_only(rig: Any) -> None:
    """/metrics shows every organization's message counts: not on the API's port."""
    r = await rig()
    assert r.gateway.app[OPS_URL] != r.gateway.url
    for path in ("/metrics", "/readyz"):
        async with r.session.get(f"{r.gateway.url}{path}") as response:
            assert response.status == 404, path
    assert await r.ops("/readyz") == (200, {"status": "ready"})
    assert "smslab_queue_depth" in await r.metrics()
    for url in (r.gateway.url, r.gateway.app[OPS_URL]):  # alive: open on both
        async with r.session.get(f"{url}/healthz") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})


async def test_carrier_events_past_retention_are_purged_and_orphans_counted(rig: Any) -> None:
    r = await rig(
        events_retention=0.3, events_purge_interval=0.05, max_age=0.5, carrier_timeout=0.1
    )
    sms = await r.send()

    async def sent() -> bool:
        data = (await r.call("GET", f"/api/v1/activity/sms/{sms['id']}/"))[1]
        return data["status"] == "sent"

    await eventually(sent, 5)
    stored = await r.gateway.app[STORE].get_sms(sms["organization_id"], sms["id"])
    assert stored is not None and stored.carrier_sid
    assert (
        await _callback(r, {"MessageSid": stored.carrier_sid, "MessageStatus": "delivered"}) == 200
    )
    assert await _callback(r, {"MessageSid": "SM" + "e" * 32, "MessageStatus": "sent"}) == 200
    store = r.gateway.app[STORE]
    assert await store.unmatched_callbacks() == 1

    async def purged() -> bool:
        metrics = await r.metrics()
        return (
            'smslab_carrier_events_purged_total{matched="no"} 1.0' in metrics
            and 'smslab_carrier_events_purged_total{matched="yes"} 1.0' in metrics
        )

    await eventually(purged, 5)
    assert await store.unmatched_callbacks() == 0
    kept = await store.get_sms(sms["organization_id"], sms["id"])
    assert kept is not None and kept.delivery_status == "delivered"  # the message stays
