"""Carrier intake: signatures, forward-only status, inbound routing and keywords."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gateway.keys import STORE
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from telecom import compute_signature
from tests.gateway.harness import Harness, eventually
from tests.gateway.store_calls import count_store_calls


async def _post(
    harness: Harness, path: str, form: dict[str, str], token: str | None = DEFAULT_AUTH_TOKEN
) -> tuple[int, Any]:
    headers = {}
    if token is not None:
        headers["X-Twilio-Signature"] = compute_signature(f"{harness.url}{path}", form, token)
    return await harness.request(None, "POST", path, data=form, headers=headers)


def _status(sid: str, status: str, code: str | None = None) -> dict[str, str]:
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "From": "+14155550100",
        "To": "+14155550101",
        "ApiVersion": "2010-04-01",
    }
    if code:
        form["ErrorCode"] = code
    return form


async def _delivered(harness: Harness) -> tuple[str, dict[str, Any], str]:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550199")
    sms = await harness.send(key, lead, number["number"])
    done = await harness.settle(key, sms["id"], lambda s: s["delivery_status"] == "delivered")
    [entry] = [m for m in await harness.oracle() if m["idempotency_key"] == sms["id"]]
    return key, done, entry["sid"]


async def test_forged_callbacks_are_403_and_change_nothing(harness: Harness) -> None:
    key, sms, sid = await _delivered(harness)
    forged = _status(sid, "undelivered", "30007")
    for token in ("not-the-token", None):
        status, body = await _post(harness, "/carrier/status", forged, token)
        assert status == 403, body
    # signed for another URL: replaying a real signature elsewhere does not work either
    signature = compute_signature("http://evil.example/carrier/status", forged, DEFAULT_AUTH_TOKEN)
    status, _ = await harness.request(
        None, "POST", "/carrier/status", data=forged, headers={"X-Twilio-Signature": signature}
    )
    assert status == 403
    assert await harness.sms(key, sms["id"]) == sms

    inbound = {
        "MessageSid": "SM" + "f" * 32,
        "From": "+14155550199",
        "To": sms["local_phone"],
        "Body": "forged",
        "AccountSid": DEFAULT_ACCOUNT_SID,
    }
    status, _ = await _post(harness, "/carrier/inbound", inbound, "wrong")
    assert status == 403
    assert (await harness.api(key, "GET", "inbox/"))["data"] == []


async def test_late_and_duplicate_callbacks_change_nothing(harness: Harness) -> None:
    key, sms, sid = await _delivered(harness)
    for late in ("sent", "queued", "delivered", "undelivered"):
        status, _ = await _post(
            harness,
            "/carrier/status",
            _status(sid, late, "30006" if late == "undelivered" else None),
        )
        assert status == 200
    after = await harness.sms(key, sms["id"])
    assert (after["status"], after["delivery_status"]) == ("sent", "delivered")
    assert after["error_code"] is None and after["date_updated"] == sms["date_updated"]


async def test_unknown_sid_is_accepted_and_kept(harness: Harness) -> None:
    status, _ = await _post(harness, "/carrier/status", _status("SM" + "0" * 32, "sent"))
    assert status == 200  # not ours (yet): Twilio must not retry it forever


async def test_bad_callback_fields_are_400_not_500(harness: Harness) -> None:
    status, body = await _post(harness, "/carrier/status", {"AccountSid": DEFAULT_ACCOUNT_SID})
    assert status == 400 and "error" in body


async def test_nul_in_a_webhook_field_is_400_naming_it_on_every_backend(harness: Harness) -> None:
    key, sms, sid = await _delivered(harness)
    for path, form in (
        ("/carrier/status", _status(sid + "\x00", "undelivered", "30007")),
        (
            "/carrier/inbound",
            {
                "MessageSid": "SM" + "e" * 32,
                "From": "+14155550199",
                "To": sms["local_phone"],
                "Body": "hi\x00",
                "AccountSid": DEFAULT_ACCOUNT_SID,
            },
        ),
    ):
        status, body = await _post(harness, path, form)
        assert status == 400, body
        assert "NUL" in body["error"] and body["error"].split()[0] in (
            "MessageSid",
            "SmsSid",
            "Body",
        )
    assert await harness.sms(key, sms["id"]) == sms
    assert (await harness.api(key, "GET", "inbox/"))["data"] == []


async def test_inbound_answers_empty_twiml_and_is_idempotent(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    form = {
        "MessageSid": "SM" + "a" * 32,
        "SmsSid": "SM" + "a" * 32,
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "From": "+14155550142",
        "To": number["number"],
        "Body": "Hi there",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    for _ in range(2):  # the carrier retries a webhook it thinks failed
        status, body = await _post(harness, "/carrier/inbound", form)
        assert status == 200
        assert body == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    inbox = (await harness.api(key, "GET", "inbox/"))["data"]
    assert [m["text"] for m in inbox] == ["Hi there"]


async def test_inbound_to_a_number_nobody_rents(harness: Harness) -> None:
    form = {
        "MessageSid": "SM" + "b" * 32,
        "From": "+14155550142",
        "To": "+14155550999",
        "Body": "hello?",
    }
    status, _ = await _post(harness, "/carrier/inbound", form)
    assert status == 200


async def test_stop_words_block_every_contact_with_that_phone(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    first = await harness.lead_with(key, "+14155550142", name="One")
    second = await harness.lead_with(key, "+14155550142", name="Two")
    other_org = await harness.new_org("Other")
    theirs = await harness.lead_with(other_org, "+14155550142")
    await harness.handset_sends("+14155550142", number["number"], "unsubscribe")

    async def blocked(k: str, lead: dict) -> bool:
        contact = await harness.api(k, "GET", f"contact/{lead['contacts'][0]['id']}/")
        return bool(contact["phones"][0]["outbound_sms_blocked"])

    await eventually(lambda: blocked(key, first))
    assert await blocked(key, second)
    assert not await blocked(other_org, theirs)  # STOP to A's number says nothing about B


async def test_quick_texts_from_a_new_sender_make_one_lead(harness: Harness) -> None:
    """Two texts from an unknown phone, taken at once (on PostgreSQL: on two pool
    connections), land on one new lead, not one lead each."""
    key = await harness.new_org()
    number = await harness.rent(key)
    senders = [f"+1415555{i:04d}" for i in range(20)]

    def text(sender: str, n: int) -> dict[str, str]:
        sid = f"SM{sender[1:]}{n:021d}"
        return {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": DEFAULT_ACCOUNT_SID,
            "From": sender,
            "To": number["number"],
            "Body": f"text {n}",
        }

    answers = await asyncio.gather(
        *(_post(harness, "/carrier/inbound", text(sender, n)) for sender in senders for n in (1, 2))
    )
    assert {status for status, _ in answers} == {200}
    leads = (await harness.api(key, "GET", "lead/?_limit=100"))["data"]
    phones = [lead["contacts"][0]["phones"][0]["phone"] for lead in leads]
    assert sorted(phones) == senders  # one lead per sender
    inbox = (await harness.api(key, "GET", "inbox/?_limit=100"))["data"]
    assert len(inbox) == 2 * len(senders)
    by_lead: dict[str, int] = {}
    for sms in inbox:
        by_lead[sms["lead_id"]] = by_lead.get(sms["lead_id"], 0) + 1
    assert set(by_lead.values()) == {2}


HOUSEKEEPING = frozenset({"compact_census", "purge_carrier_events"})


async def test_an_unsigned_webhook_asks_the_store_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature is checked before any database read: a forger costs no query."""
    harness = await Harness.start(tmp_path, dispatcher_enabled=False)  # no background reads
    try:
        calls = count_store_calls(harness.app[STORE], monkeypatch)
        sid = "SM" + "d" * 32
        inbound = {
            "MessageSid": sid,
            "From": "+14155550199",
            "To": "+14155550100",
            "Body": "forged",
            "AccountSid": DEFAULT_ACCOUNT_SID,
        }
        decision = {"WhitelistRequestSid": "WL" + "d" * 32, "Status": "approved"}
        for path, form in (
            ("/carrier/status", _status(sid, "undelivered", "30007")),
            ("/carrier/inbound", inbound),
            ("/carrier/whitelist", decision),
        ):
            for token in (None, "not-the-token"):
                status, _ = await _post(harness, path, form, token)
                assert status == 403, path
        # (the housekeeper's own rounds run beside the requests: not the webhooks' doing)
        assert {k: n for k, n in calls.items() if k not in HOUSEKEEPING} == {}
        status, _ = await _post(harness, "/carrier/status", _status(sid, "delivered"))
        assert status == 200 and calls["record_status"] == 1  # the counting sees real calls
    finally:
        await harness.close()


async def test_a_status_callback_is_one_store_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """record_status answers the message it matched: the observer reads nothing before it
    (one hand-off to the store's threads a callback, not two)."""
    harness = await Harness.start(tmp_path, dispatcher_enabled=False)
    try:
        calls = count_store_calls(harness.app[STORE], monkeypatch)
        for status in ("sent", "delivered"):
            code, _ = await _post(harness, "/carrier/status", _status("SM" + "e" * 32, status))
            assert code == 200
        # (PostgreSQL's record_status calls its own locked_outcome: not a read of the observer's)
        asked = {k: n for k, n in calls.items() if k not in HOUSEKEEPING | {"locked_outcome"}}
        assert asked == {"record_status": 2}
    finally:
        await harness.close()
