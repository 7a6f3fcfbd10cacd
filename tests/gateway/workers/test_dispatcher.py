"""The dispatcher against a fake carrier: retries, expiry, final rejections, pacing, and a
callback that overtakes the create answer."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway import create_app
from gateway.core import dates
from gateway.core.models import DueSms, Sms, Suppression
from gateway.edge.auth import create_organization
from gateway.keys import CARRIER, CONFIG, STORE
from gateway.store import open_store
from gateway.workers.carrier_client import CarrierClient
from gateway.workers.dispatcher import Dispatcher
from simulator.scenario.carrier_model import DEFAULT_AUTH_TOKEN
from telecom import Reason, compute_signature, error_body, reason_message, rfc2822
from tests.databases import database_for
from tests.gateway.builders import make_number, make_sms
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
        async with self.session.request(
            method, f"{self.gateway.url}/api/v1/{path}", json=body, headers=headers
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def send(self, local: str = NUMBERS[0], **extra: Any) -> dict[str, Any]:
        return await self.api(
            "POST",
            "activity/sms/",
            {
                "status": "outbox",
                "lead_id": self.lead["id"],
                "local_phone": local,
                "remote_phone": "+14155550199",
                "text": "hi",
                **extra,
            },
        )

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
        gateway = await serve(
            lambda url: create_app(
                gateway_config(database_for(tmp_path, "gw"), fake_server.url, url, **overrides)
            )
        )
        store = gateway.app[STORE]
        org, key = await create_organization(store, "Rig")
        for i, number in enumerate(NUMBERS):  # rented earlier, as the store holds them
            await store.insert_phone_number(
                make_number(f"phon_{i}", org.id, number, carrier_sid="PN" + str(i) * 32)
            )
        session = aiohttp.ClientSession()
        rig = Rig(fake, fake_server, gateway, key, {}, session)
        rig.lead = await rig.api(
            "POST", "lead/", {"name": "L", "contacts": [{"phones": [{"phone": "+14155550199"}]}]}
        )
        opened.append(rig)
        return rig

    yield make
    for rig in opened:
        await rig.session.close()
        await rig.gateway.stop()
        await rig.fake_server.stop()


async def test_retries_until_the_carrier_recovers(rig_factory: Any) -> None:
    rig = await rig_factory()
    rig.fake.answers += [
        (503, error_body(20503, "down", 503)),
        (500, "oops"),
        (429, error_body(20429, "Too Many Requests", 429)),
    ]
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
    start = time.monotonic()  # the fake carrier's clock: no slot can come before this
    await asyncio.gather(*(rig.send(NUMBERS[0]) for _ in range(6)))
    other = await rig.send(NUMBERS[1])
    await rig.until(other["id"], "sent")

    async def all_sent() -> bool:
        return len(rig.fake.creates()) == 7

    await eventually(all_sent, 5)
    first = [
        t
        for (_, _, form, _), t in zip(rig.fake.seen, rig.fake.times, strict=True)
        if form.get("From") == NUMBERS[0]
    ]
    # six messages at 5/s: five gaps of 0.2 s after a first slot that the poller's slack
    # (0.05 s) may place before the sends, so at least 0.95 s. Measured from before the sends,
    # not from the first create (which a busy machine may deliver late, shrinking the span by
    # its lateness: 0.897 s was seen on PostgreSQL), so lateness can only add to it.
    assert len(first) == 6
    assert first[-1] - start >= 0.9


async def test_callback_that_overtakes_the_create_answer(rig_factory: Any) -> None:
    rig = await rig_factory()
    sid = "SM" + "7" * 32

    async def deliver_first(request: web.Request, form: dict[str, str]) -> tuple[int, Any]:
        callback = {
            "MessageSid": sid,
            "MessageStatus": "delivered",
            "SmsSid": sid,
            "SmsStatus": "delivered",
        }
        url = form["StatusCallback"]
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                url,
                data=callback,
                headers={
                    "X-Twilio-Signature": compute_signature(url, callback, DEFAULT_AUTH_TOKEN)
                },
            ) as response,
        ):
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
    await rig.gateway.app[STORE].suppress(
        Suppression(
            rig.lead["organization_id"],
            "+14155550199",
            "STOP",
            NUMBERS[0],
            "2026-01-01T00:00:00.000000+00:00",
        )
    )  # the recipient's STOP, meanwhile
    done = await rig.until(sms["id"], "error")
    assert done["error_reason"] == "opted_out"
    assert rig.fake.creates() == []


async def test_a_backlogged_number_does_not_hold_up_another(rig_factory: Any) -> None:
    rig = await rig_factory(messages_per_second=2.0, max_in_flight=4)
    await asyncio.gather(*(rig.send(NUMBERS[0]) for _ in range(12)))  # six seconds of work
    other = await rig.send(NUMBERS[1])
    await rig.until(other["id"], "sent", timeout=1.5)


async def test_a_create_answer_that_is_already_final(rig_factory: Any) -> None:
    # the carrier answered a repeated create (same Idempotency-Key) with the message as it
    # is by now: undelivered to a landline. That is a failure, with its code and reason.
    rig = await rig_factory()
    rig.fake.answers.append(
        (
            201,
            {
                "sid": "SM" + "1" * 32,
                "status": "undelivered",
                "error_code": 30006,
                "num_segments": "1",
            },
        )
    )
    sms = await rig.send()
    done = await rig.until(sms["id"], "error")
    assert (done["delivery_status"], done["error_code"], done["error_reason"]) == (
        "undelivered",
        30006,
        "landline",
    )
    assert done["error_message"].startswith("The recipient's phone number does not support SMS")


async def test_segments_and_cost_are_the_carriers(rig_factory: Any) -> None:
    rig = await rig_factory()
    rig.fake.answers.append(
        (201, {"sid": "SM" + "2" * 32, "status": "queued", "num_segments": "3"})
    )
    sms = await rig.send()
    assert (sms["segments"], sms["cost"]) == (1, "0.83")  # our estimate at compose time
    done = await rig.until(sms["id"], "sent")
    assert (done["segments"], done["cost"]) == (3, "2.49")  # 3 x 0.83 US cents


def _due(sms_id: str, org: str, local: str, due_since: str) -> Sms:
    return make_sms(
        sms_id,
        org,
        local_phone=local,
        date_created=due_since,
        date_updated=due_since,
        due_at=due_since,
        due_since=due_since,
    )


async def test_expiry_is_checked_before_the_first_try(rig_factory: Any) -> None:
    # accepted two hours ago, and the gateway was down since: it is not sent now
    rig = await rig_factory(max_age=3600.0)
    store, org = rig.gateway.app[STORE], rig.lead["organization_id"]
    old = dates.iso(dates.now() - timedelta(hours=2))
    await store.insert_sms(_due("acti_old", org, NUMBERS[0], old))
    done = await rig.until("acti_old", "error")
    assert (done["error_reason"], done["delivery_status"]) == ("expired", None)
    assert rig.fake.creates() == []


async def test_max_age_bounds_the_wait_behind_an_open_breaker(rig_factory: Any) -> None:
    rig = await rig_factory(max_age=0.5, breaker_threshold=1, breaker_cooldown=60.0)
    rig.fake.default = (503, error_body(20503, "down", 503))
    first = await rig.send()

    async def tried() -> bool:
        return len(rig.fake.creates()) == 1

    await eventually(tried, 3)  # its one attempt opened the breaker
    waiting = await rig.send()  # never tried while the breaker is open ...
    done = await rig.until(waiting["id"], "error", timeout=3)  # ... but it still expires
    assert done["error_reason"] == "expired"
    assert len(rig.fake.creates()) == 1
    # the first one's create may have reached the carrier (a 503 can come after the work):
    # it waits for a lookup, at the breaker's next probe, before anything ends it
    assert (await rig.api("GET", f"activity/sms/{first['id']}/"))["status"] == "outbox"


async def test_a_message_from_a_number_no_longer_rented_is_not_sent(rig_factory: Any) -> None:
    rig = await rig_factory()
    store, org = rig.gateway.app[STORE], rig.lead["organization_id"]
    # due from a number this organization does not rent (released while it waited)
    await store.insert_sms(_due("acti_gone", org, "+14155550142", dates.iso(dates.now())))
    done = await rig.until("acti_gone", "error")
    assert done["error_reason"] == "number_released"
    assert done["error_message"] == reason_message(Reason.NUMBER_RELEASED)
    assert rig.fake.creates() == []


async def test_an_ending_is_decided_under_the_claim(tmp_path: Path) -> None:
    # Between the round's read and its decision another process claimed the message (on
    # PostgreSQL several gateways share the queue): its send goes on, ours ends nothing.
    fake = FakeTwilio(default=(201, {"sid": "new", "status": "queued"}))
    server = await serve(lambda _url: fake.app())
    store = await open_store(database_for(tmp_path, "claims"))
    session = aiohttp.ClientSession()
    try:
        config = gateway_config(database_for(tmp_path, "claims"), server.url, "http://127.0.0.1:9")
        org, _ = await create_organization(store, "Racing")
        now = dates.now()
        await store.insert_phone_number(
            make_number(
                "phon_1",
                org.id,
                NUMBERS[0],
                supports_sms_to_countries=("US",),
                carrier_sid="PN1",
                date_created=dates.iso(now),
                date_updated=dates.iso(now),
            )
        )
        # the recipient opted out: the round ends the message, unless someone else holds it
        await store.suppress(
            Suppression(org.id, "+14155550199", "STOP", NUMBERS[0], dates.iso(now))
        )
        await store.insert_sms(_due("acti_1", org.id, NUMBERS[0], dates.iso(now)))
        read = store.due_sms

        async def racing_due_sms(*args: Any) -> list[DueSms]:
            due = await read(*args)
            later = dates.iso(now + timedelta(minutes=5))
            assert await store.claim_sms([d.id for d in due], dates.iso(now), later)
            return due

        store.due_sms = racing_due_sms  # type: ignore[method-assign]
        carrier = CarrierClient(server.url, config.carrier_account_sid, "token", session)
        await Dispatcher(store, carrier, config)._round()
        sms = await store.get_sms(org.id, "acti_1")
        assert sms is not None and (sms.status, sms.error_reason) == ("outbox", None)
    finally:
        await session.close()
        await store.close()
        await server.stop()


async def test_a_lost_create_is_looked_up_and_a_failed_lookup_sends_nothing(
    rig_factory: Any,
) -> None:
    """A carrier that ignores Idempotency-Key: the first create made the message but its
    answer came too late; the lookups that fail send nothing; the one that answers finds it."""
    rig = await rig_factory(carrier_deduplicates_creates=False, carrier_timeout=0.2)
    made = {
        "sid": "SM" + "f" * 32,
        "status": "sent",
        "direction": "outbound-api",
        "body": "hi",
        "date_created": rfc2822(datetime.now(UTC)),
        "num_segments": "1",
    }
    lists = [
        (503, error_body(20503, "down", 503)),
        (500, "oops"),
        (200, {"messages": [{**made, "body": "another text"}, made], "next_page_uri": None}),
    ]

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
    assert len(lookups) == 3 and all("To=%2B14155550199&From=%2B14155550100" in p for p in lookups)
    found = await rig.gateway.app[STORE].sent_by_sid(made["sid"])
    assert found is not None and found[0] == sms["id"]


async def test_an_ambiguous_message_is_looked_up_before_it_is_ended(rig_factory: Any) -> None:
    # Claimed before (its create may have reached a carrier that ignores Idempotency-Key),
    # then too old: what the carrier made of it decides, not our clock.
    # no dispatcher of the app's own: the staged messages must not be taken half-staged
    rig = await rig_factory(carrier_deduplicates_creates=False, dispatcher_enabled=False)
    store, org = rig.gateway.app[STORE], rig.lead["organization_id"]
    old = dates.now() - timedelta(hours=2)
    made = {
        "sid": "SM" + "e" * 32,
        "status": "undelivered",
        "error_code": 30006,
        "direction": "outbound-api",
        "body": "made",
        "num_segments": "1",
        "date_created": rfc2822(old + timedelta(seconds=1)),
    }

    async def hook(request: web.Request, _form: dict[str, str]) -> tuple[int, Any] | None:
        if request.method == "GET":
            return 200, {"messages": [made], "next_page_uri": None}
        return None

    rig.fake.hook = hook
    for sms_id, text in (("acti_made", "made"), ("acti_never", "never made")):
        await store.insert_sms(
            dataclasses.replace(_due(sms_id, org, NUMBERS[0], dates.iso(old)), text=text)
        )
        # a dispatcher claimed it two hours ago and died during the create
        assert await store.claim_sms([sms_id], dates.iso(old), dates.iso(old), paced=False)
    dispatcher = Dispatcher(store, rig.gateway.app[CARRIER], rig.gateway.app[CONFIG])
    await dispatcher._round()
    await asyncio.gather(*dispatcher._tasks)
    found = await rig.api("GET", "activity/sms/acti_made/")
    assert (found["error_reason"], found["error_code"]) == ("landline", 30006)
    never = await rig.api("GET", "activity/sms/acti_never/")
    assert (never["error_reason"], never["error_code"]) == ("expired", None)
    lookups = [path for method, path, _, _ in rig.fake.seen if method == "GET"]
    assert len(lookups) == 2
    assert rig.fake.creates() == []  # neither was sent again


async def test_an_ambiguous_create_past_max_age_is_looked_up_not_expired(rig_factory: Any) -> None:
    # Every create reaches the carrier but answers after our timeout; by the time we would
    # give up, the carrier has delivered it. The record says delivered, not expired.
    rig = await rig_factory(carrier_timeout=0.2, max_age=0.6)
    made = {
        "sid": "SM" + "d" * 32,
        "status": "delivered",
        "direction": "outbound-api",
        "body": "hi",
        "date_created": rfc2822(datetime.now(UTC)),
        "num_segments": "1",
    }

    async def hook(request: web.Request, _form: dict[str, str]) -> tuple[int, Any] | None:
        if request.method == "POST":
            await asyncio.sleep(0.5)  # done, but too late for the gateway
            return 201, made
        return 200, {"messages": [made], "next_page_uri": None}

    rig.fake.hook = hook
    sms = await rig.send()
    done = await rig.until(sms["id"], "sent", timeout=5)
    assert (done["delivery_status"], done["error_reason"]) == ("delivered", None)
    assert any(method == "GET" for method, _, _, _ in rig.fake.seen)  # found by a lookup
