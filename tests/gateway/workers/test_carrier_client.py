"""The carrier client against an in-process fake of Twilio: requests and the error mapping."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.core.errors import CarrierMisconfigured, CarrierRejected, CarrierUnavailable
from gateway.workers.carrier_client import CarrierClient, is_retryable
from telecom import error_body
from tests.gateway.fakes import FakeTwilio

SID = "AC" + "b" * 32


@pytest.mark.parametrize(
    ("http_status", "code", "retry"),
    [
        (400, 21211, False),
        (400, 21408, False),
        (400, 21606, False),
        (400, 21610, False),
        (400, 21614, False),
        (400, 21617, False),
        (401, 20003, False),
        (404, 20404, False),
        (400, 21611, True),  # the sender's queue is full: later
        (429, 20429, True),
        (429, None, True),
        (500, None, True),
        (502, None, True),
        (503, 20500, True),
        (504, None, True),
    ],
)
def test_error_mapping_table(http_status: int, code: int | None, retry: bool) -> None:
    assert is_retryable(http_status, code) is retry


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeTwilio, str]]:
    twilio = FakeTwilio()
    runner = web.AppRunner(twilio.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield twilio, f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def test_send_message_wire(
    fake: tuple[FakeTwilio, str], session: aiohttp.ClientSession
) -> None:
    twilio, url = fake
    twilio.answers.append((201, {"sid": "SM" + "1" * 32, "status": "queued", "num_segments": "2"}))
    client = CarrierClient(url, SID, "tok", session)
    sent = await client.send_message(
        to="+14155550100",
        from_="+14155550101",
        body="hi",
        status_callback="http://gw/carrier/status",
        idempotency_key="acti_1",
    )
    assert (sent.sid, sent.status, sent.num_segments) == ("SM" + "1" * 32, "queued", 2)
    method, path, form, headers = twilio.seen[0]
    assert (method, path) == ("POST", f"/2010-04-01/Accounts/{SID}/Messages.json")
    assert form == {
        "To": "+14155550100",
        "From": "+14155550101",
        "Body": "hi",
        "StatusCallback": "http://gw/carrier/status",
    }
    assert headers["Idempotency-Key"] == "acti_1"
    assert headers["Authorization"] == aiohttp.encode_basic_auth(SID, "tok")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, error_body(21211, "Invalid 'To' Phone Number", 400), CarrierRejected),
        (400, error_body(21614, "'To' number is not a valid mobile number", 400), CarrierRejected),
        (429, error_body(20429, "Too Many Requests", 429), CarrierUnavailable),
        (400, error_body(21611, "queue full", 400), CarrierUnavailable),
        (503, error_body(20503, "Service unavailable", 503), CarrierUnavailable),
        (500, "<html>oops</html>", CarrierUnavailable),
        # wrong token or URL, or not Twilio at all: every message would fail alike
        (401, error_body(20003, "Authenticate", 401), CarrierMisconfigured),
        (403, error_body(20003, "Forbidden", 403), CarrierMisconfigured),
        (404, error_body(20404, "The requested resource was not found", 404), CarrierMisconfigured),
        (404, "404: Not Found", CarrierMisconfigured),
        (418, "not json", CarrierMisconfigured),
        (400, {"error": "bad"}, CarrierMisconfigured),
        (200, "<html>welcome</html>", CarrierMisconfigured),
        (201, {"id": 1, "ok": True}, CarrierMisconfigured),
    ],
)
async def test_errors_become_three_exceptions(
    fake: tuple[FakeTwilio, str],
    session: aiohttp.ClientSession,
    status: int,
    body: Any,
    expected: type[Exception],
) -> None:
    twilio, url = fake
    twilio.answers.append((status, body))
    client = CarrierClient(url, SID, "tok", session)
    with pytest.raises(expected) as caught:
        await client.send_message(
            to="+1", from_="+1", body="x", status_callback="http://x", idempotency_key="k"
        )
    if isinstance(caught.value, CarrierRejected) and isinstance(body, dict):
        assert caught.value.code == body["code"]
        assert caught.value.message == body["message"]


async def test_a_missing_record_is_not_misconfiguration(
    fake: tuple[FakeTwilio, str], session: aiohttp.ClientSession
) -> None:
    twilio, url = fake
    twilio.answers.append((404, error_body(20404, "The requested resource was not found", 404)))
    client = CarrierClient(url, SID, "tok", session)
    with pytest.raises(CarrierRejected) as caught:
        await client.fetch_message_status("SM" + "0" * 32)
    assert caught.value.code == 20404


def _listed(sid: str, created: str, body: str = "hi") -> dict[str, Any]:
    return {
        "sid": sid,
        "status": "queued",
        "direction": "outbound-api",
        "body": body,
        "date_created": created,
        "date_sent": None,
        "num_segments": "1",
    }


async def test_list_messages_filters_by_to_and_from_and_pages_back_to_since(
    fake: tuple[FakeTwilio, str], session: aiohttp.ClientSession
) -> None:
    twilio, url = fake
    root = f"/2010-04-01/Accounts/{SID}"
    twilio.answers += [
        (
            200,
            {
                "messages": [_listed("SM1", "Mon, 02 Mar 2026 10:00:05 +0000")],
                "next_page_uri": f"{root}/Messages.json?To=%2B1&PageSize=1&Page=1&PageToken=PA1",
            },
        ),
        (
            200,
            {
                "messages": [_listed("SM2", "Mon, 02 Mar 2026 09:00:00 +0000")],
                "next_page_uri": f"{root}/Messages.json?To=%2B1&PageSize=1&Page=2&PageToken=PA2",
            },
        ),
    ]
    client = CarrierClient(url, SID, "tok", session)
    since = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    found = await client.list_messages(to="+14155550100", from_="+14155550101", since=since)
    assert [(m.sid, m.date_created) for m in found] == [
        ("SM1", datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)),
        ("SM2", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    ]
    # no DateSent: a queued message has none yet, and the filter would hide it
    assert twilio.seen[0][1] == (
        f"{root}/Messages.json?To=%2B14155550100&From=%2B14155550101&PageSize=100"
    )
    assert twilio.seen[1][1] == f"{root}/Messages.json?To=%2B1&PageSize=1&Page=1&PageToken=PA1"
    assert len(twilio.seen) == 2  # the second page reached back before `since`: done


async def test_timeout_is_unavailable(
    fake: tuple[FakeTwilio, str], session: aiohttp.ClientSession
) -> None:
    twilio, url = fake
    twilio.delay = 1.0
    client = CarrierClient(url, SID, "tok", session, timeout=0.1)
    with pytest.raises(CarrierUnavailable):
        await client.release_number("PN" + "0" * 32)


async def test_connection_refused_is_unavailable(session: aiohttp.ClientSession) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = CarrierClient(f"http://127.0.0.1:{port}", SID, "tok", session)
    with pytest.raises(CarrierUnavailable):
        await client.search_numbers("US", "Local")


async def test_numbers_wire(fake: tuple[FakeTwilio, str], session: aiohttp.ClientSession) -> None:
    twilio, url = fake
    twilio.answers += [
        (
            200,
            {
                "available_phone_numbers": [
                    {
                        "phone_number": "+14155550100",
                        "capabilities": {"sms": True},
                        "iso_country": "US",
                    },
                    {
                        "phone_number": "+14155550101",
                        "capabilities": {"SMS": False},
                        "iso_country": "US",
                    },
                ],
                "uri": "/x",
            },
        ),
        (201, {"sid": "PN" + "2" * 32, "phone_number": "+14155550100"}),
        (204, None),
    ]
    client = CarrierClient(url + "/", SID, "tok", session)
    found = await client.search_numbers("US", "Local", "415")
    assert [(n.phone_number, n.sms) for n in found] == [
        ("+14155550100", True),
        ("+14155550101", False),
    ]
    bought = await client.buy_number(
        phone_number="+14155550100",
        sms_url="http://gw/in",
        status_callback="http://gw/st",
        friendly_name="Sales",
    )
    assert bought.sid == "PN" + "2" * 32
    await client.release_number(bought.sid)
    root = f"/2010-04-01/Accounts/{SID}"
    assert twilio.seen[0][1] == (
        f"{root}/AvailablePhoneNumbers/US/Local.json?SmsEnabled=true&AreaCode=415"
    )
    assert twilio.seen[1][2] == {
        "PhoneNumber": "+14155550100",
        "SmsUrl": "http://gw/in",
        "SmsMethod": "POST",
        "StatusCallback": "http://gw/st",
        "FriendlyName": "Sales",
    }
    assert twilio.seen[2][:2] == ("DELETE", f"{root}/IncomingPhoneNumbers/{bought.sid}.json")
