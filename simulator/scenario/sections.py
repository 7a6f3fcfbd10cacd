"""Converters for the scenario's lists: accounts, carriers, handsets, spam filters, failures.

Each takes the Reader, the node and its field path and returns the part, or None after
recording why not (see nodes.py). Timing settings live in timing.py; the top level and the
timeline in read_carrier.py.
"""

from __future__ import annotations

import re

import phonenumbers
import yaml

from simulator.scenario.carrier_model import (
    Account,
    CarrierRoute,
    FailureRate,
    HandsetKind,
    HandsetRule,
    Reply,
    SpamFilter,
)
from simulator.scenario.nodes import Reader, item_path
from simulator.scenario.schema import (
    Convert,
    build,
    count,
    non_negative,
    positive,
    rate,
    read_fields,
    text,
)
from telecom.errors import CATALOGUE
from telecom.numbers import InvalidNumber, NumberKind, parse_e164
from telecom.wire import is_sid

__all__ = [
    "accounts",
    "callback_code",
    "carriers",
    "countries",
    "failures",
    "handsets",
    "spam_filters",
]

_HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_RATE_SLACK = 1e-9  # 0.1 + 0.2 + 0.7 is not exactly 1.0 in floating point


def _first_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _unique(
    r: Reader, path: str, items: list[yaml.Node], names: list[str | None], what: str
) -> None:
    """Report every repeat of a name in a list (None: an item that did not load), pointing back
    at its first use."""
    seen: dict[str, yaml.Node] = {}
    for index, (node, name) in enumerate(zip(items, names, strict=True)):
        if name is None:
            continue
        if name in seen:
            first = _first_line(seen[name])
            r.report(
                node, item_path(path, index), f"duplicate {what} {name!r} (first at line {first})"
            )
        else:
            seen[name] = node


# Accounts and carriers


def _sid(r: Reader, node: yaml.Node, path: str) -> str | None:
    value = r.string(node, path)
    if value is not None and not is_sid(value, "AC"):
        r.report(node, path, f"expected 'AC' followed by 32 hex digits, got {value!r}")
        return None
    return value


_ACCOUNT: dict[str, Convert] = {"sid": _sid, "auth_token": text}


def accounts(r: Reader, node: yaml.Node, path: str) -> tuple[Account, ...] | None:
    items = r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    built = [
        build(r, item, item_path(path, i), Account, _ACCOUNT, required=("sid", "auth_token"))
        for i, item in enumerate(items)
    ]
    _unique(r, path, items, [a.sid if a else None for a in built], "account sid")
    return tuple(a for a in built if a) if all(built) else None


def _region(r: Reader, node: yaml.Node, path: str) -> str | None:
    value = r.word(node, path, "a country code")
    if value is None or value in phonenumbers.SUPPORTED_REGIONS:
        return value
    hint = f"; write {value.upper()!r}" if value.upper() in phonenumbers.SUPPORTED_REGIONS else ""
    r.report(node, path, f"{value!r} is not an ISO 3166 alpha-2 region phonenumbers knows{hint}")
    return None


def countries(
    r: Reader, node: yaml.Node, path: str, *, non_empty: bool = True
) -> tuple[str, ...] | None:
    items = r.sequence(node, path, non_empty=non_empty)
    if items is None:
        return None
    regions = [_region(r, item, item_path(path, i)) for i, item in enumerate(items)]
    return tuple(c for c in regions if c) if all(regions) else None


_CARRIER: dict[str, Convert] = {"name": text, "countries": countries}


def carriers(r: Reader, node: yaml.Node, path: str) -> tuple[CarrierRoute, ...] | None:
    items = r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    built = [
        build(r, item, item_path(path, i), CarrierRoute, _CARRIER, required=("name", "countries"))
        for i, item in enumerate(items)
    ]
    _unique(r, path, items, [c.name if c else None for c in built], "carrier")
    return tuple(c for c in built if c) if all(built) else None


# Handsets


def _number(r: Reader, node: yaml.Node, path: str) -> str | None:
    value = r.word(node, path, "a phone number")
    if value is None:
        return None
    try:
        return parse_e164(value)
    except InvalidNumber as exc:
        r.report(node, path, f"{exc} (write it in E.164: +14155550100)")
        return None


def _pattern(r: Reader, node: yaml.Node, path: str) -> re.Pattern[str] | None:
    return r.regex(node, path)


def _number_type(r: Reader, node: yaml.Node, path: str) -> str | None:
    kind = r.choice(node, path, NumberKind)
    return None if kind is None else str(kind.value)


