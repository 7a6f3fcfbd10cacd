"""Throughput per sender: beyond the rate messages wait, beyond the queue they bounce.

The rate counts segments, as Twilio's does: a 3-segment message on a 1 MPS number occupies it
for 3 s, and the queue's length is counted in segments too.
"""

from __future__ import annotations

import math

from simulator.errors import TwilioError
from simulator.scenario.carrier_model import Throughput

__all__ = ["SenderQueues"]


class SenderQueues:
    def __init__(self) -> None:
        self._next_free: dict[str, float] = {}

    def slot(self, sender: str, now: float, throughput: Throughput, segments: int = 1) -> float:
        """The simulated time this sender may send its next message, of `segments` segments;
        raises 21611 when full."""
        if throughput.mps <= 0:
            return now
        start = max(now, self._next_free.get(sender, now))
        ahead = max(0, math.ceil((start - now) * throughput.mps) - 1)  # queued, not yet sent
        if ahead >= throughput.queue_size:
            raise TwilioError(21611)
        self._next_free[sender] = start + max(1, segments) / throughput.mps
        return start
