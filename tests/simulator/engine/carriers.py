"""A carrier built from a scenario snippet with one sender bought, and the fates it
gives: what the engine tests share."""

from __future__ import annotations

from simulator.engine.carrier import Carrier, MessageRequest
from simulator.engine.fate import Fate
from simulator.scenario import loads
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as ACCOUNT

SENDER = "+14155550100"


def make_carrier(text: str) -> Carrier:
    carrier = Carrier(loads(text, "engine.yaml"))
    carrier.numbers.buy(ACCOUNT, {"PhoneNumber": SENDER, "StatusCallback": "http://cb"}, 0.0)
    return carrier


def send_one(carrier: Carrier, to: str, body: str, now: float = 0.0) -> Fate:
    record, _ = carrier.create(ACCOUNT, MessageRequest(to=to, from_=SENDER, body=body), now)
    assert record.fate is not None
    return record.fate


def mobile(i: int) -> str:
    return f"+1416555{i:04d}"[:12]


def fates_of(
    carrier: Carrier, messages: list[tuple[str, str]]
) -> dict[str, tuple[str, int | None]]:
    out = {}
    for to, body in messages:
        record, _ = carrier.create(ACCOUNT, MessageRequest(to=to, from_=SENDER, body=body), 0.0)
        assert record.fate is not None
        out[record.sid] = (record.fate.status, record.fate.error_code)
    return out
