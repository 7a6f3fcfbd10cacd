"""The carrier client's whitelist request on the wire: the form, repeated Examples, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from gateway.core.errors import CarrierRejected
from gateway.workers.carrier_client import CarrierClient
from telecom import error_body
from tests.gateway.fakes import FakeTwilio

SID = "AC" + "b" * 32


Raw = list[list[tuple[str, str]]]


@pytest.fixture
async def twilio() -> AsyncIterator[tuple[FakeTwilio, CarrierClient, Raw]]:
    fake, raw = FakeTwilio(), []

    async def keep_raw(request: web.Request, _form: dict[str, str]) -> None:
        # FakeTwilio's own record keeps one value per key; Examples repeat
        raw.append([(k, str(v)) for k, v in (await request.post()).items()])

    fake.hook = keep_raw
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with aiohttp.ClientSession() as session:
        yield fake, CarrierClient(url, SID, "token", session, 2.0), raw
    await runner.cleanup()


async def test_request_whitelist_form(twilio: tuple[FakeTwilio, CarrierClient, Raw]) -> None:
    fake, client, raw_forms = twilio
    fake.answers.append((201, {"sid": "WL" + "1" * 32, "status": "submitted"}))
    submitted = await client.request_whitelist(
        phone_number="+14155550100",
        website="https://acme.example.com",
        content_type="marketing",
        examples=("one", "two"),
        opted_in=False,
        relationship="customers",
        status_callback="http://gw/carrier/whitelist",
    )
    assert (submitted.sid, submitted.status) == ("WL" + "1" * 32, "submitted")
    [(method, path, _, headers)] = fake.seen
    assert method == "POST" and path == f"/2010-04-01/Accounts/{SID}/SmsWhitelistRequests.json"
    assert headers["Authorization"].startswith("Basic ")
    [raw] = raw_forms
    assert raw == [
        ("PhoneNumber", "+14155550100"),
        ("Website", "https://acme.example.com"),
        ("ContentType", "marketing"),
        ("Examples", "one"),
        ("Examples", "two"),
        ("OptedIn", "false"),
        ("Relationship", "customers"),
        ("StatusCallback", "http://gw/carrier/whitelist"),
    ]


async def test_a_refusal_is_carrier_rejected(twilio: tuple[FakeTwilio, CarrierClient, Raw]) -> None:
    fake, client, _ = twilio
    fake.answers.append((400, error_body(21606, "PhoneNumber must be an SMS number", 400)))
    with pytest.raises(CarrierRejected) as caught:
        await client.request_whitelist(
            phone_number="+14155550100",
            website="https://a.example",
            content_type="other",
            examples=("x",),
            opted_in=True,
            relationship="r",
            status_callback="http://gw/",
        )
    assert caught.value.code == 21606
