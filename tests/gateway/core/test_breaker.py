"""The carrier circuit breaker, table by table: (events) -> state and room."""

from __future__ import annotations

import sys

import pytest

from gateway.core.breaker import Breaker, BreakerState

CLOSED, HALF, OPEN = BreakerState.CLOSED, BreakerState.HALF_OPEN, BreakerState.OPEN
MANY = sys.maxsize


def _run(events: list[tuple[str, float]]) -> Breaker:
    breaker = Breaker(threshold=3, cooldown=10.0)
    for event, at in events:
        if event == "down":
            breaker.unavailable(at)
        elif event == "up":
            breaker.answered()
        elif event == "room":
            breaker.room(at)
        elif event == "probe":
            breaker.started(breaker.room(at))
    return breaker


CASES = [  # events, then (state, room at t=100 for the last check time)
    ([], CLOSED, 0.0, MANY),
    ([("down", 0), ("down", 1)], CLOSED, 1.0, MANY),
    ([("down", 0), ("down", 1), ("down", 2)], OPEN, 2.0, 0),
    ([("down", 0), ("down", 1), ("up", 1), ("down", 2)], CLOSED, 2.0, MANY),  # not consecutive
    ([("down", 0), ("down", 1), ("down", 2)], OPEN, 11.9, 0),  # cooling down
    ([("down", 0), ("down", 1), ("down", 2)], HALF, 12.0, 1),  # one probe may go
    ([("down", 0), ("down", 1), ("down", 2), ("probe", 12)], HALF, 13.0, 0),  # probe is out
    ([("down", 0), ("down", 1), ("down", 2), ("probe", 12), ("up", 13)], CLOSED, 13.0, MANY),
    ([("down", 0), ("down", 1), ("down", 2), ("probe", 12), ("down", 13)], OPEN, 22.9, 0),
    ([("down", 0), ("down", 1), ("down", 2), ("probe", 12), ("down", 13)], HALF, 23.0, 1),
    # half-open but nothing was due: the probe is still available
    ([("down", 0), ("down", 1), ("down", 2), ("room", 12)], HALF, 30.0, 1),
]


@pytest.mark.parametrize(("events", "state", "at", "room"), CASES)
def test_breaker_table(
    events: list[tuple[str, float]], state: BreakerState, at: float, room: int
) -> None:
    breaker = _run(events)
    assert breaker.room(at) == room
    assert breaker.state is state


def test_opens_are_counted() -> None:
    breaker = _run([("down", 0), ("down", 1), ("down", 2), ("probe", 12), ("down", 13)])
    assert breaker.opens == 2


def test_a_misconfigured_carrier_trips_it_at_once() -> None:
    breaker = Breaker(threshold=3, cooldown=10.0)
    assert breaker.trip(5.0) is True
    assert (breaker.state, breaker.room(14.9), breaker.opens) == (OPEN, 0, 1)
    breaker.started(breaker.room(15.0))  # the probe finds the same fault
    assert breaker.trip(15.5) is True
    assert breaker.trip(15.6) is False  # already open: counted once
    assert (breaker.opens, breaker.room(25.5)) == (2, 0)
    breaker.answered()  # fixed (after a restart, a new breaker; here, the carrier answered)
    assert (breaker.state, breaker.room(26.0)) == (CLOSED, MANY)
