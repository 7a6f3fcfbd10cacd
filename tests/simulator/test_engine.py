"""The pure carrier engine: fates from the scenario, reproducible from the seed."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from simulator.engine.carrier import Carrier, MessageRequest
from simulator.engine.fate import Fate, Step, plan_callbacks
from simulator.engine.records import CallbackPost, HandsetReply, StatusChange
from simulator.engine.throughput import SenderQueues
from simulator.errors import TwilioError
from simulator.scenario import load, loads
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as ACCOUNT
from simulator.scenario.carrier_model import CallbackFaults, Throughput
from telecom.keywords import HELP_REPLY

SENDER = "+14155550100"


def _carrier(text: str) -> Carrier:
    carrier = Carrier(loads(text, "engine.yaml"))
    carrier.numbers.buy(ACCOUNT, {"PhoneNumber": SENDER, "StatusCallback": "http://cb"}, 0.0)
    return carrier


def _send(carrier: Carrier, to: str, body: str, now: float = 0.0) -> Fate:
    record, _ = carrier.create(ACCOUNT, MessageRequest(to=to, from_=SENDER, body=body), now)
    assert record.fate is not None
    return record.fate


def _mobile(i: int) -> str:
    return f"+1416555{i:04d}"[:12]


def _fates(carrier: Carrier, messages: list[tuple[str, str]]) -> dict[str, tuple[str, int | None]]:
    out = {}
    for to, body in messages:
        record, _ = carrier.create(ACCOUNT, MessageRequest(to=to, from_=SENDER, body=body), 0.0)
        assert record.fate is not None
        out[record.sid] = (record.fate.status, record.fate.error_code)
    return out


def test_the_same_seed_gives_the_same_fates_in_any_order() -> None:
    text = "seed: 5\nfailures: [{code: 30003, rate: 0.2}, {code: 30008, rate: 0.1}]\n"
    messages = [(f"+1416555{i % 100:04d}", f"hello {i}") for i in range(400)]
    first = _fates(_carrier(text), messages)
    again = _fates(_carrier(text), messages)
    shuffled = list(messages)
    random.Random(1).shuffle(shuffled)
    reordered = _fates(_carrier(text), shuffled)
    assert first == again == reordered
    assert len({fate for fate in first.values()}) == 3  # delivered, 30003 and 30008 all drawn
    other_seed = _fates(_carrier(text.replace("seed: 5", "seed: 6")), messages)
    assert other_seed != first


def test_the_library_scenarios_replay_identically() -> None:
    scenario = load("scenarios/mixed.yaml")
    messages = [(f"+1416555{i % 100:04d}", f"offer {i % 7}") for i in range(300)]

    def run() -> dict[str, tuple[str, int | None]]:
        carrier = Carrier(scenario)
        carrier.numbers.buy(
            ACCOUNT if ACCOUNT in carrier.tokens else scenario.accounts[0].sid,
            {"PhoneNumber": SENDER},
            0.0,
        )
        account = next(iter(carrier.tokens))
        out = {}
        for n, (to, body) in enumerate(messages):
            try:
                record, _ = carrier.create(
                    account, MessageRequest(to=to, from_=SENDER, body=body), n * 0.01
                )
            except TwilioError as exc:
                out[f"{to}|{body}|{n}"] = ("refused", exc.code)
                continue
            assert record.fate is not None
            out[record.sid] = (record.fate.status, record.fate.error_code)
        return out

    assert run() == run()


def _binomial_interval(n: int, p: float, confidence: float) -> tuple[int, int]:
    """The central interval holding `confidence` of Binomial(n, p), computed exactly."""
    tail = (1 - confidence) / 2

    def log_pmf(k: int) -> float:
        return (
            math.lgamma(n + 1)
            - math.lgamma(k + 1)
            - math.lgamma(n - k + 1)
            + k * math.log(p)
            + (n - k) * math.log1p(-p)
        )

    pmf = [math.exp(log_pmf(k)) for k in range(n + 1)]
    low_total, low = 0.0, 0
    while low_total + pmf[low] < tail:
        low_total += pmf[low]
        low += 1
    high_total, high = 0.0, n
    while high_total + pmf[high] < tail:
        high_total += pmf[high]
        high -= 1
    return low, high


def test_a_five_percent_failure_rate_lands_in_the_binomial_interval() -> None:
    carrier = _carrier("seed: 2026\nfailures: [{code: 30003, rate: 0.05}]\n")
    failed = sum(
        _send(carrier, f"+1416555{i % 10000:04d}", f"message number {i}").error_code == 30003
        for i in range(10_000)
    )
    low, high = _binomial_interval(10_000, 0.05, 0.999)
    assert 420 < low < 500 < high < 580, (low, high)  # about 500 +- 3.3 standard deviations
    assert low <= failed <= high, failed


def test_a_spam_filter_added_at_30s_blocks_after_it_and_never_before() -> None:
    carrier = _carrier(
        "timeline:\n  - at: 30\n    add_spam_filters: [{name: crypto, regex: '(?i)crypto'}]\n"
    )
    before = [_send(carrier, _mobile(i), f"Buy CRYPTO now {i}", now=i * 0.5) for i in range(60)]
    after = [_send(carrier, _mobile(i), f"Buy crypto now {i}", now=30 + i * 0.5) for i in range(60)]
    clean = _send(carrier, _mobile(1), "See you at lunch", now=45)
    assert all(f.status == "delivered" for f in before)
    assert all(
        (f.status, f.error_code, f.cause) == ("undelivered", 30007, "spam:crypto") for f in after
    )
    assert clean.status == "delivered"


def test_history_filters_repeated_text_and_sender_velocity() -> None:
    carrier = _carrier(
        "spam_filters:\n"
        "  - {name: repeats, duplicate: {count: 3, window: 60}}\n"
        "  - {name: shorteners, url_shorteners: [bit.ly]}\n"
    )
    repeats = [_send(carrier, _mobile(i), "Same words", now=i) for i in range(4)]
    assert [f.status for f in repeats] == ["delivered", "delivered", "undelivered", "undelivered"]
    assert _send(carrier, _mobile(9), "Same words", now=200).status == "delivered"  # window passed
    assert _send(carrier, _mobile(9), "see https://bit.ly/x1", now=300).cause == "spam:shorteners"
    assert _send(carrier, _mobile(9), "see https://notbit.ly/x1", now=301).status == "delivered"
    fast = _carrier("spam_filters: [{name: burst, velocity: {count: 5, window: 1}}]\n")
    burst = [_send(fast, _mobile(i), f"note {i}", now=i * 0.1) for i in range(7)]
    assert [f.status for f in burst].count("undelivered") == 3


def test_a_whitelisted_sender_is_not_filtered() -> None:
    carrier = _carrier("spam_filters: [{name: money, regex: '(?i)free money'}]\n")
    assert _send(carrier, _mobile(1), "free money").error_code == 30007
    carrier.numbers.by_phone[SENDER].whitelisted = True
    assert _send(carrier, _mobile(1), "free money").status == "delivered"


def test_handsets_and_countries_by_rule_and_by_number_type() -> None:
    carrier = _carrier(
        "carriers: [{name: na, countries: [US, CA]}]\n"
        "handsets:\n"
        "  - {number: '+14165550001', kind: unknown}\n"
        "  - {pattern: '\\+1416555000[2-3]', kind: non_sms}\n"
    )
    assert _send(carrier, "+14165550001", "x").error_code == 30005
    assert _send(carrier, "+14165550003", "x").error_code == 30006
    with pytest.raises(TwilioError) as caught:
        _send(carrier, "+442071838750", "x")
    assert caught.value.code == 21408
    gb = _carrier("handsets: []\n")
    assert _send(gb, "+442071838750", "x").cause == "handset:landline"  # phonenumbers' type
    assert _send(gb, "+447400123456", "x").status == "delivered"


def test_only_the_messages_own_status_callback_is_posted() -> None:
    """The sender was bought with a StatusCallback (Twilio's voice setting for a number)."""
    carrier = _carrier("seed: 1\n")
    record, events = carrier.create(
        ACCOUNT, MessageRequest(to="+14165550009", from_=SENDER, body="hi"), 0.0
    )
    assert record.status_callback == "" and record.messaging_service_sid is None
    assert [e for e in events if isinstance(e, StatusChange)]
    assert not [e for e in events if isinstance(e, CallbackPost)]


def test_to_equal_to_from_is_21266() -> None:
    carrier = _carrier("seed: 1\n")
    with pytest.raises(TwilioError) as caught:
        carrier.create(ACCOUNT, MessageRequest(to=SENDER, from_=SENDER, body="me"), 0.0)
    assert caught.value.code == 21266 and caught.value.status == 400


def test_events_follow_the_fate_and_replies_follow_delivery() -> None:
    carrier = _carrier(
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


def test_a_message_that_outwaits_its_validity_expires() -> None:
    carrier = _carrier("throughput: {mps: 1, queue_size: 100}\n")
    fates = [
        carrier.create(
            ACCOUNT, MessageRequest(to=_mobile(i), from_=SENDER, body=f"q{i}", validity=5), 0.0
        )[0].fate
        for i in range(8)
    ]
    assert [f.error_code for f in fates if f] == [None] * 6 + [30036] * 2


def test_sender_queues_count_segments() -> None:
    # Twilio's throughput counts segments: a 3-segment SMS on a 1 MPS number takes 3 s
    queues, rate = SenderQueues(), Throughput(mps=1.0)
    assert [queues.slot(SENDER, 0.0, rate, 3) for _ in range(3)] == [0.0, 3.0, 6.0]
    assert queues.slot(SENDER, 0.0, rate) == 9.0
    assert queues.slot(SENDER, 0.0, rate) == 10.0
    # the queue is counted in segments too: 2 queued messages of 3 fill a queue of 5
    queues, small = SenderQueues(), Throughput(mps=1.0, queue_size=5)
    queues.slot(SENDER, 0.0, small, 3)
    queues.slot(SENDER, 0.0, small, 3)
    with pytest.raises(TwilioError) as caught:
        queues.slot(SENDER, 0.0, small, 3)
    assert caught.value.code == 21611


def test_the_carrier_paces_a_long_message_by_its_segments() -> None:
    carrier = _carrier("throughput: {mps: 1}\nlatency: {sent: 0, delivered: 1}\n")
    long_text = "x" * 400  # three GSM-7 segments
    sends = []
    for i in range(3):
        record, events = carrier.create(
            ACCOUNT, MessageRequest(to=_mobile(i), from_=SENDER, body=long_text), 0.0
        )
        assert record.num_segments == 3
        sends += [e.at for e in events if isinstance(e, StatusChange) and e.status == "sent"]
    assert sends == [0.0, 3.0, 6.0]


def test_callback_faults_duplicate_delay_and_reorder() -> None:
    steps = [Step(1.0, "sent"), Step(2.0, "undelivered", 30007)]
    rng = random.Random(0)
    assert plan_callbacks(steps, CallbackFaults(), rng) == steps
    reordered = plan_callbacks(steps, CallbackFaults(out_of_order_rate=1.0), rng)
    assert [(s.at, s.status) for s in reordered] == [(2.0, "sent"), (1.0, "undelivered")]
    doubled = plan_callbacks(steps, CallbackFaults(duplicate_rate=1.0), rng)
    assert [s.status for s in doubled] == ["sent", "sent", "undelivered", "undelivered"]
    late = plan_callbacks(steps, replace(CallbackFaults(), late_rate=1.0, late_delay=30), rng)
    assert [s.at for s in late] == [31.0, 32.0]


def test_stop_from_a_handset_blocks_that_pair_until_start() -> None:
    carrier = _carrier("seed: 1\n")
    carrier.receive("+14165550042", SENDER, " stop ", 1.0)
    with pytest.raises(TwilioError) as caught:
        _send(carrier, "+14165550042", "still there?")
    assert caught.value.code == 21610
    carrier.receive("+14165550042", SENDER, "START", 2.0)
    assert _send(carrier, "+14165550042", "welcome back").status == "delivered"


@pytest.mark.parametrize("word", ["REVOKE", "stop all", "Opt out"])
def test_every_opt_out_word_of_the_shared_list_blocks(word: str) -> None:
    carrier = _carrier("seed: 1\n")
    carrier.receive("+14165550042", SENDER, word, 1.0)  # the old list had none of these
    with pytest.raises(TwilioError) as caught:
        _send(carrier, "+14165550042", "still there?")
    assert caught.value.code == 21610


def test_help_is_answered_by_the_carrier_and_the_webhook_names_the_keyword() -> None:
    carrier = _carrier("seed: 1\n")
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
    carrier = _carrier(f"seed: 1\nidempotency: {mode}\n")
    request = MessageRequest(to="+14165550100", from_=SENDER, body="once?", idempotency_key="k")
    sids = {carrier.create(ACCOUNT, request, float(i))[0].sid for i in range(3)}
    assert len(sids) == messages
    # the key is kept on each record either way: the oracle sees what reached the carrier twice
    assert [r.idempotency_key for r in carrier.messages.values()] == ["k"] * messages