def _kind(r: Reader, node: yaml.Node, path: str) -> HandsetKind | None:
    return r.choice(node, path, HandsetKind)


def _reply(r: Reader, node: yaml.Node, path: str) -> Reply | None:
    return build(r, node, path, Reply, {"text": text, "delay": non_negative}, required=("text",))


_HANDSET: dict[str, Convert] = {
    "number": _number,
    "pattern": _pattern,
    "number_type": _number_type,
    "kind": _kind,
    "reply": _reply,
}
_HANDSET_MATCH = ("number", "pattern", "number_type")


def handsets(r: Reader, node: yaml.Node, path: str) -> tuple[HandsetRule, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    rules = [
        build(r, item, item_path(path, i), HandsetRule, _HANDSET, ("kind",), _HANDSET_MATCH)
        for i, item in enumerate(items)
    ]
    return tuple(rule for rule in rules if rule) if all(rules) else None


# Carrier error codes, spam filters and failures


def callback_code(r: Reader, node: yaml.Node, path: str) -> int | None:
    """A code the carrier reports in a status callback (30xxx), not one it answers at create."""
    code = r.integer(node, path)
    if code is None:
        return None
    entry = CATALOGUE.get(code)
    if entry is None:
        r.report(node, path, f"unknown carrier error code {code} (not in telecom.errors.CATALOGUE)")
        return None
    if entry.at_create:
        r.report(
            node,
            path,
            f"{code} ({entry.title}) is answered at create, not in a callback; "
            "use a callback code such as 30003, 30005, 30007 or 30008",
        )
        return None
    return code


def _hosts(r: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    items = r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    hosts = [r.string(item, item_path(path, i)) for i, item in enumerate(items)]
    for i, (item, host) in enumerate(zip(items, hosts, strict=True)):
        if host is not None and not _HOST.fullmatch(host):
            r.report(item, item_path(path, i), f"expected a host name such as bit.ly, got {host!r}")
            hosts[i] = None
    return tuple(h for h in hosts if h) if all(hosts) else None


def _count_window(r: Reader, node: yaml.Node, path: str) -> dict[str, float] | None:
    fields = read_fields(r, node, path, {"count": count, "window": positive}, ("count",))
    return fields.values if fields and fields.ok else None


_SPAM_FILTER: dict[str, Convert] = {
    "name": text,
    "code": callback_code,
    "regex": _pattern,
    "url_shorteners": _hosts,
    "duplicate": _count_window,
    "velocity": _count_window,
}
_SPAM_TESTS = ("regex", "url_shorteners", "duplicate", "velocity")


def _spam_filter(r: Reader, node: yaml.Node, path: str) -> SpamFilter | None:
    fields = read_fields(r, node, path, _SPAM_FILTER, ("name",), one_of=_SPAM_TESTS)
    if not (fields and fields.ok):
        return None
    values = dict(fields.values)
    # `duplicate: {count, window}` and `velocity: {count, window}` flatten into the dataclass.
    for test in ("duplicate", "velocity"):
        if test in values:
            history = values.pop(test)
            values[f"{test}_count"] = history["count"]
            if "window" in history:
                values["window"] = history["window"]
    return SpamFilter(**values)


def spam_filters(
    r: Reader, node: yaml.Node, path: str
) -> list[tuple[yaml.Node, SpamFilter]] | None:
    """The filters with their nodes, so the timeline can point at a clashing name."""
    items = r.sequence(node, path)
    if items is None:
        return None
    built = [_spam_filter(r, item, item_path(path, i)) for i, item in enumerate(items)]
    _unique(r, path, items, [f.name if f else None for f in built], "spam filter")
    pairs = [(n, f) for n, f in zip(items, built, strict=True) if f]
    return pairs if all(built) else None


_FAILURE: dict[str, Convert] = {"code": callback_code, "rate": rate}


def failures(r: Reader, node: yaml.Node, path: str) -> tuple[FailureRate, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    built = [
        build(r, item, item_path(path, i), FailureRate, _FAILURE, required=("code", "rate"))
        for i, item in enumerate(items)
    ]
    _unique(r, path, items, [str(f.code) if f else None for f in built], "failure code")
    valid = tuple(f for f in built if f)
    total = sum(f.rate for f in valid)
    if total > 1 + _RATE_SLACK:
        r.report(node, path, f"rates add up to {total:g}, above 1")
        return None
    return valid if all(built) else None
