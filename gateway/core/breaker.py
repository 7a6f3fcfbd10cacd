"""A circuit breaker for one carrier: a pure state machine, given the time by its caller.

closed --(threshold consecutive unavailable answers)--> open
open --(cooldown elapsed)--> half-open: one probe call may go
half-open --(probe answered)--> closed;  --(probe unavailable)--> open again

closed | half-open --(misconfigured: wrong token or URL)--> open at once (`trip`)

Only "unavailable" (5xx, timeout, connection trouble, 20429/21611) counts against the carrier;
a rejection (4xx about one message) proves the carrier is up. While open, due messages stay
where they are: the dispatcher does not claim them, so no attempt is spent on a carrier we
already know is down, and a recovered carrier is not hit by the whole backlog's retries at once.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass

__all__ = ["Breaker", "BreakerState"]


class BreakerState(enum.IntEnum):
    """The values are the `smslab_carrier_breaker_state` gauge's."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass
class Breaker:
    threshold: int = 5
    cooldown: float = 10.0
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0  # consecutive unavailable answers
    opened_at: float = 0.0
    probing: bool = False  # half-open and the probe is out
    opens: int = 0  # how many times it opened (for the metric)

    def room(self, now: float) -> int:
        """How many calls may start now."""
        if self.state is BreakerState.OPEN and now - self.opened_at >= self.cooldown:
            self.state, self.probing = BreakerState.HALF_OPEN, False
        if self.state is BreakerState.CLOSED:
            return sys.maxsize
        if self.state is BreakerState.HALF_OPEN and not self.probing:
            return 1
        return 0

    def started(self, calls: int) -> None:
        """`calls` began after `room` allowed them."""
        if self.state is BreakerState.HALF_OPEN and calls > 0:
            self.probing = True

    def answered(self) -> None:
        """The carrier answered (accepted or rejected): it is up."""
        self.state, self.failures, self.probing = BreakerState.CLOSED, 0, False

    def trip(self, now: float) -> bool:
        """Every call will fail alike (our credentials or URL are wrong): open now, whatever
        the count. True when this opened it."""
        self.failures += 1
        opened = self.state is not BreakerState.OPEN
        self.state, self.opened_at, self.probing = BreakerState.OPEN, now, False
        self.opens += opened
        return opened

    def unavailable(self, now: float) -> None:
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self.failures >= self.threshold
        ):
            self.state, self.opened_at, self.probing = BreakerState.OPEN, now, False
            self.opens += 1
