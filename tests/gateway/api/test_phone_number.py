"""/api/v1/phone_number/: renting through the carrier, labels, release, external numbers."""

from __future__ import annotations

import aiohttp

from tests.gateway.harness import Harness


async def _carrier_numbers(harness: Harness) -> list[str]:
    from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

    url = f"{harness.sim.url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/IncomingPhoneNumbers.json"
    headers = {"Authorization": aiohttp.encode_basic_auth(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)}
    async with harness.session.get(url, headers=headers) as response:
        return [n["phone_number"] for n in (await response.json())["incoming_phone_numbers"]]


async def test_rent_in_each_default_country(harness: Harness) -> None:
    key = await harness.new_org()
    expected = {"US": ["CA", "US"], "CA": ["CA", "US"], "GB": ["GB"], "AU": ["AU"]}
    for country, texts in expected.items():
        number = await harness.rent(key, country)
        assert number["country"] == country
        assert number["supports_sms_to_countries"] == texts
        assert number["sms_enabled"] is True and number["type"] == "internal"
        assert number["number_formatted"].startswith("+")
    listed = (await harness.api(key, "GET", "phone_number/"))["data"]
    assert [n["country"] for n in listed] == list(expected)
    assert sorted(await _carrier_numbers(harness)) == sorted(n["number"] for n in listed)


async def test_rent_with_an_area_code(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key, "US", "650")
    assert number["number"].startswith("+1650")
    status, body = await harness.request(
        key,
        "POST",
        "/api/v1/phone_number/request/internal/",
        json={"country": "US", "prefix": "999"},
    )
    assert status == 400
    assert body["status"] == "error" and "prefix 999" in body["error"]


async def test_rent_rejects_other_countries(harness: Harness) -> None:
    key = await harness.new_org()
    for body in ({"country": "FR"}, {}, {"country": "US", "prefix": "abc"}):
        status, answer = await harness.request(
            key, "POST", "/api/v1/phone_number/request/internal", json=body
        )
        assert status == 400
        assert set(answer["field-errors"]) <= {"country", "prefix"} and answer["field-errors"]


async def test_label_and_release(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    updated = await harness.api(key, "PUT", f"phone_number/{number['id']}/", {"label": "Sales"})
    assert updated["label"] == "Sales"
    assert (await harness.api(key, "GET", f"phone_number/{number['id']}"))["label"] == "Sales"
    assert number["number"] in await _carrier_numbers(harness)
    assert await harness.api(key, "DELETE", f"phone_number/{number['id']}/") == {"ended_sms": 0}
    assert number["number"] not in await _carrier_numbers(harness)
    status, _ = await harness.request(key, "GET", f"/api/v1/phone_number/{number['id']}/")
    assert status == 404


async def test_external_numbers_never_send(harness: Harness) -> None:
    key = await harness.new_org()
    external = await harness.api(
        key, "POST", "phone_number/", {"number": "+1 650 253 0000", "label": "my cell"}
    )
    assert external["type"] == "external" and external["sms_enabled"] is False
    assert external["supports_sms_to_countries"] == []
    lead = await harness.lead_with(key, "+14155550199")
    status, body = await harness.request(
        key,
        "POST",
        "/api/v1/activity/sms/",
        json={
            "status": "outbox",
            "lead_id": lead["id"],
            "local_phone": external["number"],
            "remote_phone": "+14155550199",
            "text": "hi",
        },
    )
    assert status == 400
    assert "External numbers cannot send SMS" in body["field-errors"]["local_phone"]
    status, body = await harness.request(
        key, "POST", "/api/v1/phone_number/", json={"number": "12"}
    )
    assert status == 400 and "number" in body["field-errors"]


async def test_a_number_we_still_hold_is_not_rented_again_after_a_carrier_reset(
    harness: Harness,
) -> None:
    first_key, second_key = await harness.new_org("A"), await harness.new_org("B")
    held = (await harness.rent(first_key, "US", "415"))["number"]
    async with harness.session.post(f"{harness.sim.url}/_sim/reset") as response:
        assert response.status == 200  # the carrier forgot it sold `held`
    status, body = await harness.request(
        second_key,
        "POST",
        "/api/v1/phone_number/request/internal/",
        json={"country": "US", "prefix": "415"},
    )
    assert status == 201, body
    assert body["number"] != held


async def test_release_ends_the_numbers_waiting_sms_without_a_carrier_call(
    harness: Harness,
) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550199")
    later = await harness.send(
        key, lead, number["number"], status="scheduled", date_scheduled="2099-01-01T09:00:00+00:00"
    )
    undo = await harness.send(key, lead, number["number"], send_in=50)
    answer = await harness.api(key, "DELETE", f"phone_number/{number['id']}/")
    assert answer == {"ended_sms": 2}
    for sms in (later, undo):
        ended = await harness.sms(key, sms["id"])
        assert (ended["status"], ended["error_reason"], ended["cost"]) == (
            "error",
            "number_released",
            None,
        )
        assert (
            ended["error_message"] == "The sending number was released before this message was sent"
        )
    assert await harness.oracle() == []  # the carrier never saw them
