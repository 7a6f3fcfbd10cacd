"""The gateway against a misbehaving carrier: failures in callbacks, duplicate, late and
out-of-order callbacks, and outages that answer 5xx, drop connections or answer too late."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest

from gateway.keys import STORE
from simulator.scenario.carrier_model import (
    CallbackFaults,
    Delay,
    HandsetKind,
    HandsetRule,
    Idempotency,
    Latency,
    Outage,
    OutageMode,
    Scenario,
    SpamFilter,
    TimelineStep,
)
from tests.gateway.harness import Harness, eventually

FAULTY = Scenario(
    name="faulty callbacks",
    test_numbers=True,
    handsets=(
        HandsetRule(HandsetKind.LANDLINE, number="+14155550180"),
        HandsetRule(HandsetKind.UNREACHABLE, number="+14155550181"),
    ),
    spam_filters=(SpamFilter("prizes", code=30007, regex=re.compile("WIN")),),
    latency=Latency(sent=Delay(0.05, 0.1), delivered=Delay(0.05, 0.1)),
    callbacks=CallbackFaults(
        duplicate_rate=1.0, out_of_order_rate=1.0, late_rate=0.5, late_delay=0.3
    ),
)

CASES = [  # to, text -> Close status, delivery status, reason, code
    ("+14155550179", "Hello", ("sent", "delivered", None, None)),
    ("+14155550180", "Hello", ("error", "undelivered", "landline", 30006)),
    ("+14155550181", "Hello", ("error", "undelivered", "unreachable", 30003)),
    ("+14155550182", "WIN a car", ("error", "undelivered", "spam", 30007)),
]


def _final(sms: dict[str, Any]) -> bool:
    return sms["delivery_status"] in ("delivered", "undelivered", "failed")


async def test_callback_faults_end_in_the_intended_status(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path, FAULTY)
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        sent = []
        for to, text, expected in CASES:
            lead = await harness.lead_with(key, to)
            sent.append((await harness.send(key, lead, number, text), expected))
        for sms, expected in sent:
            done = await harness.settle(key, sms["id"], _final)
            got = (
                done["status"],
                done["delivery_status"],
                done["error_reason"],
                done["error_code"],
            )
            assert got == expected, (done["remote_phone"], got)
        await asyncio.sleep(0.6)  # every late and duplicate callback has arrived by now
        oracle = {m["idempotency_key"]: m for m in await harness.oracle()}
        for sms, expected in sent:
            after = await harness.sms(key, sms["id"])
            assert (after["status"], after["delivery_status"]) == expected[:2]
            assert oracle[sms["id"]]["intended_status"] == expected[1]
    finally:
        await harness.close()


# simulated seconds from the start: the set-up (renting, a lead) is done by then even on a busy
# machine with PostgreSQL
OUTAGE_AT = 2.0


@pytest.mark.parametrize(
    "outage",
    [
        Outage(1.2, OutageMode.ERROR, 503),
        Outage(1.2, OutageMode.RESET),
        Outage(1.2, OutageMode.SLOW, delay=0.6),
    ],
    ids=["503", "reset", "slow-past-timeout"],
)
async def test_outage_is_retried_and_sent_once(tmp_path: Path, outage: Outage) -> None:
    started = time.monotonic()
    scenario = Scenario(
        name="outage", test_numbers=True, timeline=(TimelineStep(at=OUTAGE_AT, outage=outage),)
    )
    harness = await Harness.start(tmp_path, scenario, carrier_timeout=0.3)
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, "+14155550179")
        await asyncio.sleep(max(0.0, started + OUTAGE_AT + 0.15 - time.monotonic()))  # in it
        sms = [await harness.send(key, lead, number, f"in the outage {i}") for i in range(3)]
        await asyncio.sleep(0.3)
        for s in sms:  # still waiting for the carrier
            assert (await harness.sms(key, s["id"]))["status"] == "outbox"
        for s in sms:
            done = await harness.settle(key, s["id"], _final, timeout=10)
            assert (done["status"], done["delivery_status"]) == ("sent", "delivered")

        async def oracle_settled() -> list[dict[str, Any]] | None:
            found = await harness.oracle()
            return found if all(m["status"] == "delivered" for m in found) else None

        oracle = await eventually(oracle_settled)
        assert sorted(m["idempotency_key"] for m in oracle) == sorted(s["id"] for s in sms)
    finally:
        await harness.close()


@pytest.mark.parametrize(
    "outage",
    [Outage(1.2, OutageMode.SLOW, delay=0.6), Outage(1.2, OutageMode.ERROR, 503)],
    ids=["slow-past-timeout", "503"],
)
async def test_a_carrier_that_ignores_the_key_is_asked_before_any_resend(
    tmp_path: Path, outage: Outage
) -> None:
    """Real Twilio ignores Idempotency-Key: a create whose answer was lost (it came after our
    timeout) is looked up in the carrier's Messages list, found, and not sent again."""
    started = time.monotonic()
    scenario = Scenario(
        name="twilio-like",
        test_numbers=True,
        idempotency=Idempotency.IGNORE,
        timeline=(TimelineStep(at=OUTAGE_AT, outage=outage),),
    )
    harness = await Harness.start(tmp_path, scenario, carrier_timeout=0.3)
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, "+14155550179")
        await asyncio.sleep(max(0.0, started + OUTAGE_AT + 0.15 - time.monotonic()))  # in it
        sms = [await harness.send(key, lead, number, f"in the outage {i}") for i in range(3)]
        for s in sms:
            done = await harness.settle(key, s["id"], _final, timeout=10)
            assert (done["status"], done["delivery_status"]) == ("sent", "delivered")

        async def oracle_settled() -> list[dict[str, Any]] | None:
            found = await harness.oracle()
            return found if all(m["status"] == "delivered" for m in found) else None

        oracle = await eventually(oracle_settled)
        assert sorted(m["idempotency_key"] for m in oracle) == sorted(s["id"] for s in sms)
        for m in oracle:  # the gateway holds the sid of the one message the carrier sent
            found = await harness.app[STORE].sent_by_sid(m["sid"])
            assert found is not None and found[0] == m["idempotency_key"]
    finally:
        await harness.close()
