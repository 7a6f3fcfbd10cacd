"""`POST /carrier/whitelist`: signed decisions only, decided once, and the number's flag."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from telecom import compute_signature
from tests.gateway.api.test_sms_whitelist_request import MANUAL, form
from tests.gateway.harness import Harness, eventually


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, MANUAL)
    yield h
    await h.close()


async def _post(
    harness: Harness, fields: dict[str, str], token: str | None = DEFAULT_AUTH_TOKEN
) -> tuple[int, Any]:
    headers = {}
    if token is not None:
        headers["X-Twilio-Signature"] = compute_signature(
            f"{harness.url}/carrier/whitelist", fields, token
        )
    return await harness.request(None, "POST", "/carrier/whitelist", data=fields, headers=headers)


def _decision(sid: str, phone: str, status: str, reason: str | None = None) -> dict[str, str]:
    fields = {
        "WhitelistRequestSid": sid,
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "PhoneNumber": phone,
        "Status": status,
    }
    if reason:
        fields["Reason"] = reason
    return fields


async def _filed(harness: Harness) -> tuple[str, dict[str, Any], dict[str, Any]]:
    key = await harness.new_org()
    number = await harness.rent(key)
    return key, number, await harness.api(key, "POST", "sms_whitelist_request/", form(number))


async def test_unsigned_or_forged_decisions_are_403_and_change_nothing(harness: Harness) -> None:
    key, number, filed = await _filed(harness)
    forged = _decision(filed["carrier_sid"], number["number"], "approved")
    for token in (None, "not-the-token"):
        status, _ = await _post(harness, forged, token)
        assert status == 403
    assert await harness.api(key, "GET", f"sms_whitelist_request/{filed['id']}/") == filed
    assert (await harness.api(key, "GET", f"phone_number/{number['id']}/"))["whitelisted"] is False


async def test_a_decision_is_applied_once(harness: Harness) -> None:
    key, number, filed = await _filed(harness)
    sid, phone = filed["carrier_sid"], number["number"]
    status, _ = await _post(harness, _decision(sid, phone, "rejected", "No opt-in"))
    assert status == 200
    for late in (_decision(sid, phone, "approved"), _decision(sid, phone, "rejected", "x")):
        assert (await _post(harness, late))[0] == 200
    got = await harness.api(key, "GET", f"sms_whitelist_request/{filed['id']}/")
    assert (got["status"], got["reason"]) == ("rejected", "No opt-in")
    assert got["date_decided"] is not None
    assert (await harness.api(key, "GET", f"phone_number/{number['id']}/"))["whitelisted"] is False


async def test_incomplete_decisions_are_400(harness: Harness) -> None:
    _, number, filed = await _filed(harness)
    for fields in (
        _decision(filed["carrier_sid"], number["number"], "pending"),
        {"Status": "approved"},
    ):
        assert (await _post(harness, fields))[0] == 400


async def test_the_carriers_decision_arrives_by_callback(harness: Harness) -> None:
    key, number, filed = await _filed(harness)
    async with harness.session.post(
        f"{harness.sim.url}/_sim/whitelist/{filed['carrier_sid']}", json={"decision": "approved"}
    ) as response:
        assert response.status == 200

    async def approved() -> dict[str, Any] | None:
        got = await harness.api(key, "GET", f"sms_whitelist_request/{filed['id']}/")
        return got if got["status"] == "approved" else None

    done = await eventually(approved, 5)
    assert done["reason"] is None
    shown = await harness.api(key, "GET", f"phone_number/{number['id']}/")
    assert (shown["whitelisted"], shown["spam_flagged_count"]) == (True, 0)
