"""Throughput per sender (simulator/engine/throughput.py): segments paced and queued,
and a message that waits past its validity expires."""

from __future__ import annotations

import pytest

from simulator.engine.carrier import MessageRequest
from simulator.engine.records import StatusChange
from simulator.engine.throughput import SenderQueues
from simulator.errors import TwilioError
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as ACCOUNT
from simulator.scenario.carrier_model import Throughput
from tests.simulator.engine.carriers import SENDER, make_carrier, mobile


def test_a_message_that_outwaits_its_validity_expires() -> None:
    carrier = make_carrier("throughput: {mps: 1, queue_size: 100}\n")
    fates = [
        carrier.create(
            ACCOUNT, MessageRequest(to=mobile(i), from_=SENDER, body=f"q{i}", validity=5), 0.0
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
    carrier = make_carrier("throughput: {mps: 1}\nlatency: {sent: 0, delivered: 1}\n")
    long_text = "x" * 400  # three GSM-7 segments
    sends = []
    for i in range(3):
        record, events = carrier.create(
            ACCOUNT, MessageRequest(to=mobile(i), from_=SENDER, body=long_text), 0.0
        )
        assert record.num_segments == 3
        sends += [e.at for e in events if isinstance(e, StatusChange) and e.status == "sent"]
    assert sends == [0.0, 3.0, 6.0]
