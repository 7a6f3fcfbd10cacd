"""Converters for the scenario's timing settings: latency, throughput, callback faults,
the whitelist policy and outages. Same contract as sections.py."""

from __future__ import annotations

import yaml

from simulator.scenario.carrier_model import (
    CallbackFaults,
    Delay,
    Latency,
    Outage,
    OutageMode,
    Throughput,
    WhitelistPolicy,
    WhitelistRule,
)
from simulator.scenario.nodes import Reader
from simulator.scenario.schema import build, count, non_negative, positive, rate

__all__ = ["callbacks", "latency", "outage", "throughput", "whitelist"]


def _delay(r: Reader, node: yaml.Node, path: str) -> Delay | None:
    """A number (always that long) or {min, max} (uniform between them)."""
    if isinstance(node, yaml.ScalarNode):
        seconds = r.number(node, path, minimum=0)
        return None if seconds is None else Delay(seconds, seconds)
    schema = {"min": non_negative, "max": non_negative}
    delay = build(r, node, path, Delay, schema, required=("min", "max"))
    if delay is not None and delay.min > delay.max:
        r.report(node, path, f"min {delay.min:g} is above max {delay.max:g}")
        return None
    return delay


def latency(r: Reader, node: yaml.Node, path: str) -> Latency | None:
    return build(r, node, path, Latency, {"sent": _delay, "delivered": _delay})


def _queue_size(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path, minimum=0)


def throughput(r: Reader, node: yaml.Node, path: str) -> Throughput | None:
    return build(r, node, path, Throughput, {"mps": non_negative, "queue_size": _queue_size})


_CALLBACKS = {
    "duplicate_rate": rate,
    "late_rate": rate,
    "late_delay": non_negative,
    "out_of_order_rate": rate,
    "attempts": count,
    "backoff": non_negative,
    "timeout": positive,
}


def callbacks(r: Reader, node: yaml.Node, path: str) -> CallbackFaults | None:
    return build(r, node, path, CallbackFaults, _CALLBACKS)


def _policy(r: Reader, node: yaml.Node, path: str) -> WhitelistPolicy | None:
    return r.choice(node, path, WhitelistPolicy)


def _reason(r: Reader, node: yaml.Node, path: str) -> str | None:
    return r.string(node, path, allow_empty=True)


def whitelist(r: Reader, node: yaml.Node, path: str) -> WhitelistRule | None:
    schema = {"policy": _policy, "delay": non_negative, "reason": _reason}
    return build(r, node, path, WhitelistRule, schema)


def _mode(r: Reader, node: yaml.Node, path: str) -> OutageMode | None:
    return r.choice(node, path, OutageMode)


def _status(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path, minimum=400, maximum=599)


def outage(r: Reader, node: yaml.Node, path: str) -> Outage | None:
    schema = {"duration": positive, "mode": _mode, "status": _status, "delay": non_negative}
    return build(r, node, path, Outage, schema, required=("duration",))
