"""Fates (simulator/engine/fate.py): drawn from the scenario, reproducible from the seed,
in the proportions the scenario gives; callback faults planned from the fate's steps."""

from __future__ import annotations

import math
import random
from dataclasses import replace

from simulator.engine.carrier import Carrier, MessageRequest
from simulator.engine.fate import Step, plan_callbacks
from simulator.errors import TwilioError
from simulator.scenario import load
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as ACCOUNT
from simulator.scenario.carrier_model import CallbackFaults
from tests.simulator.engine.carriers import SENDER, fates_of, make_carrier, send_one


def test_the_same_seed_gives_the_same_fates_in_any_order() -> None:
    text = "seed: 5\nfailures: [{code: 30003, rate: 0.2}, {code: 30008, rate: 0.1}]\n"
    messages = [(f"+1416555{i % 100:04d}", f"hello {i}") for i in range(400)]
    first = fates_of(make_carrier(text), messages)
    again = fates_of(make_carrier(text), messages)
    shuffled = list(messages)
    random.Random(1).shuffle(shuffled)
    reordered = fates_of(make_carrier(text), shuffled)
    assert first == again == reordered
    assert len({fate for fate in first.values()}) == 3  # delivered, 30003 and 30008 all drawn
    other_seed = fates_of(make_carrier(text.replace("seed: 5", "seed: 6")), messages)
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
    carrier = make_carrier("seed: 2026\nfailures: [{code: 30003, rate: 0.05}]\n")
    failed = sum(
        send_one(carrier, f"+1416555{i % 10000:04d}", f"message number {i}").error_code == 30003
        for i in range(10_000)
    )
    low, high = _binomial_interval(10_000, 0.05, 0.999)
    assert 420 < low < 500 < high < 580, (low, high)  # about 500 +- 3.3 standard deviations
    assert low <= failed <= high, failed


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
