"""/api/v1/activity/sms/: validation, drafts, cancelling, filters, and the error shapes."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.gateway.harness import Harness


async def _ready(harness: Harness) -> tuple[str, dict[str, Any], dict[str, Any]]:
    key = await harness.new_org()
    return key, await harness.rent(key), await harness.lead_with(key, "+14155550199")


def _body(lead: dict[str, Any], number: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "status": "outbox",
        "lead_id": lead["id"],
        "local_phone": number["number"],
        "remote_phone": "+14155550199",
        "text": "hi",
        **extra,
    }


async def _post(harness: Harness, key: str, body: Any) -> tuple[int, Any]:
    return await harness.request(key, "POST", "/api/v1/activity/sms/", json=body)


async def test_field_errors(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    cases = [
        ({"text": ""}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"remote_phone": "+1 555"}, "remote_phone"),
        ({"remote_phone": None}, "remote_phone"),
        ({"local_phone": "+14155550999"}, "local_phone"),
        ({"local_phone": None}, "local_phone"),
        ({"status": "sending"}, "status"),
        ({"status": None}, "status"),
        ({"lead_id": "lead_x"}, "lead_id"),
        ({"contact_id": "cont_x"}, "contact_id"),
        ({"send_in": 60}, "send_in"),
        ({"status": "scheduled"}, "date_scheduled"),
        ({"status": "scheduled", "date_scheduled": "soon"}, "date_scheduled"),
        ({"template_id": "smstmpl_1"}, "template_id"),
    ]
    for change, field in cases:
        status, body = await _post(harness, key, _body(lead, number, **change))
        assert status == 400, (change, body)
        assert field in body["field-errors"], (change, body)
    assert await harness.oracle() == []


async def test_text_of_exactly_1000_is_fine_and_priced_by_segment(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    sms = await harness.api(
        key, "POST", "activity/sms/", _body(lead, number, text="x" * 1000, status="draft")
    )
    assert (sms["segments"], sms["encoding"], sms["cost"]) == (7, "GSM-7", "5.81")
    emoji = await harness.api(
        key, "POST", "activity/sms/", _body(lead, number, text="Hi 👋", status="draft")
    )
    assert (emoji["segments"], emoji["encoding"]) == (1, "UCS-2")


async def test_unsupported_country_never_reaches_the_carrier(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    sms = await harness.api(
        key, "POST", "activity/sms/", _body(lead, number, remote_phone="+447400100001")
    )
    assert (sms["status"], sms["error_reason"]) == ("error", "unsupported_country")
    assert sms["error_message"] == (
        "The recipient's phone number is in a country we don't send SMS to"
    )
    assert sms["cost"] is None  # refused before the carrier: it costs nothing
    await asyncio.sleep(0.3)
    assert await harness.oracle() == []
    assert (await harness.sms(key, sms["id"]))["status"] == "error"


async def test_canadian_number_reaches_us_and_ca(harness: Harness) -> None:
    key, _, lead = await _ready(harness)
    canadian = await harness.rent(key, "CA")
    sms = await harness.send(key, lead, canadian["number"])
    done = await harness.settle(key, sms["id"], lambda s: s["delivery_status"] == "delivered")
    assert done["local_country_iso"] == "CA" and done["remote_country_iso"] == "US"


async def test_only_drafts_are_editable(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    draft = await harness.api(
        key, "POST", "activity/sms/", _body(lead, number, status="draft", text="v1")
    )
    edited = await harness.api(key, "PUT", f"activity/sms/{draft['id']}/", {"text": "v2"})
    assert (edited["text"], edited["status"]) == ("v2", "draft")
    status, body = await harness.request(
        key, "PUT", f"/api/v1/activity/sms/{draft['id']}/", json={"text": "x" * 1001}
    )
    assert status == 400 and "text" in body["field-errors"]
    sent = await harness.api(key, "PUT", f"activity/sms/{draft['id']}/", {"status": "outbox"})
    assert sent["status"] == "outbox"
    done = await harness.settle(key, draft["id"], lambda s: s["delivery_status"] == "delivered")
    assert done["text"] == "v2"
    status, body = await harness.request(
        key, "PUT", f"/api/v1/activity/sms/{draft['id']}/", json={"text": "too late"}
    )
    assert status == 400 and "Only drafts" in body["error"]
    status, body = await harness.request(
        key, "PUT", f"/api/v1/activity/sms/{draft['id']}/", json={"status": "draft"}
    )
    assert status == 400


async def test_undo_within_send_in(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    sms = await harness.api(key, "POST", "activity/sms/", _body(lead, number, send_in=1))
    undone = await harness.api(key, "PUT", f"activity/sms/{sms['id']}/", {"status": "draft"})
    assert undone["status"] == "draft"
    await asyncio.sleep(1.3)
    assert await harness.oracle() == []


async def test_logging_sent_and_inbox(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    logged = await harness.api(
        key,
        "POST",
        "activity/sms/",
        {
            "status": "inbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": "+14155550199",
            "text": "they wrote",
            "source": "External",
        },
    )
    assert (logged["direction"], logged["status"], logged["source"]) == (
        "inbound",
        "inbox",
        "External",
    )
    sent = await harness.api(key, "POST", "activity/sms/", _body(lead, number, status="sent"))
    assert sent["status"] == "sent" and sent["date_sent"] is not None
    await asyncio.sleep(0.2)
    assert await harness.oracle() == []


async def test_filters_and_fields(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    other = await harness.lead_with(key, "+14155550198")
    drafts = [
        await harness.api(
            key, "POST", "activity/sms/", _body(lead, number, status="draft", text=f"d{i}")
        )
        for i in range(2)
    ]
    await harness.api(
        key,
        "POST",
        "activity/sms/",
        _body(other, number, status="draft", remote_phone="+14155550198"),
    )
    await harness.api(key, "POST", "activity/sms/", _body(lead, number, status="inbox"))

    async def ids(query: str) -> list[str]:
        return [
            s["text"] for s in (await harness.api(key, "GET", f"activity/sms/?{query}"))["data"]
        ]

    assert await ids(f"lead_id={lead['id']}&status=draft") == ["d1", "d0"]
    assert await ids(f"lead_id={lead['id']},{other['id']}&direction=outbound") == ["hi", "d1", "d0"]
    assert await ids(f"lead_id={lead['id']}&lead_id={other['id']}&status=inbox") == ["hi"]
    assert await ids(f"contact_id={lead['contacts'][0]['id']}&status=draft") == ["d1", "d0"]
    assert await ids(f"id__in={drafts[0]['id']}") == ["d0"]
    created = drafts[1]["date_created"].replace("+00:00", "Z")
    assert await ids(f"date_created__gte={created}&status=draft") == ["hi", "d1"]
    assert await ids(f"date_created__lte={created}&status=draft") == ["d1", "d0"]
    assert await ids("date_created__lte=2000-01-01") == []
    picked = await harness.api(key, "GET", f"activity/sms/{drafts[0]['id']}/?_fields=id,text")
    assert picked == {"id": drafts[0]["id"], "text": "d0"}


async def test_error_shapes_and_paths(harness: Harness) -> None:
    key, number, lead = await _ready(harness)
    status, body = await harness.request(
        key,
        "POST",
        "/api/v1/activity/sms/",
        data=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body) == (400, {"error": "The request contains invalid JSON."})
    status, body = await harness.request(key, "POST", "/api/v1/activity/sms/", json=[1, 2])
    assert status == 400 and "error" in body
    for query, fragment in (
        ("_limit=1000", "max_limit = 100"),
        ("_limit=x", "_limit must"),
        ("_skip=-1", "_skip must"),
        ("date_created__gte=bad", "date_"),
    ):
        status, body = await harness.request(key, "GET", f"/api/v1/activity/sms/?{query}")
        assert status == 400 and fragment in body["error"], (query, body)
    status, body = await harness.request(key, "GET", "/api/v1/nothing/")
    assert status == 404 and "error" in body
    status, body = await harness.request(key, "PATCH", "/api/v1/lead/")
    assert status == 405 and "error" in body
    status, body = await harness.request(None, "GET", "/api/v1/lead/")
    assert (status, body) == (401, {"error": "Unauthorized"})
    no_slash = await harness.api(key, "POST", "activity/sms", _body(lead, number, status="draft"))
    assert (await harness.api(key, "GET", f"activity/sms/{no_slash['id']}"))["id"] == no_slash["id"]
    assert await harness.api(key, "DELETE", f"activity/sms/{no_slash['id']}/") == {}
    status, _ = await harness.request(key, "GET", f"/api/v1/activity/sms/{no_slash['id']}/")
    assert status == 404


async def test_health(harness: Harness) -> None:
    assert await harness.request(None, "GET", "/healthz") == (200, {"status": "ok"})
    assert await harness.ops("/readyz") == (200, {"status": "ready"})
