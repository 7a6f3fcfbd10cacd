"""Pacing (gateway/core/pacing.py): each number's rate in segments, the grant a round
takes at once, and the retry backoff."""

from __future__ import annotations

import pytest

from gateway.core.pacing import Pace, Pacer, backoff, grant


def test_pacer_spaces_each_number() -> None:
    pacer = Pacer(per_second=2, slack=0.0)
    assert pacer.take("+1", 100.0)
    assert not pacer.take("+1", 100.1)
    assert pacer.take("+2", 100.1)  # another number has its own budget
    assert pacer.take("+1", 100.5)
    # over ten seconds, no more than the rate (plus the first)
    pacer = Pacer(per_second=2, slack=0.2)
    taken = sum(pacer.take("+1", 200 + i / 100) for i in range(1000))
    assert taken <= 21


def test_pacer_slack_allows_a_small_burst_after_idle() -> None:
    pacer = Pacer(per_second=100, slack=0.05)
    assert sum(pacer.take("+1", 10.0) for _ in range(20)) == 6


def test_grant_is_what_as_many_takes_would_allow() -> None:
    pace = Pace(per_second=100, slack=0.05)
    assert grant(0.0, 10.0, pace, [1] * 20) == (6, pytest.approx(10.01))  # the burst, then wait
    assert grant(10.01, 10.0, pace, [1] * 5) == (0, 10.01)
    assert grant(10.01, 10.02, pace, [1] * 5) == (2, pytest.approx(10.03))
    # takes granted in rounds never beat the rate: 10 s of polling every 50 ms
    free, taken = 0.0, 0
    for i in range(200):
        got, free = grant(free, 20 + i * 0.05, pace, [1] * 50)
        taken += got
    assert taken <= 100 * 10 + 6


def test_pacer_counts_segments() -> None:
    # Twilio's throughput counts segments: a 3-segment SMS on a 1 MPS number takes 3 s
    pacer = Pacer(per_second=1, slack=0.0)
    assert pacer.take("+1", 100.0, 3)
    assert not any(pacer.take("+1", t) for t in (101.0, 102.0, 102.9))
    assert pacer.take("+1", 103.0, 3)
    assert not pacer.take("+1", 105.5)
    assert pacer.take("+1", 106.0)
    assert pacer.take("+1", 107.0)  # a single segment leaves the next one a second later


def test_a_message_longer_than_the_burst_still_goes() -> None:
    pacer = Pacer(per_second=10, slack=0.2)  # a burst of 3 slots
    assert pacer.burst == 3
    assert pacer.take("+1", 50.0, 10)  # an idle number sends it at once, never starving it
    assert "+1" in pacer.waiting(50.0)  # and then owes its slots: 1 s at 10 a second
    assert not pacer.take("+1", 50.7)
    assert pacer.take("+1", 50.8)  # its slots, less the slack, are spent


def test_grant_counts_each_takes_segments_in_order() -> None:
    pace = Pace(per_second=10, slack=0.0)
    assert grant(0.0, 5.0, pace, [3, 1]) == (1, pytest.approx(5.3))
    assert grant(5.3, 5.3, pace, [1, 1]) == (1, pytest.approx(5.4))
    # what one take per round allows, one Pacer.take at a time
    pacer, free, moments = Pacer(per_second=10, slack=0.0), 0.0, [5.0, 5.3, 5.5, 5.6]
    for moment in moments:
        took, free = grant(free, moment, pace, [2])
        assert took == pacer.take("+1", moment, 2)


@pytest.mark.parametrize(
    ("attempt", "low", "high"), [(1, 0.5, 1), (2, 1, 2), (3, 2, 4), (10, 30, 60)]
)
def test_backoff_grows_with_jitter(attempt: int, low: float, high: float) -> None:
    assert backoff(attempt, 1, 60, 0.0) == low
    assert backoff(attempt, 1, 60, 0.999) == pytest.approx(high, rel=0.01)
