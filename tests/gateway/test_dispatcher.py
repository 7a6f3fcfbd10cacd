"""The dispatcher against a fake carrier: retries, expiry, final rejections, pacing, and a
callback that overtakes the create answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway import create_app
from gateway.auth import create_organization
from gateway.keys import STORE
from gateway.models import PhoneNumber
from simulator.scenario.model import DEFAULT_AUTH_TOKEN
from telecom import compute_signature, error_body, rfc2822
from tests.databases import database_for
from tests.gateway.fakes import FakeTwilio
from tests.gateway.harness import Served, eventually, gateway_config, serve

NUMBERS = ("+14155550100", "+14155550101")


@dataclass
class Rig:
    fake: FakeTwilio
    fake_server: Served
    gateway: Served
    key: str
    lead: dict[str, Any]
    session: aiohttp.ClientSession

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": aiohttp.encode_basic_auth(self.key, "")}
        async with self.session.request(method, f"{self.gateway.url}/api/v1/{path}",
                                        json=body, headers=headers) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def send(self, local: str = NUMBERS[0], **extra: Any) -> dict[str, Any]:
        return await self.api("POST", "activity/sms/", {
            "status": "outbox", "lead_id": self.lead["id"], "local_phone": local,
            "remote_phone": "+14155550199", "text": "hi", **extra})

    async def until(self, sms_id: str, status: str, timeout: float = 5) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            sms = await self.api("GET", f"activity/sms/{sms_id}/")
            return sms if sms["status"] == status else None

        return await eventually(check, timeout)


@pytest.fixture
async def rig_factory(tmp_path: Path) -> AsyncIterator[Any]:
    opened: list[Rig] = []

    async def make(**overrides: Any) -> Rig:
        # the canned answers are for creates: no lookups between them (tests that are about
        # lookups say carrier_deduplicates_creates=False)
        overrides.setdefault("carrier_deduplicates_creates", True)
        fake = FakeTwilio(default=(201, {"sid": "new", "status": "queued"}))
        fake_server = await serve(lambda _url: fake.app())
        gateway = await serve(lambda url: create_app(gateway_config(
            database_for(tmp_path, "gw"), fake_server.url, url, **overrides)))
        store = gateway.app[STORE]
        org, key = await create_organization(store, "Rig")
        for i, number in enumerate(NUMBERS):  # rented earlier, as the store holds them
            await store.insert_phone_number(PhoneNumber(
                f"phon_{i}", org.id, number, None, "internal", "US", True, ("CA", "US"),
                "PN" + str(i) * 32, "2026-01-01T00:00:00.000000+00:00",
                "2026-01-01T00:00:00.000000+00:00"))
        session = aiohttp.ClientSession()
        rig = Rig(fake, fake_server, gateway, key, {}, session)
        rig.lead = await rig.api("POST", "lead/", {"name": "L", "contacts": [
            {"phones": [{"phone": "+14155550199"}]}]})
        opened.append(rig)
        return rig

    yield make
    for rig in opened:
        await rig.session.close()
        await rig.gateway.stop()
        await rig.fake_server.stop()


async def test_retries_until_the_carrier_recovers(rig_factory: Any) -> None:
    rig = await rig_factory()
    rig.fake.answers += [(503, error_body(20503, "down", 503)), (500, "oops"),
                         (429, error_body(20429, "Too Many Requests", 429))]
    sms = await rig.send()
    done = await rig.until(sms["id"], "sent")
    assert done["delivery_status"] == "queued"
    creates = rig.fake.creates()
    assert len(creates) == 4
    keys = {headers["Idempotency-Key"] for method, _, _, headers in rig.fake.seen}
    assert keys == {sms["id"]}  # the same key on every attempt: the carrier sends it once


async def test_gives_up_after_max_age(rig_factory: Any) -> None:
    rig = await rig_factory(max_age=0.6)
    rig.fake.default = (503, error_body(20503, "down", 503))
    sms = await rig.send()
    done = await rig.until(sms["id"], "error")
    assert (done["error_reason"], done["error_code"]) == ("expired", None)
    assert done["error_message"] == "The message could not be sent in time and expired"
    assert len(rig.fake.creates()) >= 2


async def test_a_rejection_is_final(rig_factory: Any) -> None:
    rig = await rig_factory()
    rig.fake.answers.append((400, error_body(21408, "no permission for region", 400)))
    sms = await rig.send()
    done = await rig.until(sms["id"], "error")
    assert (done["error_reason"], done["error_code"]) == ("unsupported_country", 21408)
    assert done["delivery_status"] == "failed"
    await asyncio.sleep(0.2)
    assert len(rig.fake.creates()) == 1


async def test_paces_each_number(rig_factory: Any) -> None:
    rig = await rig_factory(messages_per_second=5.0)
    await asyncio.gather(*(rig.send(NUMBERS[0]) for _ in range(6)))
    other = await rig.send(NUMBERS[1])
    await rig.until(other["id"], "sent")

    async def all_sent() -> bool:
        return len(rig.fake.creates()) == 7

    await eventually(all_sent, 5)
    first = [t for (_, _, form, _), t in zip(rig.fake.seen, rig.fake.times, strict=True)
             if form.get("From") == NUMBERS[0]]
    assert first[-1] - first[0] >= 0.9  # six messages at 5/s: five gaps of 0.2 s


async def test_callback_that_overtakes_the_create_answer(rig_factory: Any) -> None:
    rig = await rig_factory()
    sid = "SM" + "7" * 32

    async def deliver_first(request: web.Request, form: dict[str, str]) -> tuple[int, Any]:
        callback = {"MessageSid": sid, "MessageStatus": "delivered", "SmsSid": sid,
                    "SmsStatus": "delivered"}
        url = form["StatusCallback"]
        async with aiohttp.ClientSession() as session, session.post(url, data=callback, headers={
                "X-Twilio-Signature": compute_signature(url, callback, DEFAULT_AUTH_TOKEN)
        }) as response:
            assert response.status == 200
        return 201, {"sid": sid, "status": "queued"}

    rig.fake.hook = deliver_first
    sms = await rig.send()

    async def delivered() -> dict[str, Any] | None:
        found = await rig.api("GET", f"activity/sms/{sms['id']}/")
        return found if found["delivery_status"] == "delivered" else None

    done = await eventually(delivered, 5)
    assert done["status"] == "sent"


async def test_opt_out_after_acceptance_stops_the_send(rig_factory: Any) -> None:
    rig = await rig_factory()
    sms = await rig.send(send_in=0.5)
    contact = rig.lead["contacts"][0]
    await rig.api("PUT", f"contact/{contact['id']}/", {"phones": [
        {"phone": "+14155550199", "outbound_sms_blocked": True}]})
    done = await rig.until(sms["id"], "error")
    assert done["error_reason"] == "opted_out"
    assert rig.fake.creates() == []


async def test_a_backlogged_number_does_not_hold_up_another(rig_factory: Any) -> None:
    rig = await rig_factory(messages_per_second=2.0, max_in_flight=4)
    await asyncio.gather(*(rig.send(NUMBERS[0]) for _ in range(12)))  # six seconds of work
    other = await rig.send(NUMBERS[1])
    await rig.until(other["id"], "sent", timeout=1.5)


async def test_a_lost_create_is_looked_up_and_a_failed_lookup_sends_nothing(
        rig_factory: Any) -> None:
    """A carrier that ignores Idempotency-Key: the first create made the message but its
    answer came too late; the lookups that fail send nothing; the one that answers finds it."""
    rig = await rig_factory(carrier_deduplicates_creates=False, carrier_timeout=0.2)
    made = {"sid": "SM" + "f" * 32, "status": "sent", "direction": "outbound-api",
            "body": "hi", "date_created": rfc2822(datetime.now(UTC)), "num_segments": "1"}
    lists = [(503, error_body(20503, "down", 503)), (500, "oops"),
             (200, {"messages": [{**made, "body": "another text"}, made],
                    "next_page_uri": None})]

    async def hook(request: web.Request, _form: dict[str, str]) -> tuple[int, Any] | None:
        if request.method == "POST":
            await asyncio.sleep(0.5)  # made, but answered after the gateway gave up
            return 201, made
        return lists.pop(0) if lists else (200, {"messages": [], "next_page_uri": None})

    rig.fake.hook = hook
    sms = await rig.send()
    done = await rig.until(sms["id"], "sent")
    assert done["delivery_status"] == "sent"
    assert len(rig.fake.creates()) == 1  # never sent again
    lookups = [path for method, path, _, _ in rig.fake.seen if method == "GET"]
    assert len(lookups) == 3 and all("To=%2B14155550199&From=%2B14155550100" in p
                                     for p in lookups)
    found = await rig.gateway.app[STORE].sent_by_sid(made["sid"])
    assert found is not None and found[0] == sms["id"]
