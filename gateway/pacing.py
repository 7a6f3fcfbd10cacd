"""Pure timing decisions for the dispatcher: per-number pacing and retry backoff."""

from __future__ import annotations

__all__ = ["Pacer", "backoff"]


class Pacer:
    """At most `per_second` takes per key on average, evenly spaced.

    A key idle for a while may take up to `slack * per_second + 1` at once, so that a
    dispatcher polling every `slack` seconds can still reach the full rate.
    """

    def __init__(self, per_second: float, slack: float) -> None:
        self._interval = 1.0 / per_second
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
        start = max(self._next.get(key, 0.0), now - self._slack)
        if start > now:
            return False
        self._next[key] = start + self._interval
        return True


def backoff(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry `attempt` (1, 2, ...): exponential, capped, with `jitter` in
    [0, 1) spreading it over the upper half so that retries after an outage don't stampede."""
    ceiling = min(cap, base * float(2 ** max(0, attempt - 1)))
    return ceiling * (0.5 + jitter / 2)
