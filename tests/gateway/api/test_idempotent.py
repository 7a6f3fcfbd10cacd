"""`Idempotency-Key` on the creating POSTs: a repeat answers the first response and creates
nothing; another request under the same key, a bad key or one still in progress is a 4xx
naming the header; keys are per organization; a failed create frees its key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.scenario.carrier_model import Outage, OutageMode, Scenario, TimelineStep
from tests.gateway.harness import Harness

HEADER = "Idempotency-Key"
SMS = "/api/v1/activity/sms/"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, Scenario(name="retries", test_numbers=True))
    yield h
    await h.close()


async def post(
    harness: Harness,
    key: str,
    path: str,
    body: Any,
    idem: str | None,
) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
    headers = {"Authorization": aiohttp.encode_basic_auth(key, "")}
    if idem is not None:
        headers[HEADER] = idem
    async with harness.session.post(f"{harness.url}{path}", json=body, headers=headers) as response:
        return response.status, await response.json(), response.headers


async def sms_count(harness: Harness, key: str) -> int:
    return len((await harness.api(key, "GET", "activity/sms/"))["data"])


async def _sms_body(harness: Harness, key: str) -> dict[str, Any]:
    number = (await harness.rent(key))["number"]
    lead = await harness.lead_with(key, "+14155550190")
    return {
        "status": "outbox",
        "lead_id": lead["id"],
        "local_phone": number,
        "remote_phone": "+14155550190",
        "text": "Hello once",
    }


async def test_a_repeat_answers_the_first_response_and_sends_once(harness: Harness) -> None:
    key = await harness.new_org()
    body = await _sms_body(harness, key)
    status, first, headers = await post(harness, key, SMS, body, "order-1234")
    assert status == 200 and "Idempotent-Replayed" not in headers
    again_status, again, again_headers = await post(harness, key, SMS, body, "order-1234")
    assert (again_status, again) == (200, first)  # the first answer, as it was
    assert again_headers["Idempotent-Replayed"] == "true"
    assert await sms_count(harness, key) == 1
    await harness.settle(key, first["id"], lambda s: s["delivery_status"] is not None)
    assert len(await harness.oracle()) == 1  # and the carrier got it once


async def test_every_creating_post_takes_the_header(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550191")
    whitelist = {
        "phone_number_id": number["id"],
        "website": "https://acme.example.com",
        "content_type": "marketing",
        "examples": ["Summer sale"],
        "opted_in": True,
        "relationship": "Customers",
    }
    creates = [
        ("/api/v1/lead/", {"name": "Bluth"}, "lead/"),
        ("/api/v1/contact/", {"lead_id": lead["id"], "name": "Gob"}, "contact/"),
        ("/api/v1/contact/", {"name": "Lucille"}, "lead/"),  # a contact with a lead of its own
        ("/api/v1/phone_number/", {"number": "+14155550142"}, "phone_number/"),
        ("/api/v1/phone_number/request/internal/", {"country": "US"}, "phone_number/"),
        ("/api/v1/sms_whitelist_request/", whitelist, "sms_whitelist_request/"),
    ]
    for i, (path, body, listing) in enumerate(creates):
        before = len((await harness.api(key, "GET", listing))["data"])
        first = await post(harness, key, path, body, f"k-{i}")
        again = await post(harness, key, path, body, f"k-{i}")
        assert first[0] in (200, 201) and again[:2] == first[:2], (path, first, again)
        assert len((await harness.api(key, "GET", listing))["data"]) == before + 1, path


async def test_the_same_key_with_another_request_is_a_422_naming_the_header(
    harness: Harness,
) -> None:
    key = await harness.new_org()
    body = await _sms_body(harness, key)
    assert (await post(harness, key, SMS, body, "k"))[0] == 200
    for path, other in (
        (SMS, {**body, "text": "Hello twice"}),  # another body
        ("/api/v1/lead/", body),
    ):  # the same body to another resource
        status, error, _ = await post(harness, key, path, other, "k")
        assert status == 422 and HEADER in error["error"], error
    assert await sms_count(harness, key) == 1
    assert (await post(harness, key, SMS.rstrip("/"), body, "k"))[0] == 200  # Close's spelling


@pytest.mark.parametrize("bad", ["", "a" * 256, "two words", "caf\u00e9"])
async def test_a_bad_key_is_a_400_naming_the_header(harness: Harness, bad: str) -> None:
    key = await harness.new_org()
    status, error, _ = await post(harness, key, "/api/v1/lead/", {"name": "X"}, bad)
    assert status == 400 and HEADER in error["field-errors"], error
    assert (await harness.api(key, "GET", "lead/"))["data"] == []


async def test_keys_belong_to_one_organization(harness: Harness) -> None:
    acme, other = await harness.new_org("Acme"), await harness.new_org("Other")
    ids = {
        (await post(harness, org, "/api/v1/lead/", {"name": "Same"}, "shared-key"))[1]["id"]
        for org in (acme, other)
    }
    assert len(ids) == 2  # two organizations, two requests
    for org in (acme, other):
        assert len((await harness.api(org, "GET", "lead/"))["data"]) == 1


async def test_a_failed_create_frees_its_key(harness: Harness) -> None:
    key = await harness.new_org()
    body = await _sms_body(harness, key)
    status, error, _ = await post(harness, key, SMS, {**body, "text": ""}, "retry-me")
    assert status == 400 and "text" in error["field-errors"]
    assert (await post(harness, key, SMS, body, "retry-me"))[0] == 200  # corrected, same key
    assert await sms_count(harness, key) == 1


async def test_concurrent_repeats_create_one_record(harness: Harness) -> None:
    key = await harness.new_org()
    body = await _sms_body(harness, key)
    answers = await asyncio.gather(*(post(harness, key, SMS, body, "burst") for _ in range(10)))
    assert await sms_count(harness, key) == 1
    ok = [answer for status, answer, _ in answers if status == 200]
    busy = [answer for status, answer, _ in answers if status != 200]
    assert ok and len({a["id"] for a in ok}) == 1  # every 200 is the one record
    # a repeat that lost the race to an unfinished twin is told to retry
    assert all(b["error"].startswith("A re") and HEADER in b["error"] for b in busy), busy
    status, again, _ = await post(harness, key, SMS, body, "burst")
    assert (status, again) == (200, ok[0])


async def test_a_repeat_while_the_carrier_is_renting_waits_its_turn(tmp_path: Path) -> None:
    slow = Scenario(
        name="slow-carrier",
        test_numbers=True,
        timeline=(TimelineStep(at=0.0, outage=Outage(600, OutageMode.SLOW, delay=0.4)),),
    )
    harness = await Harness.start(tmp_path, slow)
    try:
        key = await harness.new_org()
        path, body = "/api/v1/phone_number/request/internal/", {"country": "US"}
        first = asyncio.create_task(post(harness, key, path, body, "rent-once"))
        await asyncio.sleep(0.2)  # the first is at the carrier
        status, error, _ = await post(harness, key, path, body, "rent-once")
        assert status == 409 and HEADER in error["error"], error
        rented = await first
        assert rented[0] == 201
        assert (await post(harness, key, path, body, "rent-once"))[:2] == rented[:2]
        assert len((await harness.api(key, "GET", "phone_number/"))["data"]) == 1
    finally:
        await harness.close()
