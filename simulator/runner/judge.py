"""Expectations against what was observed: one Check per expectation, pure.

Check names are stable and readable (`status[sent]`, `leads[Desk phone].error_reason`,
`search[failed_sms > 1].count`), since they become JUnit testcase names and JSON keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from simulator.runner.outcome import Check, Observed, Record
from simulator.scenario.expect import NONE
from simulator.scenario.plan import (
    Bound,
    Expectations,
    InboxExpectation,
    InboxMessage,
    LeadExpectation,
    SearchExpectation,
)

__all__ = ["judge", "shown", "value_of"]

_SHOWN = 8  # names listed in a report line before "+N more"


def value_of(record: Record, field: str) -> str:
    """A field as the expect section writes it: text, codes as digits, nothing as `none`."""
    value = record.get(field)
    return NONE if value is None else str(value)


def shown(names: Iterable[str]) -> str:
    ordered = sorted(names)
    if not ordered:
        return "(none)"
    head = ", ".join(ordered[:_SHOWN])
    return head if len(ordered) <= _SHOWN else f"{head} (+{len(ordered) - _SHOWN} more)"


def _count(name: str, bound: Bound, actual: int) -> Check:
    return Check(name, str(bound), str(actual), bound.holds(actual))


def judge(expect: Expectations, seen: Observed) -> list[Check]:
    outbound = seen.outbound
    checks: list[Check] = []
    if expect.messages is not None:
        checks.append(_count("messages", expect.messages, len(outbound)))
    tallies = {field: Counter(value_of(s, field) for s in outbound) for field, _, _ in
               expect.counts}
    for field, value, bound in expect.counts:
        checks.append(_count(f"{field}[{value}]", bound, tallies[field][value]))
    for lead in expect.leads:
        checks.extend(_lead(lead, seen))
    for search in expect.search:
        checks.extend(_search(search, seen))
    if expect.inbox is not None:
        checks.extend(_inbox(expect.inbox, seen))
    return checks


def _lead(expect: LeadExpectation, seen: Observed) -> list[Check]:
    name = f"leads[{expect.name}]"
    ids = {lead_id for lead_id, lead_name in seen.lead_names.items() if lead_name == expect.name}
    if not ids:
        return [Check(name, "a lead with this name", "no such lead", False)]
    mine = [s for s in seen.sms if s.get("lead_id") in ids]
    outbound = [s for s in mine if s.get("direction") == "outbound"]
    checks = []
    if expect.outbound is not None:
        checks.append(_count(f"{name}.outbound", expect.outbound, len(outbound)))
    if expect.inbound is not None:
        inbound = sum(1 for s in mine if s.get("direction") == "inbound")
        checks.append(_count(f"{name}.inbound", expect.inbound, inbound))
    for field, value in expect.fields:
        values = Counter(value_of(s, field) for s in outbound)
        actual = ", ".join(f"{v} x{n}" if len(values) > 1 else v for v, n in sorted(values.items()))
        checks.append(Check(f"{name}.{field}", f"{value} (every outbound SMS)",
                            actual or "no outbound SMS", set(values) == {value}))
    return checks


def _search(expect: SearchExpectation, seen: Observed) -> list[Check]:
    name = f"search[{expect.query}]"
    result = seen.search.get(expect.query)
    checks = []
    if expect.count is not None:
        if result is None or result.total is None:
            why = result.error if result and result.error else "no answer"
            checks.append(Check(f"{name}.count", str(expect.count), f"refused: {why}", False))
        else:
            checks.append(_count(f"{name}.count", expect.count, result.total))
    if expect.leads is not None:
        names = result.names if result and result.total is not None else ()
        wanted = sorted(expect.leads)
        checks.append(Check(f"{name}.leads", shown(wanted),
                            shown(names) if result and result.total is not None
                            else f"refused: {result.error if result else 'no answer'}",
                            sorted(names) == wanted))
    return checks


def _inbox(expect: InboxExpectation, seen: Observed) -> list[Check]:
    inbox = seen.inbox
    checks = []
    if expect.count is not None:
        checks.append(_count("inbox.count", expect.count, len(inbox)))
    for i, message in enumerate(expect.messages):
        found = [s for s in inbox if _matches(message, s, seen)]
        checks.append(Check(f"inbox.messages[{i}]", _describe(message),
                             "found" if found else _nearest(message, inbox, seen),
                             bool(found)))
    return checks


def _matches(message: InboxMessage, sms: Record, seen: Observed) -> bool:
    return (sms.get("text") == message.text
            and (message.from_ is None or sms.get("remote_phone") == message.from_)
            and (message.lead is None
                 or seen.lead_names.get(str(sms.get("lead_id"))) == message.lead))


def _describe(message: InboxMessage) -> str:
    parts = [repr(message.text)]
    if message.from_:
        parts.append(f"from {message.from_}")
    if message.lead:
        parts.append(f"on lead {message.lead!r}")
    return " ".join(parts)


def _nearest(message: InboxMessage, inbox: tuple[Record, ...], seen: Observed) -> str:
    """What the inbox holds instead: the same text elsewhere, else the sender's messages."""
    same = [s for s in inbox if s.get("text") == message.text]
    if not same and message.from_:
        same = [s for s in inbox if s.get("remote_phone") == message.from_]
    if not same:
        return f"not found ({len(inbox)} inbound SMS, none with this text or sender)"
    seen_as = sorted({
        f"{s.get('text')!r} from {s.get('remote_phone')} on lead "
        f"{seen.lead_names.get(str(s.get('lead_id')), '?')!r}" for s in same})
    return "not found; the inbox has " + "; ".join(seen_as[:3])
