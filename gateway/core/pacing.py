"""Pure timing decisions for the dispatcher: per-number pacing and retry backoff.

A send slot is one segment, not one message, as the carrier counts throughput (a 3-segment
SMS on a 1 MPS long code occupies the number for 3 s): a message of N segments takes N slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Pace", "Pacer", "backoff", "grant"]


@dataclass(frozen=True, slots=True)
class Pace:
    """A rate per key, with the slack a poller needs (see Pacer)."""

    per_second: float
    slack: float

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second


def grant(next_free: float, now: float, pace: Pace, costs: Sequence[int]) -> tuple[int, float]:
    """How many of the takes `costs` (slots each, in order) a key may make at `now`, given its
    next free slot, and its next free slot after them: what Pacer.take would allow call by
    call, in one step (the PostgreSQL store applies it to slots shared by every gateway
    process).

    A take needs only its first slot to be free; the rest of its slots push the next take
    back. So a message of more segments than the burst still goes (it never starves), and the
    rate over time holds all the same.
    """
    start = max(next_free, now - pace.slack)
    taken = 0
    # the epsilon: a slot that falls due exactly now must not be lost to float rounding
    while taken < len(costs) and start <= now + 1e-9 * pace.interval:
        start += max(1, costs[taken]) * pace.interval
        taken += 1
    return (taken, start) if taken else (0, next_free)


class Pacer:
    """At most `per_second` slots per key on average, evenly spaced.

    A key idle for a while may take up to `slack * per_second + 1` slots at once, so that a
    dispatcher polling every `slack` seconds can still reach the full rate.
    """

    def __init__(self, per_second: float, slack: float) -> None:
        self._pace = Pace(per_second, slack)
        self._interval = self._pace.interval
        self._slack = slack
        self._next: dict[str, float] = {}

    @property
    def burst(self) -> int:
        """The most single-slot takes one key can make at one moment."""
        return int(self._slack / self._interval) + 1

    def waiting(self, now: float) -> set[str]:
        """Keys that cannot take anything at `now`."""
        return {key for key, at in self._next.items() if at - self._slack > now}

    def take(self, key: str, now: float, slots: int = 1) -> bool:
        """Take `slots` (a message's segments) for `key` if its next slot is free at `now`."""
        taken, self._next[key] = grant(self._next.get(key, 0.0), now, self._pace, (slots,))
        return taken == 1


def backoff(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry `attempt` (1, 2, ...): exponential, capped, with `jitter` in
    [0, 1) spreading it over the upper half so that retries after an outage don't stampede."""
    ceiling = min(cap, base * float(2 ** max(0, attempt - 1)))
    return ceiling * (0.5 + jitter / 2)
