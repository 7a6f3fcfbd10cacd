"""Spam filters: content (regex, URL shorteners) and history (repeated text, sender velocity)."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from functools import lru_cache

from simulator.scenario.carrier_model import SpamFilter

__all__ = ["SpamHistory"]


@lru_cache(maxsize=256)
def _shortener_pattern(hosts: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(h) for h in hosts)
    return re.compile(rf"(?<![\w.-])(?:{alternatives})/", re.IGNORECASE)


class SpamHistory:
    """Remembers recent bodies and senders so history filters can judge the next message."""

    def __init__(self) -> None:
        self._by_body: dict[str, deque[float]] = defaultdict(deque)
        self._by_sender: dict[str, deque[float]] = defaultdict(deque)
        self._judged: deque[tuple[float, str, str]] = deque()  # (now, body, sender), in order
        self._forgotten_at = 0.0

    def judge(
        self, filters: tuple[SpamFilter, ...], sender: str, body: str, now: float
    ) -> SpamFilter | None:
        """Record this message and return the first filter it trips, if any."""
        bodies = self._by_body[body]
        senders = self._by_sender[sender]
        bodies.append(now)
        senders.append(now)
        self._judged.append((now, body, sender))
        for spam_filter in filters:
            if self._trips(spam_filter, body, bodies, senders, now):
                return spam_filter
        return None

    @staticmethod
    def _count_within(times: deque[float], window: float, now: float) -> int:
        return sum(1 for t in times if now - t < window)

    def _trips(
        self,
        spam_filter: SpamFilter,
        body: str,
        bodies: deque[float],
        senders: deque[float],
        now: float,
    ) -> bool:
        if spam_filter.regex is not None:
            return spam_filter.regex.search(body) is not None
        if spam_filter.url_shorteners:
            return _shortener_pattern(spam_filter.url_shorteners).search(body) is not None
        if spam_filter.duplicate_count is not None:
            return (
                self._count_within(bodies, spam_filter.window, now) >= spam_filter.duplicate_count
            )
        if spam_filter.velocity_count is not None:
            return (
                self._count_within(senders, spam_filter.window, now) >= spam_filter.velocity_count
            )
        return False

    def forget_before(self, horizon: float) -> None:
        """Drop history older than `horizon` (keeps memory flat on long runs), at most once a
        simulated minute; only the keys of the messages judged before `horizon` are visited,
        oldest first (a pass over every key cost more than the judging)."""
        if horizon - self._forgotten_at < 60.0:
            return
        self._forgotten_at = horizon
        judged = self._judged
        while judged and judged[0][0] < horizon:
            _, body, sender = judged.popleft()
            _forget(self._by_body, body, horizon)
            _forget(self._by_sender, sender, horizon)


def _forget(table: dict[str, deque[float]], key: str, horizon: float) -> None:
    times = table.get(key)
    if times is None:
        return
    while times and times[0] < horizon:
        times.popleft()
    if not times:
        del table[key]
