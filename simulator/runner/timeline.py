"""The run over simulated time: the scenario's own timeline events, when each message was
accepted, taken by the carrier and final, the counts per time bucket, and the latencies.
Pure.

The events come from the scenario and are reproducible. The rest is read off clocks (the
runner's and the carrier's simulated clock, which follow real time), so it moves a little
from run to run: it goes under the JSON's `timings`, beside the wall times.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from simulator.runner.figures import message_key, oracle_by_activity
from simulator.runner.outcome import Observed, Record
from simulator.scenario.carrier_model import Scenario, TimelineStep

__all__ = ["events", "latency", "series", "timed"]

_BUCKETS = 60  # at most this many bars on a timeline
_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
_BINS = 20  # bars of a latency histogram
_FINAL = frozenset({"delivered", "undelivered", "failed", "canceled"})


def _codes(step: TimelineStep) -> str:
    rates = ", ".join(f"{f.code} {f.rate:.0%}" for f in step.failures or ())
    return rates or "none"


def events(scenario: Scenario) -> list[dict[str, Any]]:
    """What the scenario changes mid-run, as labelled markers (`until`: a band, an outage)."""
    found: list[dict[str, Any]] = []

    def add(at: float, kind: str, label: str, until: float | None = None) -> None:
        found.append({"at": at, "until": until, "kind": kind, "label": label})

    for step in scenario.timeline:
        for spam in step.add_spam_filters:
            add(step.at, "spam_filter_added", f"spam filter {spam.name} added ({spam.code})")
        for name in step.remove_spam_filters:
            add(step.at, "spam_filter_removed", f"spam filter {name} removed")
        if step.failures is not None:
            add(step.at, "failures", f"random failures: {_codes(step)}")
        if step.latency is not None:
            sent, done = step.latency.sent, step.latency.delivered
            add(
                step.at,
                "latency",
                f"latency: sent {sent.min:g}-{sent.max:g} s, final {done.min:g}-{done.max:g} s",
            )
        if step.throughput is not None:
            mps = step.throughput.mps
            add(
                step.at,
                "throughput",
                f"throughput: {mps:g} segments/s per sender" if mps else "throughput: unlimited",
            )
        if step.countries is not None:
            add(step.at, "countries", f"countries served: {', '.join(step.countries) or 'none'}")
        if step.outage is not None:
            outage = step.outage
            how = (
                f"{outage.mode.value} {outage.status}"
                if outage.mode.value.startswith("error")
                else outage.mode.value
            )
            add(
                step.at,
                "outage",
                f"outage: {how}, {outage.duration:g} s",
                step.at + outage.duration,
            )
    return sorted(found, key=lambda e: (e["at"], e["kind"], e["label"]))


def _wall(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _times(
    seen: Observed, sms: Record, oracle: Record | None, time_scale: float
) -> list[float | None]:
    """[accepted, carrier took it, sent on, final] in simulated seconds, None where unknown.
    A message the carrier never took ends when the gateway last updated it: its wall time
    after creation, scaled."""
    accepted = seen.accepted.get(str(sms.get("id")))
    carrier = sent = final = None
    if oracle is not None:
        carrier, sent = oracle.get("created_at"), oracle.get("sent_at")
        if oracle.get("status") in _FINAL:
            final = oracle.get("updated_at")
    elif accepted is not None and sms.get("status") == "error":
        created, updated = _wall(sms.get("date_created")), _wall(sms.get("date_updated"))
        if created and updated:
            final = accepted + max(0.0, (updated - created).total_seconds()) * time_scale
    return [None if t is None else round(float(t), 3) for t in (accepted, carrier, sent, final)]


def _step(span: float) -> int:
    return next((s for s in _STEPS if span / s <= _BUCKETS), _STEPS[-1])


def series(
    messages: Sequence[Mapping[str, Any]], times: Mapping[str, Sequence[float | None]], span: float
) -> dict[str, Any]:
    """Per bucket of `step` simulated seconds: accepted, sent, delivered, failed, and the
    failures by reason."""
    step = _step(max(span, 1.0))
    buckets = int(span // step) + 1
    counts: dict[str, list[int]] = {
        k: [0] * buckets for k in ("accepted", "sent", "delivered", "failed")
    }
    reasons: dict[str, list[int]] = defaultdict(lambda: [0] * buckets)

    def bucket(t: float) -> int:
        return min(buckets - 1, max(0, int(t // step)))

    for message in messages:
        accepted, _, sent, final = times.get(str(message["label"]), (None,) * 4)
        if accepted is not None:
            counts["accepted"][bucket(accepted)] += 1
        if sent is not None:
            counts["sent"][bucket(sent)] += 1
        if final is None:
            continue
        if message["outcome"] == "delivered":
            counts["delivered"][bucket(final)] += 1
        elif message["outcome"] == "failed":
            counts["failed"][bucket(final)] += 1
            reasons[str(message.get("error_reason") or "unknown")][bucket(final)] += 1
    return {
        "step": step,
        "buckets": buckets,
        **counts,
        "failed_by_reason": dict(sorted(reasons.items())),
    }


def _percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest rank."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _distribution(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    top = ordered[-1]
    width = top / _BINS if top > 0 else 1.0
    bins = Counter(min(_BINS - 1, int(v / width)) for v in ordered)
    return {
        "n": len(ordered),
        "p50": round(_percentile(ordered, 0.5), 3),
        "p90": round(_percentile(ordered, 0.9), 3),
        "p99": round(_percentile(ordered, 0.99), 3),
        "max": round(top, 3),
        "bin_width": round(width, 6),
        "histogram": [bins[i] for i in range(_BINS)],
    }


def latency(times: Mapping[str, Sequence[float | None]]) -> dict[str, Any]:
    """Simulated seconds from accepted to the carrier, from the carrier to final, and in all."""
    stages: dict[str, list[float]] = {"to_carrier": [], "carrier_to_final": [], "total": []}
    for accepted, carrier, _, final in times.values():
        if accepted is not None and carrier is not None:
            stages["to_carrier"].append(max(0.0, carrier - accepted))
        if carrier is not None and final is not None:
            stages["carrier_to_final"].append(max(0.0, final - carrier))
        if accepted is not None and final is not None:
            stages["total"].append(max(0.0, final - accepted))
    return {name: _distribution(values) for name, values in stages.items()}


def timed(
    seen: Observed, scenario: Scenario, messages: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The clock-read part of a scenario's report, for `timings`."""
    oracle = oracle_by_activity(seen)
    times = {
        seen.label(s): _times(seen, s, oracle.get(str(s.get("id"))), scenario.time_scale)
        for s in seen.outbound
        if s.get("source") != "External"
    }
    times = dict(sorted(times.items(), key=lambda item: message_key(item[0])))
    marks = [t for row in times.values() for t in row if t is not None]
    marks += [e["until"] or e["at"] for e in events(scenario)]
    span = max([seen.simulated_seconds, *marks, 1.0])
    return {
        "simulated_seconds": round(span, 3),
        # per message label: [accepted, carrier took it, sent on, final], simulated seconds
        "messages": times,
        "series": series(messages, times, span),
        "latency": latency(times),
    }
