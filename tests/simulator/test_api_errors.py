"""Bad input gets Twilio's error shape and a 4xx, never a 500."""

from __future__ import annotations

import base64
import random
import string

import pytest
from aiohttp.test_utils import TestClient

from simulator.app import create_app
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as SID
from simulator.scenario.carrier_model import DEFAULT_AUTH_TOKEN as TOKEN


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


AUTH = _basic(SID, TOKEN)
BASE = f"/2010-04-01/Accounts/{SID}"


@pytest.fixture
async def client(aiohttp_client) -> TestClient:  # type: ignore[no-untyped-def]
    return await aiohttp_client(create_app())


async def _error(response, status: int, code: int | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status == status, await response.text()
    body = await response.json()
    assert set(body) >= {"code", "message", "more_info", "status"}
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+15005550006", "Body": "x"}, 21604),
        ({"To": "+14155550100", "Body": "x"}, 21603),
        ({"To": "+14155550100", "From": "+15005550006"}, 21602),
        ({"To": "+14155550100", "From": "+15005550006", "Body": "x", "ValidityPeriod": "0"}, 90007),
        (
            {"To": "+14155550100", "From": "+15005550006", "Body": "x", "ValidityPeriod": "ten"},
            90007,
        ),
        (
            {"To": "+14155550100", "From": "+15005550006", "Body": "x", "SendAt": "2030-01-01"},
            35118,
        ),
        (
            {
                "To": "+14155550100",
                "From": "+15005550006",
                "Body": "x",
                "SendAt": "soon",
                "ScheduleType": "fixed",
                "MessagingServiceSid": "MG" + "1" * 32,
            },
            20001,
        ),
        ({"To": "not a number", "From": "+15005550006", "Body": "x"}, 21211),
    ],
)
async def test_bad_create_parameters(client: TestClient, form: dict[str, str], code: int) -> None:
    await _error(await client.post(f"{BASE}/Messages.json", data=form, headers=AUTH), 400, code)


async def test_unknown_resources_and_methods(client: TestClient) -> None:
    await _error(await client.get(f"{BASE}/Messages/SM{'0' * 32}.json", headers=AUTH), 404, 20404)
    await _error(await client.get(f"{BASE}/Nothing.json", headers=AUTH), 404, 20404)
    await _error(await client.put(f"{BASE}/Messages.json", headers=AUTH), 405)
    await _error(await client.get(f"{BASE}/AvailablePhoneNumbers/FR/Local.json", headers=AUTH), 404)
    await _error(await client.get(f"{BASE}/Messages.json?PageSize=0", headers=AUTH), 400)
    await _error(await client.get(f"{BASE}/Messages.json?DateSent%3C=yesterday", headers=AUTH), 400)
    await _error(await client.get(f"{BASE}/Messages.json?PageToken=PAnope", headers=AUTH), 400)


async def test_missing_or_wrong_credentials(client: TestClient) -> None:
    body = await _error(await client.get(f"{BASE}/Messages.json"), 401, 20003)
    assert body["message"] == "Authenticate"
    await _error(await client.get(f"{BASE}/Messages.json", headers=_basic(SID, "nope")), 401, 20003)
    other = "AC" + "b" * 32
    await _error(await client.get(f"/2010-04-01/Accounts/{other}/Messages.json", headers=AUTH), 401)
    await _error(
        await client.get(f"{BASE}/Messages.json", headers={"Authorization": "Basic !!"}), 401
    )


async def test_random_garbage_never_gets_a_500(client: TestClient) -> None:
    rng = random.Random(7)
    names = [
        "To",
        "From",
        "Body",
        "StatusCallback",
        "ValidityPeriod",
        "SendAt",
        "ScheduleType",
        "MessagingServiceSid",
        "PhoneNumber",
        "AreaCode",
        "SmsUrl",
        "SmsMethod",
        "Status",
    ]
    alphabet = string.printable + "é€😀\x00"
    paths = [
        f"{BASE}/Messages.json",
        f"{BASE}/IncomingPhoneNumbers.json",
        f"{BASE}/Messages/SM{'a' * 32}.json",
        f"{BASE}/SmsWhitelistRequests.json",
    ]
    for _ in range(300):
        form = {
            rng.choice(names): "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
            for _ in range(rng.randint(0, 6))
        }
        response = await client.post(rng.choice(paths), data=form, headers=AUTH)
        assert response.status < 500, (form, await response.text())
        if response.status >= 400:
            assert "code" in await response.json()
    response = await client.post(
        f"{BASE}/Messages.json",
        data=b"\xff\xfe%%%",
        headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status < 500
