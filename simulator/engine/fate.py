"""The fate of one accepted message and the timed events that carry it out. Pure."""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulator.engine.settings import Settings
from simulator.scenario.carrier_model import CallbackFaults, Delay, HandsetKind, SpamFilter
from telecom.errors import lookup

__all__ = ["Fate", "Step", "decide", "plan_callbacks", "plan_steps"]

_HANDSET_CODES = {
    HandsetKind.LANDLINE: 30006,
    HandsetKind.NON_SMS: 30006,
    HandsetKind.UNREACHABLE: 30003,
    HandsetKind.UNKNOWN: 30005,
}


@dataclass(frozen=True, slots=True)
class Fate:
    status: str  # delivered, undelivered or failed
    error_code: int | None
    cause: str  # why, for the oracle: delivered, handset:landline, spam:<name>, random:30003


@dataclass(frozen=True, slots=True)
class Step:
    """A status the message takes at simulated time `at`."""

    at: float
    status: str
    error_code: int | None = None


def _final_status(code: int) -> str:
    entry = lookup(code)
    return entry.final_status if entry else "undelivered"


def decide(
    settings: Settings,
    handset: HandsetKind,
    spam_hit: SpamFilter | None,
    rng: random.Random,
) -> Fate:
    """Handset first (a landline never gets SMS), then spam, then the random failure draw."""
    if handset in _HANDSET_CODES:
        code = _HANDSET_CODES[handset]
        return Fate(_final_status(code), code, f"handset:{handset.value}")
    if spam_hit is not None:
        return Fate(_final_status(spam_hit.code), spam_hit.code, f"spam:{spam_hit.name}")
    draw = rng.random()
    threshold = 0.0
    for failure in settings.failures:
        threshold += failure.rate
        if draw < threshold:
            return Fate(_final_status(failure.code), failure.code, f"random:{failure.code}")
    return Fate("delivered", None, "delivered")


def _draw(delay: Delay, rng: random.Random) -> float:
    return delay.min if delay.max <= delay.min else rng.uniform(delay.min, delay.max)


def plan_steps(fate: Fate, start: float, settings: Settings, rng: random.Random) -> list[Step]:
    """queued -> sent -> delivered|undelivered, or queued -> failed (never left the carrier)."""
    sent_at = start + _draw(settings.latency.sent, rng)
    if fate.status == "failed":
        return [Step(sent_at, "failed", fate.error_code)]
    final_at = sent_at + _draw(settings.latency.delivered, rng)
    return [Step(sent_at, "sent"), Step(final_at, fate.status, fate.error_code)]


def plan_callbacks(steps: list[Step], faults: CallbackFaults, rng: random.Random) -> list[Step]:
    """When each status callback is posted: on time, or late, twice, or the final one first."""
    posts = list(steps)
    if len(posts) == 2 and rng.random() < faults.out_of_order_rate:
        sent, final = posts
        posts = [Step(final.at, sent.status), Step(sent.at, final.status, final.error_code)]
    timed: list[Step] = []
    for post in posts:
        at = post.at + (faults.late_delay if rng.random() < faults.late_rate else 0.0)
        timed.append(Step(at, post.status, post.error_code))
        if rng.random() < faults.duplicate_rate:
            timed.append(Step(at, post.status, post.error_code))
    return timed
