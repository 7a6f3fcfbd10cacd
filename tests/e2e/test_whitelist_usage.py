"""Whitelist requests and usage through Close's own client, gateway and simulator for real:
a marketing text blocked as spam, a request approved by the carrier, the same text delivered;
a rejection for lack of opt-in; the form's field errors; segment counts as Twilio's calculator
gives them; usage totals equal to the sum over the activities, and the same as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from closeio_api import API, ValidationError

from gateway.core import dates
from gateway.core.usage import COLUMNS
from simulator.scenario import loads
from tests.gateway.harness import Harness, eventually, in_thread

SALE = "Summer sale: 20% off for you, code S1000"


def _scenario(policy: str) -> str:
    return f"""
name: whitelist-{policy}
test_numbers: true
time_scale: 10
latency: {{sent: 0.2, delivered: 0.5}}
spam_filters:
  - {{name: promotions, regex: '(?i)\\b(sale|\\d+% off)\\b'}}
handsets:
  - {{number: "+14155550188", kind: unreachable}}
whitelist: {{policy: {policy}, delay: 2, reason: "Recipients did not opt in to receive messages"}}
"""


async def _harness(tmp_path: Path, policy: str) -> Harness:
    return await Harness.start(tmp_path, loads(_scenario(policy)))


@pytest.fixture
async def approving(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await _harness(tmp_path, "approve")
    yield h
    await h.close()


@pytest.fixture
async def opt_in_only(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await _harness(tmp_path, "reject_without_opt_in")
    yield h
    await h.close()


@pytest.fixture
async def manual(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await _harness(tmp_path, "manual")
    yield h
    await h.close()


async def _setup(
    harness: Harness, key: str | None = None
) -> tuple[API, dict[str, Any], dict[str, Any]]:
    api = harness.close_api(key or await harness.new_org())
    lead = await in_thread(
        api.post,
        "lead",
        {
            "name": "Bluth Company",
            "contacts": [
                {"name": "George Bluth", "phones": [{"phone": "+14155550199", "type": "mobile"}]}
            ],
        },
    )
    number = await in_thread(api.post, "phone_number/request/internal", {"country": "US"})
    return api, lead, number


def _final(sms: dict[str, Any]) -> bool:
    return sms["status"] in ("error", "inbox") or sms["delivery_status"] in (
        "delivered",
        "undelivered",
        "failed",
    )


async def _until(
    api: API, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        got: dict[str, Any] = await in_thread(api.get, path)
        return got if done(got) else None

    return await eventually(check, timeout)


async def _send(
    api: API, lead: dict[str, Any], number: dict[str, Any], text: str, remote: str | None = None
) -> dict[str, Any]:
    sent: dict[str, Any] = await in_thread(
        api.post,
        "activity/sms",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": remote or lead["contacts"][0]["phones"][0]["phone"],
            "text": text,
        },
    )
    return sent


def _form(number: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "phone_number_id": number["id"],
        "website": "https://bluth.example.com",
        "content_type": "marketing",
        "examples": [SALE],
        "opted_in": True,
        "relationship": "Customers who bought a banana stand",
        **changes,
    }


async def test_spam_then_whitelisted_then_delivered(approving: Harness) -> None:
    api, lead, number = await _setup(approving)
    blocked = await _until(
        api, f"activity/sms/{(await _send(api, lead, number, SALE))['id']}", _final
    )
    assert (blocked["status"], blocked["error_reason"], blocked["error_code"]) == (
        "error",
        "spam",
        30007,
    )
    assert blocked["cost"] == "0.83"  # the carrier took it before filtering: billed
    shown = await in_thread(api.get, f"phone_number/{number['id']}")
    assert (shown["whitelisted"], shown["spam_flagged_count"]) == (False, 1)

    filed = await in_thread(api.post, "sms_whitelist_request", _form(number))
    assert filed["status"] == "submitted" and filed["phone_number_id"] == number["id"]
    decided = await _until(
        api, f"sms_whitelist_request/{filed['id']}", lambda r: r["status"] != "submitted"
    )
    assert (decided["status"], decided["reason"]) == ("approved", None)
    shown = await in_thread(api.get, f"phone_number/{number['id']}")
    assert (shown["whitelisted"], shown["spam_flagged_count"]) == (True, 1)

    again = await _until(
        api, f"activity/sms/{(await _send(api, lead, number, SALE))['id']}", _final
    )
    assert (again["status"], again["delivery_status"], again["error_reason"]) == (
        "sent",
        "delivered",
        None,
    )
    causes = [m["cause"] for m in await approving.oracle()]
    assert causes == ["spam:promotions", "delivered"]


async def test_no_opt_in_is_rejected_with_the_carriers_reason(opt_in_only: Harness) -> None:
    api, _, number = await _setup(opt_in_only)
    filed = await in_thread(api.post, "sms_whitelist_request", _form(number, opted_in=False))
    decided = await _until(
        api, f"sms_whitelist_request/{filed['id']}", lambda r: r["status"] != "submitted"
    )
    assert decided["status"] == "rejected"
    assert decided["reason"] == "Recipients did not opt in to receive messages"
    assert (await in_thread(api.get, f"phone_number/{number['id']}"))["whitelisted"] is False
    # decided, the number may ask again; with opt-in, this carrier approves
    second = await in_thread(api.post, "sms_whitelist_request", _form(number))
    assert (
        await _until(
            api, f"sms_whitelist_request/{second['id']}", lambda r: r["status"] != "submitted"
        )
    )["status"] == "approved"
    listed = await in_thread(api.get, "sms_whitelist_request")
    assert [r["status"] for r in listed["data"]] == ["approved", "rejected"]


async def test_invalid_forms_get_field_errors(manual: Harness) -> None:
    api, _, number = await _setup(manual)
    external = await in_thread(api.post, "phone_number", {"number": "+16502530000"})
    no_examples = _form(number)
    del no_examples["examples"]
    for body, field in (
        (no_examples, "examples"),
        (_form(number, website="bluth dot com"), "website"),
        (_form(external), "phone_number_id"),
    ):
        with pytest.raises(ValidationError) as caught:
            await in_thread(api.post, "sms_whitelist_request", body)
        assert list(caught.value.field_errors) == [field], caught.value.field_errors
    first = await in_thread(api.post, "sms_whitelist_request", _form(number))
    with pytest.raises(ValidationError) as caught:
        await in_thread(api.post, "sms_whitelist_request", _form(number))
    assert first["id"] in caught.value.field_errors["phone_number_id"]
    assert len((await in_thread(api.get, "sms_whitelist_request"))["data"]) == 1


# Twilio's segment calculator: GSM-7 holds 160 septets in one segment and 153 per segment of a
# longer message; UCS-2 70 and 67; each character of GSM-7's extension table takes two septets.
SEGMENTS = [
    ("a" * 160, 1, "GSM-7"),
    ("a" * 161, 2, "GSM-7"),
    ("a" * 306, 2, "GSM-7"),
    ("a" * 307, 3, "GSM-7"),
    ("ж" * 70, 1, "UCS-2"),
    ("ж" * 71, 2, "UCS-2"),
    *((("a" * 158 + char), 1, "GSM-7") for char in "^{}\\[~]|€"),
    *((("a" * 159 + char), 2, "GSM-7") for char in "^{}\\[~]|€"),
]


async def test_segments_match_twilios_calculator(manual: Harness) -> None:
    api, lead, number = await _setup(manual)
    for text, segments, encoding in SEGMENTS:
        draft = await in_thread(
            api.post,
            "activity/sms",
            {
                "status": "draft",
                "lead_id": lead["id"],
                "local_phone": number["number"],
                "remote_phone": "+14155550199",
                "text": text,
            },
        )
        assert (draft["segments"], draft["encoding"]) == (segments, encoding), text
        assert draft["cost"] == str(Decimal("0.83") * segments)


async def _mixed_traffic(
    harness: Harness, api: API, lead: dict[str, Any], us: dict[str, Any]
) -> list[str]:
    """Several countries and directions, with failures before and after the carrier."""
    numbers = {
        c: await in_thread(api.post, "phone_number/request/internal", {"country": c})
        for c in ("GB", "AU", "CA")
    }
    sent = [
        await _send(api, lead, us, "Hello"),
        await _send(api, lead, us, "x" * 200),  # two segments
        await _send(api, lead, us, "Bonjour", remote="+16135550100"),  # to Canada
        await _send(api, lead, numbers["CA"], "Hi from Ottawa"),
        await _send(api, lead, numbers["GB"], "Hello London", remote="+447400100001"),
        await _send(api, lead, numbers["AU"], "G'day", remote="+61491570156"),
        await _send(api, lead, us, "Anyone there?", remote="+14155550188"),  # 30003 later
        await _send(api, lead, us, SALE),  # spam: 30007 after acceptance
        await _send(api, lead, us, "To the UK", remote="+447400100002"),  # not from US
        await _send(api, lead, us, "Landline?", remote="+15005550009"),  # 21614 at create
    ]
    await harness.handset_sends("+14155550177", us["number"], "STOP")
    await harness.handset_sends("+447400100009", numbers["GB"]["number"], "Cheers")
    sent.append(await _send(api, lead, us, "After STOP", remote="+14155550177"))
    return [s["id"] for s in sent]


async def _all_sms(api: API) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = await in_thread(api.get, "activity/sms", params={"_skip": len(found)})
        found += page["data"]
        if not page["has_more"]:
            return found


async def test_usage_totals_are_the_sum_over_activities(approving: Harness) -> None:
    key = await approving.new_org()
    api, lead, us = await _setup(approving, key)
    ids = await _mixed_traffic(approving, api, lead, us)
    for sms_id in ids:
        await _until(api, f"activity/sms/{sms_id}", _final)

    async def inbound_arrived() -> list[dict[str, Any]] | None:
        every = await _all_sms(api)
        return every if sum(s["direction"] == "inbound" for s in every) == 2 else None

    activities = await eventually(inbound_arrived)
    by_reason = {s["error_reason"]: s for s in activities if s["status"] == "error"}
    for refused in ("unsupported_country", "landline", "opted_out"):
        assert by_reason[refused]["cost"] is None, refused  # never billed
    for accepted in ("spam", "unreachable"):
        assert by_reason[accepted]["cost"] == "0.83", accepted
    billed = [s for s in activities if s["cost"] is not None]
    assert len(billed) == 10  # 8 accepted outbound, 2 inbound

    today = dates.now().date()
    params = {
        "date_start": str(today - timedelta(days=1)),
        "date_end": str(today),
        "group_by": "country",
    }
    report = await in_thread(api.get, "usage/sms", params=params)
    totals = report["totals"]
    assert totals["messages"] == len(billed)
    assert totals["segments"] == sum(s["segments"] for s in billed)
    assert Decimal(totals["cost"]) == sum(Decimal(s["cost"]) for s in billed)
    for direction in ("outbound", "inbound"):
        mine = [s for s in billed if s["direction"] == direction]
        assert totals[f"{direction}_messages"] == len(mine)
        assert Decimal(totals[f"{direction}_cost"]) == sum(Decimal(s["cost"]) for s in mine)
    expected: dict[str, Decimal] = {}
    for s in billed:
        country = (
            s["remote_country_iso"] if s["direction"] == "outbound" else s["local_country_iso"]
        )
        expected[country] = expected.get(country, Decimal(0)) + Decimal(s["cost"])
    assert {r["country"]: Decimal(r["cost"]) for r in report["data"]} == expected
    assert expected["GB"] == Decimal("4.6") + Decimal("0.83")  # out at GB's rate, in at 0.83

    async with approving.session.get(
        f"{approving.url}/api/v1/usage/sms/",
        params={**params, "format": "csv"},
        headers={"Authorization": aiohttp.encode_basic_auth(key, "")},
    ) as response:
        assert response.status == 200
        rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["country"] for r in rows] == [*(r["country"] for r in report["data"]), "total"]
    for row, same in zip(rows, [*report["data"], totals], strict=True):
        assert {c: row[c] for c in COLUMNS} == {c: str(same[c]) for c in COLUMNS}
