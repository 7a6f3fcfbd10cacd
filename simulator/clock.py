"""Simulated time: seconds since the scenario started, running `time_scale` times real time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["SimClock"]


class SimClock:
    def __init__(
        self,
        time_scale: float = 1.0,
        epoch: datetime | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.time_scale = time_scale
        self.epoch = epoch or datetime.now(UTC)  # the wall-clock moment of simulated t = 0
        self._monotonic = monotonic
        self._started = monotonic()

    def now(self) -> float:
        return (self._monotonic() - self._started) * self.time_scale

    def real_delay(self, at: float) -> float:
        """Real seconds until simulated time `at` (0 when it has passed)."""
        return max(0.0, (at - self.now()) / self.time_scale)

    def wall(self, at: float) -> datetime:
        return self.epoch + timedelta(seconds=at)
