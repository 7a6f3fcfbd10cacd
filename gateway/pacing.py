"""Pure timing decisions for the dispatcher: per-number pacing and retry backoff."""

from __future__ import annotations

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


def grant(next_free: float, now: float, pace: Pace, wanted: int) -> tuple[int, float]:
    """How many of `wanted` takes a key may make at `now`, given its next free slot, and its
    next free slot after them: what `wanted` calls of Pacer.take would allow, in one step
    (the PostgreSQL store applies it to slots shared by every gateway process)."""
    start = max(next_free, now - pace.slack)
    if start > now or wanted <= 0:
        return 0, next_free
    # the epsilon: a slot that falls due exactly now must not be lost to float rounding
    taken = min(wanted, int((now - start) / pace.interval + 1e-9) + 1)
    return taken, start + taken * pace.interval


class Pacer:
    """At most `per_second` takes per key on average, evenly spaced.

    A key idle for a while may take up to `slack * per_second + 1` at once, so that a
    dispatcher polling every `slack` seconds can still reach the full rate.
    """

    def __init__(self, per_second: float, slack: float) -> None:
        self._pace = Pace(per_second, slack)
        self._interval = self._pace.interval
        self._slack = slack
        self._next: dict[str, float] = {}

    @property
    def burst(self) -> int:
        """The most one key can take at one moment."""
        return int(self._slack / self._interval) + 1

    def waiting(self, now: float) -> set[str]:
        """Keys that cannot take anything at `now`."""
        return {key for key, at in self._next.items() if at - self._slack > now}

    def take(self, key: str, now: float) -> bool:
        taken, self._next[key] = grant(self._next.get(key, 0.0), now, self._pace, 1)
        return taken == 1


def backoff(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry `attempt` (1, 2, ...): exponential, capped, with `jitter` in
    [0, 1) spreading it over the upper half so that retries after an outage don't stampede."""
    ceiling = min(cap, base * float(2 ** max(0, attempt - 1)))
    return ceiling * (0.5 + jitter / 2)
