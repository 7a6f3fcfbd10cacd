"""End to end through the simulator: replies, unknown senders, STOP, scheduling, tenancy."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator.scenario.carrier_model import HandsetKind, HandsetRule, Reply, Scenario
from tests.gateway.harness import Harness, eventually

REPLYING = Scenario(
    name="replies",
    test_numbers=True,
    handsets=(
        HandsetRule(
            HandsetKind.MOBILE,
            pattern=re.compile(r"\+1415555019\d"),
            reply=Reply("Yes please", delay=0.1),
        ),
    ),
)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, REPLYING)
    yield h
    await h.close()


async def _inbox(harness: Harness, key: str, count: int) -> list[dict]:
    async def check() -> list[dict] | None:
        data = (await harness.api(key, "GET", "inbox/"))["data"]
        return data if len(data) >= count else None

    return await eventually(check, 10)


async def test_reply_lands_on_the_lead_and_in_the_inbox(harness: Harness) -> None:
    key = await harness.new_org()
    other = await harness.lead_with(key, "+14155550100", name="Someone else")
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550190")
    sms = await harness.send(key, lead, number["number"], "Want a banana stand?")
    await harness.settle(key, sms["id"], lambda s: s["delivery_status"] == "delivered")
    [reply] = await _inbox(harness, key, 1)
    assert reply["text"] == "Yes please"
    assert (reply["direction"], reply["status"]) == ("inbound", "inbox")
    assert reply["lead_id"] == lead["id"] and reply["contact_id"] == lead["contacts"][0]["id"]
    assert (reply["local_phone"], reply["remote_phone"]) == (number["number"], "+14155550190")
    assert reply["cost"] == "0.83"
    on_lead = await harness.api(key, "GET", f"activity/sms/?lead_id={lead['id']}")
    assert [s["direction"] for s in on_lead["data"]] == ["inbound", "outbound"]
    assert (await harness.api(key, "GET", f"activity/sms/?lead_id={other['id']}"))["data"] == []


async def test_unknown_sender_gets_a_new_lead(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    before = await harness.api(key, "GET", "lead/")
    await harness.handset_sends("+14155550123", number["number"], "Who is this?")
    [message] = await _inbox(harness, key, 1)
    leads = await harness.api(key, "GET", "lead/")
    assert leads["total_results"] == before["total_results"] + 1
    lead = await harness.api(key, "GET", f"lead/{message['lead_id']}/")
    assert lead["contacts"][0]["phones"][0]["phone"] == "+14155550123"
    assert message["contact_id"] == lead["contacts"][0]["id"]
    # a second message from the same sender joins that lead
    await harness.handset_sends("+14155550123", number["number"], "Hello?")
    newest = (await _inbox(harness, key, 2))[0]
    assert newest["text"] == "Hello?" and newest["lead_id"] == lead["id"]
    assert (await harness.api(key, "GET", "lead/"))["total_results"] == leads["total_results"]


async def test_stop_blocks_the_next_send_and_start_clears_it(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550177")
    await harness.handset_sends("+14155550177", number["number"], "STOP")
    await _inbox(harness, key, 1)
    contact = await harness.api(key, "GET", f"contact/{lead['contacts'][0]['id']}/")
    assert contact["phones"][0]["outbound_sms_blocked"] is True

    blocked = await harness.send(key, lead, number["number"], "One more offer")
    assert (blocked["status"], blocked["error_reason"]) == ("error", "opted_out")
    assert "opted out" in blocked["error_message"]
    await asyncio.sleep(0.3)
    assert [m for m in await harness.oracle() if m["direction"] != "inbound"] == []

    await harness.handset_sends("+14155550177", number["number"], "START")
    await _inbox(harness, key, 2)
    allowed = await harness.send(key, lead, number["number"], "Welcome back")
    done = await harness.settle(key, allowed["id"], lambda s: s["delivery_status"] == "delivered")
    assert done["status"] == "sent"


async def test_scheduled_fires_and_cancelled_never_reaches_the_carrier(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550111")
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    scheduled = await harness.send(
        key, lead, number["number"], "Later", status="scheduled", date_scheduled=at.isoformat()
    )
    cancelled = await harness.send(
        key, lead, number["number"], "Never", status="scheduled", date_scheduled=at.isoformat()
    )
    assert scheduled["status"] == "scheduled"
    assert datetime.fromisoformat(scheduled["date_scheduled"]) == at
    draft = await harness.api(key, "PUT", f"activity/sms/{cancelled['id']}/", {"status": "draft"})
    assert draft["status"] == "draft"
    await asyncio.sleep(0.5)
    assert await harness.oracle() == []  # not before its time
    done = await harness.settle(key, scheduled["id"], lambda s: s["status"] == "sent")
    assert datetime.fromisoformat(done["date_sent"]) >= at
    await asyncio.sleep(0.5)
    oracle = await harness.oracle()
    assert [m["idempotency_key"] for m in oracle if m["direction"] != "inbound"] == [
        scheduled["id"]
    ]
    assert (await harness.sms(key, cancelled["id"]))["status"] == "draft"


async def test_organizations_see_nothing_of_each_other(harness: Harness) -> None:
    a, b = await harness.new_org("A"), await harness.new_org("B")
    number = await harness.rent(a)
    lead = await harness.lead_with(a, "+14155550150")
    sms = await harness.send(a, lead, number["number"], "for A only")
    contact_id = lead["contacts"][0]["id"]
    for path in (
        f"lead/{lead['id']}/",
        f"activity/sms/{sms['id']}/",
        f"phone_number/{number['id']}/",
        f"contact/{contact_id}/",
    ):
        for method in ("GET", "PUT", "DELETE"):
            status, body = await harness.request(b, method, f"/api/v1/{path}", json={})
            assert status == 404, (method, path, status, body)
            assert "error" in body
    for path in ("lead/", "activity/sms/", "phone_number/", "contact/", "inbox/"):
        assert (await harness.api(b, "GET", path))["data"] == [], path
    assert (await harness.api(b, "GET", "lead/"))["total_results"] == 0
    status, body = await harness.request(
        b,
        "POST",
        "/api/v1/activity/sms/",
        json={
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": "+14155550150",
            "text": "borrowed",
        },
    )
    assert status == 400
    assert set(body["field-errors"]) == {"lead_id", "local_phone"}
    assert (await harness.sms(a, sms["id"]))["text"] == "for A only"  # untouched
