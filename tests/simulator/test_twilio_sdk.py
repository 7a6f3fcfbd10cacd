"""The real twilio SDK against the simulator: numbers, every fate class, paging, cancel, delete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from simulator.app import create_app
from simulator.scenario import loads
from tests.serving import LoopThread, WebhookReceiver, serve, wait_for

SID = "AC" + "1" * 32
TOKEN = "sdk-test-token"
SCENARIO = f"""
name: sdk
seed: 11
time_scale: 50
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
handsets:
  - {{number: "+14155550111", kind: landline}}
  - {{number: "+14155550112", kind: opted_out}}
  - {{number: "+14155550113", kind: unreachable}}
  - {{number: "+14155550114", kind: mobile, reply: {{text: "Sounds good", delay: 1}}}}
spam_filters:
  - {{name: money, regex: "(?i)free money"}}
latency: {{sent: 0.1, delivered: 0.2}}
"""
STRICT = f"""
name: strict
seed: 3
accounts: [{{sid: {SID}, auth_token: {TOKEN}}}]
landline_at_create: true
handsets: [{{number: "+14155550111", kind: landline}}]
failures: [{{code: 30008, rate: 1.0}}]
throughput: {{mps: 1, queue_size: 2}}
"""


@pytest.fixture(scope="module")
def hooks(loop_thread: LoopThread) -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    with serve(receiver.app(), loop_thread) as url:
        yield receiver, url


def _client(url: str) -> Client:
    client = Client(SID, TOKEN)
    client.api.base_url = url
    return client


@pytest.fixture(scope="module")
def sim(loop_thread: LoopThread) -> Iterator[tuple[Client, str]]:
    with serve(create_app(loads(SCENARIO, "sdk.yaml")), loop_thread) as url:
        yield _client(url), url


@pytest.fixture(scope="module")
def number(sim: tuple[Client, str], hooks: tuple[WebhookReceiver, str]) -> str:
    client, _ = sim
    _, hook_url = hooks
    found = client.available_phone_numbers("US").local.list(
        area_code=415, sms_enabled=True, limit=5
    )
    assert len(found) == 5 and all(n.capabilities["sms"] for n in found)
    assert all(n.phone_number.startswith("+1415") for n in found)
    bought = client.incoming_phone_numbers.create(
        phone_number=found[0].phone_number,
        sms_url=f"{hook_url}/inbound",
        status_callback=f"{hook_url}/status",
    )
    assert bought.sid.startswith("PN") and bought.phone_number == found[0].phone_number
    assert client.incoming_phone_numbers(bought.sid).fetch().sms_url == f"{hook_url}/inbound"
    return bought.phone_number


def _final(client: Client, sid: str) -> object:
    return wait_for(
        lambda: (
            (m := client.messages(sid).fetch()).status in ("delivered", "undelivered", "failed")
            and m
        )
    )


def test_send_to_a_mobile_is_delivered_with_signed_callbacks_and_a_signed_reply(
    sim: tuple[Client, str], number: str, hooks: tuple[WebhookReceiver, str]
) -> None:
    client, _ = sim
    receiver, hook_url = hooks
    message = client.messages.create(
        to="+14155550114",
        from_=number,
        body="Shall we meet at 3?",
        status_callback=f"{hook_url}/status",
    )
    assert message.status == "queued" and message.sid.startswith("SM")
    assert message.messaging_service_sid is None  # none was used
    assert message.num_segments == "1" and message.date_created is not None
    final = _final(client, message.sid)
    assert final.status == "delivered" and final.error_code is None and final.date_sent
    callbacks = wait_for(
        lambda: (
            [h for h in receiver.at("/status") if h.form["MessageSid"] == message.sid]
            if len([h for h in receiver.at("/status") if h.form["MessageSid"] == message.sid]) >= 2
            else None
        )
    )
    assert [h.form["MessageStatus"] for h in callbacks] == ["sent", "delivered"]
    validator = RequestValidator(TOKEN)
    for hook in callbacks:
        assert validator.validate(hook.url, hook.form, hook.headers["X-Twilio-Signature"])
        assert hook.form["AccountSid"] == SID and hook.form["ApiVersion"] == "2010-04-01"
    assert "RawDlrDoneDate" not in callbacks[0].form  # only on delivered / undelivered
    assert re.fullmatch(r"\d{10}", callbacks[1].form["RawDlrDoneDate"])
    reply = wait_for(
        lambda: [h for h in receiver.at("/inbound") if h.form["From"] == "+14155550114"]
    )
    assert reply[0].form["Body"] == "Sounds good" and reply[0].form["To"] == number
    assert validator.validate(reply[0].url, reply[0].form, reply[0].headers["X-Twilio-Signature"])
    assert not validator.validate(
        reply[0].url, {**reply[0].form, "Body": "forged"}, reply[0].headers["X-Twilio-Signature"]
    )


@pytest.mark.parametrize(
    ("to", "body", "code"),
    [
        ("+1555", "hi", 21211),
        ("+33612345678", "bonjour", 21408),  # France is not served
        ("+14155550112", "hi", 21610),  # opted out
        ("+14155550114", "x" * 1601, 21617),
    ],
)
def test_create_time_failures(
    sim: tuple[Client, str], number: str, to: str, body: str, code: int
) -> None:
    client, _ = sim
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=to, from_=number, body=body)
    assert caught.value.code == code and caught.value.status == 400


def test_only_the_messages_own_status_callback_is_used(
    sim: tuple[Client, str], number: str, hooks: tuple[WebhookReceiver, str]
) -> None:
    """The number was bought with a StatusCallback: on Twilio that is the number's voice
    setting, so a message created without one gets no status callbacks."""
    client, _ = sim
    receiver, hook_url = hooks
    assert (
        client.incoming_phone_numbers.list(phone_number=number)[0].status_callback
        == f"{hook_url}/status"
    )
    silent = client.messages.create(to="+14155550114", from_=number, body="no callback please")
    told = client.messages.create(
        to="+14155550114",
        from_=number,
        body="callback please",
        status_callback=f"{hook_url}/status",
    )
    _final(client, silent.sid)
    _final(client, told.sid)
    wait_for(
        lambda: len([h for h in receiver.at("/status") if h.form["MessageSid"] == told.sid]) >= 2
    )
    assert not [h for h in receiver.at("/status") if h.form["MessageSid"] == silent.sid]


def test_to_equal_to_from_is_21266(sim: tuple[Client, str], number: str) -> None:
    client, _ = sim
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=number, from_=number, body="hello me")
    assert (caught.value.code, caught.value.status) == (21266, 400)


def test_from_a_number_that_is_not_ours_is_21606(sim: tuple[Client, str], number: str) -> None:
    client, _ = sim
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+14155550114", from_="+14155550199", body="hi")
    assert caught.value.code == 21606


@pytest.mark.parametrize(
    ("to", "body", "code"),
    [
        ("+14155550111", "hello landline", 30006),
        ("+14155550113", "are you there", 30003),
        ("+14155550114", "Claim your FREE MONEY today", 30007),
    ],
)
def test_callback_time_failures(
    sim: tuple[Client, str], number: str, to: str, body: str, code: int
) -> None:
    client, _ = sim
    message = client.messages.create(to=to, from_=number, body=body)
    final = _final(client, message.sid)
    assert (final.status, final.error_code) == ("undelivered", code)


def test_list_pages_through_every_message(sim: tuple[Client, str], number: str) -> None:
    client, _ = sim
    sids = {
        client.messages.create(to="+14155550114", from_=number, body=f"page {i}").sid
        for i in range(7)
    }
    first = client.messages.page(page_size=3)
    second = first.next_page()
    assert len(list(first)) == 3 and len(list(second)) == 3
    assert not {m.sid for m in first} & {m.sid for m in second}
    listed = [m.sid for m in client.messages.list(page_size=3)]
    assert sids <= set(listed) and len(listed) == len(set(listed))
    assert [m.sid for m in client.messages.list(to="+14155550114", from_=number, limit=2)]


def test_cancel_a_scheduled_message_and_delete_a_final_one(
    sim: tuple[Client, str], number: str
) -> None:
    client, _ = sim
    scheduled = client.messages.create(
        to="+14155550114",
        from_=number,
        body="later",
        messaging_service_sid="MG" + "2" * 32,
        schedule_type="fixed",
        send_at=datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1),
    )
    assert scheduled.status == "scheduled"
    assert scheduled.messaging_service_sid == "MG" + "2" * 32
    assert client.messages(scheduled.sid).update(status="canceled").status == "canceled"
    with pytest.raises(TwilioRestException) as caught:
        client.messages(scheduled.sid).update(status="canceled")
    assert caught.value.status == 400
    done = client.messages.create(to="+14155550114", from_=number, body="delete me")
    _final(client, done.sid)
    assert client.messages(done.sid).delete() is True
    with pytest.raises(TwilioRestException) as caught:
        client.messages(done.sid).fetch()
    assert caught.value.code == 20404 and caught.value.status == 404


def test_idempotency_key_returns_the_first_message_and_sends_once(
    sim: tuple[Client, str], number: str
) -> None:
    _, url = sim
    form = {"To": "+14155550114", "From": number, "Body": "exactly once"}
    answers = [
        requests.post(
            f"{url}/2010-04-01/Accounts/{SID}/Messages.json",
            data=form,
            auth=(SID, TOKEN),
            headers={"Idempotency-Key": "acti_123"},
            timeout=5,
        )
        for _ in range(3)
    ]
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["sid"] for a in answers}) == 1
    oracle = requests.get(f"{url}/_sim/messages", timeout=5).json()["messages"]
    mine = [m for m in oracle if m["idempotency_key"] == "acti_123"]
    assert len(mine) == 1 and mine[0]["create_calls"] == 3


def test_wrong_credentials_are_20003(sim: tuple[Client, str]) -> None:
    _, url = sim
    client = Client(SID, "wrong")
    client.api.base_url = url
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+14155550114", from_="+14155550100", body="hi")
    assert (caught.value.status, caught.value.code) == (401, 20003)


def test_release_the_number(sim: tuple[Client, str]) -> None:
    client, _ = sim
    bought = client.incoming_phone_numbers.create(area_code="212")
    assert bought.phone_number.startswith("+1212")
    assert client.incoming_phone_numbers(bought.sid).delete() is True
    assert bought.sid not in {n.sid for n in client.incoming_phone_numbers.list()}


def test_landline_at_create_random_failures_and_a_full_queue(loop_thread: LoopThread) -> None:
    with serve(create_app(loads(STRICT, "strict.yaml")), loop_thread) as url:
        client = _client(url)
        sender = client.incoming_phone_numbers.create(area_code="415").phone_number
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to="+14155550111", from_=sender, body="hello")
        assert caught.value.code == 21614
        first = client.messages.create(to="+14155550114", from_=sender, body="one")
        client.messages.create(to="+14155550114", from_=sender, body="two")  # waits a second
        client.messages.create(to="+14155550114", from_=sender, body="three")  # two seconds
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to="+14155550114", from_=sender, body="four")
        assert caught.value.code == 21611
        final = _final(client, first.sid)
        assert (final.status, final.error_code) == ("undelivered", 30008)


MAGIC_TO = [
    ("+15005550001", 21211),
    ("+15005550002", 21612),
    ("+15005550003", 21408),
    ("+15005550004", 21610),
    ("+15005550009", 21614),
]
MAGIC_FROM = [("+15005550001", 21212), ("+15005550007", 21606), ("+15005550008", 21611)]


def test_twilios_magic_numbers_with_no_scenario(loop_thread: LoopThread) -> None:
    from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

    with serve(create_app(), loop_thread) as url:
        client = Client(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
        client.api.base_url = url
        for to, code in MAGIC_TO:
            with pytest.raises(TwilioRestException) as caught:
                client.messages.create(to=to, from_="+15005550006", body="magic")
            assert caught.value.code == code, to
        for sender, code in MAGIC_FROM:
            with pytest.raises(TwilioRestException) as caught:
                client.messages.create(to="+14155550100", from_=sender, body="magic")
            assert caught.value.code == code, sender
        ok = client.messages.create(to="+14155550100", from_="+15005550006", body="magic")
        assert (ok.status, ok.num_segments, ok.num_media) == ("queued", "1", "0")
        for phone, code in [("+15005550000", 21422), ("+15005550001", 21421)]:
            with pytest.raises(TwilioRestException) as caught:
                client.incoming_phone_numbers.create(phone_number=phone)
            assert caught.value.code == code
        with pytest.raises(TwilioRestException) as caught:
            client.incoming_phone_numbers.create(area_code="533")
        assert caught.value.code == 21452
        assert client.incoming_phone_numbers.create(area_code="500").phone_number == "+15005550006"
