"""Messages accepted before a restart are sent after it, each exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.gateway.harness import Harness, eventually

COUNT = 200


async def test_restart_sends_everything_once(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path, dispatcher_enabled=False)
    try:
        key = await harness.new_org()
        numbers = [(await harness.rent(key))["number"] for _ in range(2)]
        lead = await harness.lead_with(key, "+14155550160")

        async def accept(i: int) -> str:
            sms = await harness.send(key, lead, numbers[i % 2], f"message {i}")
            return str(sms["id"])

        ids = set(await asyncio.gather(*(accept(i) for i in range(COUNT))))
        assert len(ids) == COUNT
        await asyncio.sleep(0.3)
        assert await harness.oracle() == []  # held back: nothing left

        await harness.stop_gateway()
        await harness.start_gateway(dispatcher_enabled=True)

        async def all_final() -> list[dict] | None:
            page = await harness.api(key, "GET", "activity/sms/?_limit=100&status=outbox")
            if page["data"]:
                return None
            done = []
            for skip in (0, 100):
                done += (await harness.api(key, "GET", f"activity/sms/?_limit=100&_skip={skip}"))[
                    "data"
                ]
            final = [s for s in done if s["delivery_status"] == "delivered"]
            return final if len(final) == COUNT else None

        final = await eventually(all_final, 30)
        assert {s["id"] for s in final} == ids
        oracle = await harness.oracle()
        assert len(oracle) == COUNT
        assert sorted(m["idempotency_key"] for m in oracle) == sorted(ids)
        assert all(m["create_calls"] == 1 for m in oracle)
    finally:
        await harness.close()


@pytest.mark.parametrize("deduplicates", [True, False], ids=["resent-under-key", "looked-up"])
async def test_stop_mid_flight_then_restart_sends_once(tmp_path: Path, deduplicates: bool) -> None:

    from simulator.scenario.carrier_model import Outage, OutageMode, Scenario, TimelineStep

    # the carrier does each create at once but answers 3 s late (a slow outage from t = 0):
    # a stop right after the creates cuts every carrier call off before its answer
    scenario = Scenario(
        name="slow",
        test_numbers=True,
        timeline=(TimelineStep(at=0.0, outage=Outage(600, OutageMode.SLOW, delay=3.0)),),
    )
    # no grace period: the stop cuts the carrier calls off instead of letting them finish
    harness = await Harness.start(
        tmp_path, scenario, grace_period=0, carrier_deduplicates_creates=deduplicates
    )
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, "+14155550160")
        ids = {(await harness.send(key, lead, number, f"in flight {i}"))["id"] for i in range(20)}

        async def all_created() -> list[dict] | None:
            oracle = await harness.oracle()
            return oracle if len(oracle) == 20 else None

        # the carrier has created them, but its answers are still on the way: stopping now
        # loses every answer (Twilio's "created, but the response was lost" case)
        await eventually(all_created, 10, interval=0.02)
        await harness.stop_gateway()  # cancels the carrier requests mid-way
        await asyncio.sleep(0.5)
        await harness.start_gateway(carrier_deduplicates_creates=deduplicates)

        async def delivered() -> list[dict] | None:
            data = (await harness.api(key, "GET", "activity/sms/?_limit=100"))["data"]
            done = [s for s in data if s["delivery_status"] == "delivered"]
            return done if len(done) == 20 else None

        final = await eventually(delivered, 20)
        assert {s["id"] for s in final} == ids
        oracle = await harness.oracle()
        assert sorted(m["idempotency_key"] for m in oracle) == sorted(ids)  # each once
        # resent after the restart under the same key, or found at the carrier and not resent
        assert [m["create_calls"] for m in oracle] == [2 if deduplicates else 1] * 20
    finally:
        await harness.close()
