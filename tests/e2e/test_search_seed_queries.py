"""The four seed queries from Close's help centre, end to end: leads and messages made through
the gateway's public API, sent through the simulator, failed or delivered by its scenario's
handsets, then found with `GET /api/v1/lead/?query=`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulator.scenario.carrier_model import HandsetKind, HandsetRule, Scenario
from tests.databases import run_sql
from tests.gateway.harness import Harness, eventually

# New York numbers for the leads, apart from the ones the simulator rents out (+1 415 555 01xx)
LANDLINE, UNREACHABLE, MOBILE = "+1212555010{}", "+1212555013{}", "+1212555015{}"
SCENARIO = Scenario(
    name="search-seed-queries",
    handsets=(
        HandsetRule(HandsetKind.LANDLINE, pattern=re.compile(r"\+1212555010\d")),  # 30006
        HandsetRule(HandsetKind.UNREACHABLE, pattern=re.compile(r"\+1212555013\d")),  # 30003
        HandsetRule(HandsetKind.MOBILE, pattern=re.compile(r"\+1212555015\d")),  # delivered
    ),
)
FINAL = {"delivered", "undelivered", "failed"}


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, SCENARIO)
    yield h
    await h.close()


async def _lead(harness: Harness, key: str, name: str, *phones: str) -> dict[str, Any]:
    return await harness.api(
        key,
        "POST",
        "lead/",
        {
            "name": name,
            "contacts": [
                {"name": name, "phones": [{"phone": p, "type": "mobile"} for p in phones]}
            ],
        },
    )


async def _send(
    harness: Harness, key: str, lead: dict[str, Any], local: str, remote: str, expect: str
) -> str:
    """Send one SMS and wait for the carrier's final word, so that the next one is later."""
    sms = await harness.api(
        key,
        "POST",
        "activity/sms/",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "contact_id": lead["contacts"][0]["id"],
            "local_phone": local,
            "remote_phone": remote,
            "text": f"Hello {lead['name']}",
        },
    )
    done = await harness.settle(key, sms["id"], lambda s: s["delivery_status"] in FINAL)
    assert done["status"] == expect, done
    return str(sms["id"])


def _backdate_a_day(location: str, sms_ids: list[str]) -> None:
    """The one step not taken through the API: nothing in Close's API (or ours) sends an SMS
    in the past, so yesterday's failures are today's, moved back 24 hours in the gateway's
    database after the carrier has finished with them."""
    for sms_id in sms_ids:
        [(created,)] = run_sql(location, "SELECT date_created FROM sms WHERE id = ?", (sms_id,))
        moved = (datetime.fromisoformat(created) - timedelta(days=1)).isoformat(
            timespec="microseconds"
        )
        run_sql(
            location,
            "UPDATE sms SET date_created = ?, activity_at = ? WHERE id = ?",
            (moved, moved, sms_id),
        )


async def _inbound(harness: Harness, key: str, from_: str, to: str, count: int) -> None:
    await harness.handset_sends(from_, to, "Got it, thanks")

    async def landed() -> bool:
        return len((await harness.api(key, "GET", "inbox/"))["data"]) >= count

    await eventually(landed)


async def test_each_seed_query_finds_exactly_the_right_leads(harness: Harness) -> None:
    key, other = await harness.new_org("Ours"), await harness.new_org("Theirs")
    local = (await harness.rent(key))["number"]
    their_local = (await harness.rent(other))["number"]

    zero = await _lead(harness, key, "zero failed", MOBILE.format(0))
    one = await _lead(harness, key, "one failed today", LANDLINE.format(0))
    two = await _lead(harness, key, "two failed, yesterday and today", LANDLINE.format(1))
    three = await _lead(harness, key, "three failed yesterday", UNREACHABLE.format(0))
    healed = await _lead(
        harness, key, "failed then delivered", LANDLINE.format(2), MOBILE.format(1)
    )
    relapsed = await _lead(
        harness, key, "delivered then failed, then a reply", MOBILE.format(2), UNREACHABLE.format(1)
    )
    inbound = await _lead(harness, key, "only an inbound message", MOBILE.format(3))
    theirs = await _lead(harness, other, "another organization's failures", LANDLINE.format(3))

    await _send(harness, key, zero, local, MOBILE.format(0), "sent")
    await _send(harness, key, one, local, LANDLINE.format(0), "error")
    yesterday = [await _send(harness, key, two, local, LANDLINE.format(1), "error")]
    await _send(harness, key, two, local, LANDLINE.format(1), "error")
    for _ in range(3):
        yesterday.append(await _send(harness, key, three, local, UNREACHABLE.format(0), "error"))
    await _send(harness, key, healed, local, LANDLINE.format(2), "error")
    await _send(harness, key, healed, local, MOBILE.format(1), "sent")
    await _send(harness, key, relapsed, local, MOBILE.format(2), "sent")
    await _send(harness, key, relapsed, local, UNREACHABLE.format(1), "error")
    await _inbound(harness, key, MOBILE.format(2), local, 1)  # newest SMS, but not outbound
    await _inbound(harness, key, MOBILE.format(3), local, 2)
    for _ in range(2):
        await _send(harness, other, theirs, their_local, LANDLINE.format(3), "error")
    _backdate_a_day(harness.db, yesterday)

    # "today" is the caller's: pick the zone where it is about noon now, so that neither
    # today's messages nor yesterday's sit near a midnight however long the test runs
    now = datetime.now(UTC)
    hours = (12 - now.hour - now.minute / 60 + 12) % 24 - 12
    zone = {"X-TZ-Offset": f"{hours:.2f}"}

    async def search(query: str) -> set[str]:
        status, body = await harness.request(
            key, "GET", "/api/v1/lead/", params={"query": query}, headers=zone
        )
        assert status == 200, body
        assert body["total_results"] == len(body["data"]) and body["has_more"] is False
        status, count = await harness.request(
            key, "GET", "/api/v1/lead/", headers=zone, params={"query": query, "_limit": "0"}
        )
        assert (status, count["data"], count["total_results"]) == (200, [], len(body["data"]))
        return {lead["name"] for lead in body["data"]}

    def names(*leads: dict[str, Any]) -> set[str]:
        return {lead["name"] for lead in leads}

    assert await search("failed_sms > 1") == names(two, three)
    assert await search("has:error_sms_messages") == names(one, two, three, healed, relapsed)
    assert await search("sms(created:today direction:outgoing status:error)") == names(
        one, two, healed, relapsed
    )
    assert await search("latest_sms_status:error") == names(one, two, three, relapsed)
    # and the fixture is what it claims to be
    assert await search("sms(created:yesterday status:error)") == names(two, three)
    assert await search("has:inbound_sms") == names(relapsed, inbound)
    assert await search("failed_sms = 0") == names(zero, inbound)
    assert await search("latest_sms_status:sent") == names(zero, healed)
    assert await search("sms(error:landline) or sms(error:unreachable)") == names(
        one, two, three, healed, relapsed
    )
    assert theirs["name"] not in await search("*")
