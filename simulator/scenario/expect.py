"""The `expect` section -> Expectations (plan_model.py), reporting file:line:field like the loader.

Counts are exact (`12`) or bounded (`{min: 3, max: 8}`, either side optional), and so are
costs (US cents, `4.6`). Values are checked against what the gateway can show (Close statuses,
carrier delivery statuses, the stable error reasons, the carrier's catalogue codes, whitelist
decisions), so a typo fails at load and not as a puzzling zero at the end of a run.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any

import phonenumbers
import yaml

from simulator.scenario import schema
from simulator.scenario.expect_values import amount, bound, keyed, one_of
from simulator.scenario.nodes import Reader, describe, field_path, item_path
from simulator.scenario.plan_model import (
    COUNTED_FIELDS,
    USAGE_DIRECTIONS,
    Bound,
    Expectations,
    InboxExpectation,
    InboxMessage,
    LeadExpectation,
    SearchExpectation,
    UsageExpectation,
    UsageFigures,
    WhitelistExpectation,
)
from simulator.scenario.schema import Convert, read_fields
from telecom.errors import CATALOGUE, Reason
from telecom.numbers import InvalidNumber, parse_e164

__all__ = ["ALL_NUMBERS", "DECISIONS", "NONE", "VALUES", "bound", "expectations"]

NONE = "none"  # the key that counts messages without a value (no error code, say)
VALUES: dict[str, tuple[str, ...]] = {
    "status": ("draft", "scheduled", "outbox", "sent", "error"),
    "delivery_status": (
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "canceled",
        NONE,
    ),
    "error_reason": (*(r.value for r in Reason), NONE),
    "error_code": (*(str(c) for c in sorted(CATALOGUE)), NONE),
}


ALL_NUMBERS = "all"  # the key of expect.whitelist that means every number the traffic rents
DECISIONS = ("approved", "rejected")


def _value(r: Reader, node: yaml.Node, path: str, field: str) -> str | None:
    """A value of a counted field, as text (codes too: YAML reads 30006 as a number)."""
    value = r.word(node, path, f"a {field} value")
    if value is None:
        return None
    if value not in VALUES[field]:
        r.report(node, path, f"{field} is one of {', '.join(VALUES[field])}; got {value!r}")
        return None
    return value


def _table(
    r: Reader, node: yaml.Node, path: str, field: str
) -> list[tuple[str, str, Bound]] | None:
    if not isinstance(node, yaml.MappingNode):
        r.report(node, path, f"expected a mapping of {field} value -> count, got {describe(node)}")
        return None
    rows: list[tuple[str, str, Bound]] = []
    seen: dict[str, int] = {}
    ok = True
    for key_node, value_node in node.value:
        value = _value(r, key_node, path, field)
        counted = bound(r, value_node, field_path(path, str(key_node.value)))
        if value is not None and value in seen:
            r.report(
                key_node, field_path(path, value), f"duplicate key (first at line {seen[value]})"
            )
            ok = False
        elif value is not None:
            seen[value] = key_node.start_mark.line + 1
        if value is None or counted is None:
            ok = False
        else:
            rows.append((field, value, counted))
    return rows if ok else None


def _lead(r: Reader, name_node: yaml.Node, node: yaml.Node, path: str) -> LeadExpectation | None:
    name = r.word(name_node, path, "a lead name")
    per_field: dict[str, Convert] = {f: partial(_value, field=f) for f in COUNTED_FIELDS}
    fields = read_fields(r, node, path, {"outbound": bound, "inbound": bound, **per_field})
    if name is None or fields is None or not fields.ok:
        return None
    if not fields.values:
        r.report(node, path, f"give outbound, inbound or any of {', '.join(COUNTED_FIELDS)}")
        return None
    pairs = tuple((k, v) for k, v in fields.values.items() if k in COUNTED_FIELDS)
    return LeadExpectation(
        name, fields.values.get("outbound"), fields.values.get("inbound"), pairs, path
    )


def _leads(r: Reader, node: yaml.Node, path: str) -> tuple[LeadExpectation, ...] | None:
    if not isinstance(node, yaml.MappingNode):
        r.report(node, path, f"expected a mapping of lead name -> outcome, got {describe(node)}")
        return None
    found = [_lead(r, k, v, field_path(path, str(k.value))) for k, v in node.value]
    names = [k.value for k, _ in node.value]
    for i, name in enumerate(names):
        if name in names[:i]:
            r.report(node.value[i][0], field_path(path, str(name)), "duplicate lead")
            return None
    return tuple(f for f in found if f) if all(found) else None


def _names(r: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    names = [r.word(item, item_path(path, i), "a lead name") for i, item in enumerate(items)]
    return tuple(n for n in names if n is not None) if all(n is not None for n in names) else None


def _search(r: Reader, node: yaml.Node, path: str) -> tuple[SearchExpectation, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    schema_ = {"query": schema.text, "count": bound, "leads": _names}
    found: list[SearchExpectation | None] = []
    for i, item in enumerate(items):
        where = item_path(path, i)
        fields = read_fields(r, item, where, schema_, required=("query",))
        if fields is not None and fields.ok and not ({"count", "leads"} & set(fields.values)):
            r.report(item, where, "give count, leads or both")
            fields = None
        found.append(
            SearchExpectation(**fields.values, path=where) if fields and fields.ok else None
        )
    return tuple(f for f in found if f) if all(found) else None


def _phone(r: Reader, node: yaml.Node, path: str) -> str | None:
    value = r.word(node, path, "a phone number")
    if value is None:
        return None
    try:
        return parse_e164(value)
    except InvalidNumber as exc:
        r.report(node, path, f"not a phone number: {exc}")
        return None


_MESSAGE: dict[str, Convert] = {"text": schema.text, "from": _phone, "lead": schema.text}


def _inbox(r: Reader, node: yaml.Node, path: str) -> InboxExpectation | None:
    fields = read_fields(r, node, path, {"count": bound, "messages": _messages})
    if fields is None or not fields.ok:
        return None
    return InboxExpectation(**fields.values)


def _messages(r: Reader, node: yaml.Node, path: str) -> tuple[InboxMessage, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    found: list[InboxMessage | None] = []
    for i, item in enumerate(items):
        where = item_path(path, i)
        fields = read_fields(r, item, where, _MESSAGE, required=("text",))
        if fields is None or not fields.ok:
            found.append(None)
            continue
        values: dict[str, Any] = dict(fields.values)
        if "from" in values:
            values["from_"] = values.pop("from")
        found.append(InboxMessage(**values, path=where))
    return tuple(f for f in found if f) if all(found) else None


_OUTCOME: dict[str, Convert] = {
    "status": lambda r, n, p: one_of(r, n, p, "status", DECISIONS),
    "reason": schema.text,
    "whitelisted": schema.flag,
    "spam_flagged_count": bound,
}


def _whitelist(numbers: Collection[str] | None) -> Convert:
    """By number: a label or country of the traffic's `numbers` steps, a number, or `all`."""

    def outcome(
        r: Reader, key: yaml.Node, node: yaml.Node, path: str
    ) -> WhitelistExpectation | None:
        name = r.word(key, path, "a number label, a country, a phone number or all")
        if name is not None and name.startswith("+"):
            name = _phone(r, key, path)
        elif (
            name is not None and name != ALL_NUMBERS and numbers is not None and name not in numbers
        ):
            r.report(
                key,
                path,
                f"the traffic rents no number labelled or in {name!r} "
                f"(known: {', '.join(sorted(numbers)) or 'none'}, or all)",
            )
            name = None
        fields = read_fields(r, node, path, _OUTCOME)
        if name is None or fields is None or not fields.ok:
            return None
        if not node.value:  # an unknown key alone is reported as such
            r.report(node, path, f"give any of {', '.join(_OUTCOME)}")
            return None
        return WhitelistExpectation(name, **fields.values, path=path)

    def convert(r: Reader, node: yaml.Node, path: str) -> tuple[WhitelistExpectation, ...] | None:
        found = keyed(
            r, node, path, "number -> whitelist outcome", lambda k, v, p: outcome(r, k, v, p)
        )
        return None if found is None else tuple(found)

    return convert


