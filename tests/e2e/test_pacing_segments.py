"""Pacing counts segments on both sides, as Twilio's throughput does: three 3-segment SMS from
one number leave 3 slots apart, in the gateway's pacer and in the simulator's queue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from simulator.scenario.carrier_model import Scenario, Throughput
from tests.gateway.harness import Harness, eventually

LONG = "x" * 400  # three GSM-7 segments


@pytest.mark.parametrize("side", ["gateway", "simulator"])
async def test_three_segment_messages_take_three_slots_each(tmp_path: Path, side: str) -> None:
    # 5 slots a second on the pacing side (the other does not pace): three messages of three
    # segments leave 0.6 s apart, 1.2 s from first to last (0.4 s if messages were counted)
    paced_by_simulator = side == "simulator"
    scenario = Scenario(
        name="segments", throughput=Throughput(mps=5.0 if paced_by_simulator else 0.0)
    )
    harness = await Harness.start(
        tmp_path, scenario, messages_per_second=1000.0 if paced_by_simulator else 5.0
    )
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        leads = [await harness.lead_with(key, f"+1415555019{i}") for i in range(3)]
        sent = [await harness.send(key, lead, number, LONG) for lead in leads]
        assert {s["segments"] for s in sent} == {3}
        done = [
            await harness.settle(key, s["id"], lambda s: s["date_sent"] is not None) for s in sent
        ]
        if paced_by_simulator:

            async def all_left() -> list[float] | None:
                times = [m["sent_at"] for m in await harness.oracle()]
                return times if len(times) == 3 and None not in times else None

            times = sorted(await eventually(all_left))
        else:
            times = sorted(datetime.fromisoformat(s["date_sent"]).timestamp() for s in done)
        assert times[-1] - times[0] == pytest.approx(1.2, abs=0.15)
    finally:
        await harness.close()
