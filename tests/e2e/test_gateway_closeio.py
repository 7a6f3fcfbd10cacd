"""Close's own Python client against the gateway, with the simulator as its carrier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from closeio_api import API, APIError, ValidationError

from tests.gateway.harness import Harness, eventually, in_thread


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path)
    yield h
    await h.close()


async def _setup(harness: Harness) -> tuple[API, dict, dict]:
    api = harness.close_api(await harness.new_org())
    lead = await in_thread(
        api.post,
        "lead",
        {
            "name": "Bluth Company",
            "contacts": [
                {"name": "George Bluth", "phones": [{"phone": "+1 415 555 0199", "type": "mobile"}]}
            ],
        },
    )
    number = await in_thread(api.post, "phone_number/request/internal", {"country": "US"})
    return api, lead, number


async def _final(api: API, sms_id: str) -> dict:
    async def check() -> dict | None:
        sms = await in_thread(api.get, f"activity/sms/{sms_id}")
        final = (
            sms["delivery_status"] in ("delivered", "undelivered", "failed")
            or sms["status"] == "error"
        )
        return sms if final else None

    return await eventually(check, 10)


async def test_lead_number_and_delivered_sms(harness: Harness) -> None:
    api, lead, number = await _setup(harness)
    contact = lead["contacts"][0]
    assert lead["id"].startswith("lead_") and contact["id"].startswith("cont_")
    assert contact["phones"][0]["phone"] == "+14155550199"  # stored E.164
    assert contact["phones"][0]["outbound_sms_blocked"] is False
    assert number["id"].startswith("phon_") and number["type"] == "internal"
    assert number["sms_enabled"] is True and number["supports_sms_to_countries"] == ["CA", "US"]
    assert number["number"].startswith("+1")

    sms = await in_thread(
        api.post,
        "activity/sms",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "contact_id": contact["id"],
            "local_phone": number["number"],
            "remote_phone": "+14155550199",
            "text": "Hello from the gateway",
        },
    )
    assert sms["id"].startswith("acti_") and sms["status"] == "outbox"
    assert (sms["segments"], sms["encoding"], sms["cost"]) == (1, "GSM-7", "0.83")
    assert sms["date_created"].endswith("+00:00")
    done = await _final(api, sms["id"])
    assert done["status"] == "sent" and done["delivery_status"] == "delivered"
    assert done["error_reason"] is None and done["date_sent"] is not None
    [seen] = await harness.oracle()
    assert seen["idempotency_key"] == sms["id"] and seen["body"] == "Hello from the gateway"


async def test_landline_ends_error_landline(harness: Harness) -> None:
    api, lead, number = await _setup(harness)
    # Twilio's magic landline: the carrier answers 21614 at create
    sms = await in_thread(
        api.post,
        "activity/sms",
        {
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": number["number"],
            "remote_phone": "+15005550009",
            "text": "Are you a landline?",
        },
    )
    done = await _final(api, sms["id"])
    assert done["status"] == "error"
    assert (done["error_reason"], done["error_code"]) == ("landline", 21614)
    assert done["error_message"] == (
        "The recipient's phone number does not support SMS (for example a landline)"
    )


async def test_paging_with_has_more(harness: Harness) -> None:
    api, lead, number = await _setup(harness)
    for i in range(5):
        await in_thread(
            api.post,
            "activity/sms",
            {
                "status": "draft",
                "lead_id": lead["id"],
                "local_phone": number["number"],
                "remote_phone": "+14155550199",
                "text": f"draft {i}",
            },
        )
    seen, skip = [], 0
    while True:
        page = await in_thread(
            api.get, "activity/sms", params={"lead_id": lead["id"], "_skip": skip, "_limit": 2}
        )
        seen += [s["text"] for s in page["data"]]
        skip += len(page["data"])
        if not page["has_more"]:
            break
    assert seen == [f"draft {i}" for i in reversed(range(5))]  # newest first
    assert skip == 5


async def test_validation_error_for_long_text(harness: Harness) -> None:
    api, lead, number = await _setup(harness)
    with pytest.raises(ValidationError) as caught:
        await in_thread(
            api.post,
            "activity/sms",
            {
                "status": "outbox",
                "lead_id": lead["id"],
                "local_phone": number["number"],
                "remote_phone": "+14155550199",
                "text": "x" * 1001,
            },
        )
    assert "1000" in caught.value.field_errors["text"]
    assert caught.value.errors == []
    assert await harness.oracle() == []


async def test_wrong_key_is_401(harness: Harness) -> None:
    await harness.new_org()
    api = harness.close_api("api_not-a-key")
    with pytest.raises(APIError) as caught:
        await in_thread(api.get, "lead")
    assert caught.value.response.status_code == 401
    assert caught.value.response.json() == {"error": "Unauthorized"}
