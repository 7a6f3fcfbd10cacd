"""/api/v1/sms_whitelist_request/: the form's field errors, one open request per number,
forwarding to the carrier, list and get, and the carrier's refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.keys import STORE
from simulator.scenario.carrier_model import Scenario, WhitelistPolicy, WhitelistRule
from tests.gateway.builders import make_number
from tests.gateway.harness import Harness

MANUAL = Scenario(
    name="manual-whitelist",
    test_numbers=True,
    whitelist=WhitelistRule(policy=WhitelistPolicy.MANUAL),
)
PATH = "/api/v1/sms_whitelist_request/"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, MANUAL)
    yield h
    await h.close()


def form(number: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "phone_number_id": number["id"],
        "website": "https://acme.example.com",
        "content_type": "marketing",
        "examples": ["Summer sale: 20% off for you"],
        "opted_in": True,
        "relationship": "Customers who bought from us this year",
    }
    body.update(changes)
    return body


async def sim_requests(harness: Harness) -> list[dict[str, Any]]:
    async with harness.session.get(f"{harness.sim.url}/_sim/whitelist") as response:
        return list((await response.json())["requests"])


async def test_filed_and_forwarded_to_the_carrier(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    created = await harness.api(
        key, "POST", "sms_whitelist_request/", form(number, examples=["Sale today", "20% off"])
    )
    assert created["id"].startswith("smswl_") and created["status"] == "submitted"
    assert created["phone_number"] == number["number"]
    assert created["examples"] == ["Sale today", "20% off"] and created["reason"] is None
    assert created["carrier_sid"].startswith("WL")
    [at_carrier] = await sim_requests(harness)
    assert (at_carrier["sid"], at_carrier["phone_number"], at_carrier["opted_in"]) == (
        created["carrier_sid"],
        number["number"],
        True,
    )
    assert await harness.api(key, "GET", f"sms_whitelist_request/{created['id']}/") == created
    listed = await harness.api(key, "GET", "sms_whitelist_request/")
    assert listed == {"data": [created], "has_more": False}


async def test_field_errors(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    external = await harness.api(key, "POST", "phone_number/", {"number": "+16502530000"})
    cases = [
        (form(number, examples=None), "examples"),
        (form(number, examples=[]), "examples"),
        (form(number, examples=["x"] * 6), "examples"),
        (form(number, website="not a url"), "website"),
        (form(number, website=None), "website"),
        (form(number, content_type="spam"), "content_type"),
        (form(number, opted_in="yes"), "opted_in"),
        (form(number, relationship=""), "relationship"),
        (form(external), "phone_number_id"),
        (form(number, phone_number_id="phon_nope"), "phone_number_id"),
    ]
    for body, field in cases:
        status, answer = await harness.request(key, "POST", PATH, json=body)
        assert status == 400, (body, answer)
        assert set(answer["field-errors"]) == {field}, (body, answer)
        assert answer["errors"] == []
    status, answer = await harness.request(key, "POST", PATH, json={})
    assert status == 400 and len(answer["field-errors"]) == 6
    assert await sim_requests(harness) == []


async def test_one_open_request_per_number(harness: Harness) -> None:
    key = await harness.new_org()
    number, other = await harness.rent(key), await harness.rent(key)
    first = await harness.api(key, "POST", "sms_whitelist_request/", form(number))
    status, answer = await harness.request(key, "POST", PATH, json=form(number))
    assert status == 400
    assert first["id"] in answer["field-errors"]["phone_number_id"]
    await harness.api(key, "POST", "sms_whitelist_request/", form(other))  # its own
    assert len(await sim_requests(harness)) == 2


async def test_another_organization_sees_nothing(harness: Harness) -> None:
    key, stranger = await harness.new_org(), await harness.new_org("Other")
    number = await harness.rent(key)
    created = await harness.api(key, "POST", "sms_whitelist_request/", form(number))
    status, _ = await harness.request(stranger, "GET", f"{PATH}{created['id']}/")
    assert status == 404
    assert (await harness.api(stranger, "GET", "sms_whitelist_request/"))["data"] == []
    status, answer = await harness.request(stranger, "POST", PATH, json=form(number))
    assert status == 400 and answer["field-errors"]["phone_number_id"] == (
        "Phone number not found."
    )


async def test_list_filters_and_pages(harness: Harness) -> None:
    key = await harness.new_org()
    numbers = [await harness.rent(key) for _ in range(3)]
    made = [await harness.api(key, "POST", "sms_whitelist_request/", form(n)) for n in numbers]
    page = await harness.api(key, "GET", "sms_whitelist_request/?_limit=2")
    assert [r["id"] for r in page["data"]] == [made[2]["id"], made[1]["id"]]
    assert page["has_more"] is True
    one = await harness.api(
        key, "GET", f"sms_whitelist_request/?phone_number_id={numbers[0]['id']}"
    )
    assert [r["id"] for r in one["data"]] == [made[0]["id"]]
    none = await harness.api(key, "GET", "sms_whitelist_request/?status=approved")
    assert none["data"] == []
    status, answer = await harness.request(key, "GET", f"{PATH}?status=maybe")
    assert status == 400 and "status" in answer["field-errors"]


async def test_a_carrier_refusal_leaves_no_open_request(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    # ours on our side only: the carrier does not know it (21606)
    ghost = make_number(
        "phon_ghost",
        number["organization_id"],
        "+14155550142",
        carrier_sid="PNgone",
        date_created=number["date_created"],
        date_updated=number["date_created"],
    )
    await harness.app[STORE].insert_phone_number(ghost)
    status, answer = await harness.request(key, "POST", PATH, json=form({"id": "phon_ghost"}))
    assert status == 400 and "carrier refused" in answer["field-errors"]["phone_number_id"]
    assert (await harness.api(key, "GET", "sms_whitelist_request/"))["data"] == []
    # nothing is left open: once the carrier knows the number, it may ask
    assert (await harness.api(key, "POST", "sms_whitelist_request/", form(number)))["id"]


async def test_an_unreachable_carrier_is_502_and_leaves_nothing(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    await harness.sim.stop()
    status, answer = await harness.request(key, "POST", PATH, json=form(number))
    assert status == 502 and "unavailable" in answer["error"]
    assert (await harness.api(key, "GET", "sms_whitelist_request/"))["data"] == []


async def test_two_at_once_make_one_request(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    answers = await asyncio.gather(
        *(harness.request(key, "POST", PATH, json=form(number)) for _ in range(4))
    )
    assert sorted(status for status, _ in answers) == [200, 400, 400, 400]
    assert len(await sim_requests(harness)) == 1


async def test_every_number_shows_its_flags(harness: Harness) -> None:
    key = await harness.new_org()
    await harness.rent(key)
    await harness.api(key, "POST", "phone_number/", {"number": "+16502530000"})
    listed = (await harness.api(key, "GET", "phone_number/"))["data"]
    assert [(n["type"], n["whitelisted"], n["spam_flagged_count"]) for n in listed] == [
        ("internal", False, 0),
        ("external", False, 0),
    ]