def _figures(direction: str) -> Convert:
    def convert(r: Reader, node: yaml.Node, path: str) -> UsageFigures | None:
        fields = read_fields(r, node, path, {"messages": bound, "segments": bound, "cost": amount})
        if fields is None or not fields.ok:
            return None
        if not node.value:
            r.report(node, path, "give messages, segments, cost or any of them")
            return None
        return UsageFigures(direction, **fields.values)

    return convert


_DIRECTIONS: dict[str, Convert] = {d: _figures(d) for d in USAGE_DIRECTIONS}


def _directions(r: Reader, node: yaml.Node, path: str) -> tuple[UsageFigures, ...] | None:
    fields = read_fields(r, node, path, _DIRECTIONS)
    if fields is not None and fields.ok and not node.value:
        r.report(node, path, f"give any of {', '.join(USAGE_DIRECTIONS)}")
        return None
    return tuple(fields.values.values()) if fields and fields.ok else None


def _country(
    r: Reader, key: yaml.Node, node: yaml.Node, path: str
) -> tuple[str, tuple[UsageFigures, ...]] | None:
    country = r.word(key, path, "a country code")
    if country is not None and country not in phonenumbers.SUPPORTED_REGIONS:
        r.report(key, path, f"{country!r} is not an ISO 3166 alpha-2 region phonenumbers knows")
        country = None
    figures = _directions(r, node, path)
    return None if country is None or figures is None else (country, figures)


def _countries(r: Reader, node: yaml.Node, path: str) -> tuple[Any, ...] | None:
    found = keyed(r, node, path, "country -> usage", lambda k, v, p: _country(r, k, v, p))
    return None if found is None else tuple(found)


def _usage(r: Reader, node: yaml.Node, path: str) -> UsageExpectation | None:
    fields = read_fields(r, node, path, {**_DIRECTIONS, "countries": _countries})
    if fields is None or not fields.ok:
        return None
    if not node.value:
        r.report(node, path, f"give any of {', '.join(USAGE_DIRECTIONS)}, countries")
        return None
    totals = tuple(v for k, v in fields.values.items() if k in _DIRECTIONS)
    return UsageExpectation(totals, fields.values.get("countries", ()))


def _counts(field: str) -> Convert:
    return lambda r, node, path: _table(r, node, path, field)


_EXPECT: dict[str, Convert] = {
    "deadline": schema.positive,
    "messages": bound,
    **{f: _counts(f) for f in COUNTED_FIELDS},
    "leads": _leads,
    "search": _search,
    "inbox": _inbox,
    "whitelist": _whitelist(None),
    "usage": _usage,
}


def expectations(
    r: Reader, node: yaml.Node, path: str, numbers: Collection[str] | None = None
) -> Expectations | None:
    """`numbers`: the labels and countries the traffic rents numbers by (None: unknown)."""
    fields = read_fields(r, node, path, {**_EXPECT, "whitelist": _whitelist(numbers)})
    if fields is None or not fields.ok:
        return None
    values = dict(fields.values)
    counts = tuple(row for f in COUNTED_FIELDS for row in values.pop(f, ()))
    return Expectations(counts=counts, **values)
