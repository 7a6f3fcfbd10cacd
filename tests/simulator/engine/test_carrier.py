"""The carrier (simulator/engine/carrier.py): what a create checks, the events that carry a
fate out, replies, opt-out and help keywords from handsets, idempotency keys."""

from __future__ import annotations

import pytest

from simulator.engine.carrier import MessageRequest
from simulator.engine.records import CallbackPost, HandsetReply, StatusChange
from simulator.errors import TwilioError
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as ACCOUNT
from telecom.keywords import HELP_REPLY
from tests.simulator.engine.carriers import SENDER, make_carrier, send_one


def test_only_the_messages_own_status_callback_is_posted() -> None:
    """The sender was bought with a StatusCallback (Twilio's voice setting for a number)."""
    carrier = make_carrier("seed: 1\n")
    record, events = carrier.create(
        ACCOUNT, MessageRequest(to="+14165550009", from_=SENDER, body="hi"), 0.0
    )
    assert record.status_callback == "" and record.messaging_service_sid is None
    assert [e for e in events if isinstance(e, StatusChange)]
    assert not [e for e in events if isinstance(e, CallbackPost)]


def test_to_equal_to_from_is_21266() -> None:
    carrier = make_carrier("seed: 1\n")
    with pytest.raises(TwilioError) as caught:
        carrier.create(ACCOUNT, MessageRequest(to=SENDER, from_=SENDER, body="me"), 0.0)
    assert caught.value.code == 21266 and caught.value.status == 400


def test_events_follow_the_fate_and_replies_follow_delivery() -> None:
    carrier = make_carrier(
        "latency: {sent: 1, delivered: {min: 2, max: 4}}\n"
        "handsets: [{number: '+14165550009', kind: mobile, reply: {text: 'ok!', delay: 3}}]\n"
    )
    record, events = carrier.create(
        ACCOUNT,
        MessageRequest(to="+14165550009", from_=SENDER, body="hi", status_callback="http://cb"),
        10.0,
    )
    changes = [e for e in events if isinstance(e, StatusChange)]
    assert next((c.status, c.at) for c in changes) == ("sent", 11.0)
    assert changes[1].status == "delivered" and 13.0 <= changes[1].at <= 15.0
    assert [e.status for e in events if isinstance(e, CallbackPost)] == ["sent", "delivered"]
    reply = next(e for e in events if isinstance(e, HandsetReply))
    assert (reply.from_, reply.to, reply.body, reply.at) == (
        "+14165550009",
        SENDER,
        "ok!",
        changes[1].at + 3,
    )
    for change in changes:
        carrier.change_status(change, change.at)
    assert record.status == "delivered" and record.price == "-0.00790"
    carrier.change_status(StatusChange(20.0, record.sid, "sent"), 20.0)  # final stays final
    assert record.status == "delivered"


def test_stop_from_a_handset_blocks_that_pair_until_start() -> None:
    carrier = make_carrier("seed: 1\n")
    carrier.receive("+14165550042", SENDER, " stop ", 1.0)
    with pytest.raises(TwilioError) as caught:
        send_one(carrier, "+14165550042", "still there?")
    assert caught.value.code == 21610
    carrier.receive("+14165550042", SENDER, "START", 2.0)
    assert send_one(carrier, "+14165550042", "welcome back").status == "delivered"


@pytest.mark.parametrize("word", ["REVOKE", "stop all", "Opt out"])
def test_every_opt_out_word_of_the_shared_list_blocks(word: str) -> None:
    carrier = make_carrier("seed: 1\n")
    carrier.receive("+14165550042", SENDER, word, 1.0)  # the old list had none of these
    with pytest.raises(TwilioError) as caught:
        send_one(carrier, "+14165550042", "still there?")
    assert caught.value.code == 21610


def test_help_is_answered_by_the_carrier_and_the_webhook_names_the_keyword() -> None:
    carrier = make_carrier("seed: 1\n")
    record, _ = carrier.receive("+14165550042", SENDER, "Help", 1.0)
    assert carrier.inbound_params(record)["OptOutType"] == "HELP"
    [reply] = [m for m in carrier.messages.values() if m.direction == "outbound-reply"]
    assert (reply.from_, reply.to, reply.body, reply.status, reply.price) == (
        SENDER,
        "+14165550042",
        HELP_REPLY,
        "delivered",
        None,
    )
    stop, _ = carrier.receive("+14165550042", SENDER, "STOP", 2.0)
    assert carrier.inbound_params(stop)["OptOutType"] == "STOP"
    carrier.receive("+14165550042", SENDER, "INFO", 3.0)  # opted out: no answer
    assert len([m for m in carrier.messages.values() if m.direction == "outbound-reply"]) == 1
    chat, _ = carrier.receive("+14165550042", SENDER, "help me", 4.0)
    assert "OptOutType" not in carrier.inbound_params(chat)


@pytest.mark.parametrize(("mode", "messages"), [("honour", 1), ("ignore", 3)])
def test_idempotency_key_is_honoured_or_ignored_as_the_scenario_says(
    mode: str, messages: int
) -> None:
    carrier = make_carrier(f"seed: 1\nidempotency: {mode}\n")
    request = MessageRequest(to="+14165550100", from_=SENDER, body="once?", idempotency_key="k")
    sids = {carrier.create(ACCOUNT, request, float(i))[0].sid for i in range(3)}
    assert len(sids) == messages
    # the key is kept on each record either way: the oracle sees what reached the carrier twice
    assert [r.idempotency_key for r in carrier.messages.values()] == ["k"] * messages
