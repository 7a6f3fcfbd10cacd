"""Expectations against what was observed: one Check per expectation, pure.

Check names are stable and readable (`status[sent]`, `leads[Desk phone].error_reason`,
`search[failed_sms > 1].count`, `whitelist[promo].status`, `usage.outbound.cost`,
`usage.countries[GB].inbound.messages`), since they become JUnit testcase names and JSON keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from simulator.runner.outcome import Check, Observed, Record, UsageResult
from simulator.scenario.expect import ALL_NUMBERS, NONE
from simulator.scenario.plan_model import (
    Amount,
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


def _tally(values: Iterable[str]) -> str:
    """Values as a report shows them: `error`, or `error x2, sent x1` when they differ."""
    counted = Counter(values)
    return ", ".join(f"{v} x{n}" if len(counted) > 1 else v for v, n in sorted(counted.items()))


def judge(expect: Expectations, seen: Observed) -> list[Check]:
    outbound = seen.outbound
    checks: list[Check] = []
    if expect.messages is not None:
        checks.append(_count("messages", expect.messages, len(outbound)))
    tallies = {
        field: Counter(value_of(s, field) for s in outbound) for field, _, _ in expect.counts
    }
    for field, value, bound in expect.counts:
        checks.append(_count(f"{field}[{value}]", bound, tallies[field][value]))
    for lead in expect.leads:
        checks.extend(_lead(lead, seen))
    for search in expect.search:
        checks.extend(_search(search, seen))
    if expect.inbox is not None:
        checks.extend(_inbox(expect.inbox, seen))
    for whitelist in expect.whitelist:
        checks.extend(_whitelist(whitelist, seen))
    if expect.usage is not None:
        checks.extend(_usage(expect.usage, seen.usage))
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
        values = [value_of(s, field) for s in outbound]
        checks.append(
            Check(
                f"{name}.{field}",
                f"{value} (every outbound SMS)",
                _tally(values) or "no outbound SMS",
                set(values) == {value},
            )
        )
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
        checks.append(
            Check(
                f"{name}.leads",
                shown(wanted),
                shown(names)
                if result and result.total is not None
                else f"refused: {result.error if result else 'no answer'}",
                sorted(names) == wanted,
            )
        )
    return checks


def _inbox(expect: InboxExpectation, seen: Observed) -> list[Check]:
    inbox = seen.inbox
    checks = []
    if expect.count is not None:
        checks.append(_count("inbox.count", expect.count, len(inbox)))
    for i, message in enumerate(expect.messages):
        found = [s for s in inbox if _matches(message, s, seen)]
        checks.append(
            Check(
                f"inbox.messages[{i}]",
                _describe(message),
                "found" if found else _nearest(message, inbox, seen),
                bool(found),
            )
        )
    return checks


def _matches(message: InboxMessage, sms: Record, seen: Observed) -> bool:
    return (
        sms.get("text") == message.text
        and (message.from_ is None or sms.get("remote_phone") == message.from_)
        and (message.lead is None or seen.lead_names.get(str(sms.get("lead_id"))) == message.lead)
    )


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
    seen_as = sorted(
        {
            f"{s.get('text')!r} from {s.get('remote_phone')} on lead "
            f"{seen.lead_names.get(str(s.get('lead_id')), '?')!r}"
            for s in same
        }
    )
    return "not found; the inbox has " + "; ".join(seen_as[:3])


def _numbers_of(key: str, seen: Observed) -> tuple[str, ...]:
    """The numbers an expect.whitelist key names: a label's or country's, one, or all."""
    if key == ALL_NUMBERS:
        return tuple(sorted({n for numbers in seen.numbers.values() for n in numbers}))
    return (key,) if key.startswith("+") else tuple(seen.numbers.get(key, ()))


def _latest(seen: Observed, numbers: Sequence[str]) -> dict[str, Record]:
    """Each number's newest whitelist request (a rejected number may file again)."""
    latest: dict[str, Record] = {}
    ordered = sorted(seen.whitelist, key=lambda r: (str(r.get("date_created")), str(r.get("id"))))
    for request in ordered:
        if request.get("phone_number") in numbers:
            latest[str(request.get("phone_number"))] = request
    return latest


def _reason(request: Record | None) -> str:
    if request is None:
        return "no request"
    return repr(request.get("reason")) if request.get("reason") else "no reason"


def _whitelist(expect: WhitelistExpectation, seen: Observed) -> list[Check]:
    name = f"whitelist[{expect.number}]"
    numbers = _numbers_of(expect.number, seen)
    if not numbers:
        return [Check(name, "a number the traffic rented", "no such number", False)]
    every = "" if len(numbers) == 1 else f" (each of {len(numbers)} numbers)"
    latest = _latest(seen, numbers)
    checks = []
    if expect.status is not None:
        statuses = [str(latest[n].get("status")) if n in latest else "no request" for n in numbers]
        checks.append(
            Check(
                f"{name}.status",
                expect.status + every,
                _tally(statuses),
                set(statuses) == {expect.status},
            )
        )
    if expect.reason is not None:
        reasons = [_reason(latest.get(n)) for n in numbers]
        found = all(
            n in latest and expect.reason in str(latest[n].get("reason") or "") for n in numbers
        )
        checks.append(
            Check(f"{name}.reason", f"contains {expect.reason!r}{every}", _tally(reasons), found)
        )
    shown_numbers = {str(n.get("number")): n for n in seen.phone_numbers}
    if expect.whitelisted is not None:
        flags = [
            str(shown_numbers[n].get("whitelisted")).lower()
            if n in shown_numbers
            else "no such number"
            for n in numbers
        ]
        wanted = str(expect.whitelisted).lower()
        checks.append(
            Check(f"{name}.whitelisted", wanted + every, _tally(flags), set(flags) == {wanted})
        )
    if expect.spam_flagged_count is not None:
        total = sum(int(shown_numbers.get(n, {}).get("spam_flagged_count") or 0) for n in numbers)
        checks.append(_count(f"{name}.spam_flagged_count", expect.spam_flagged_count, total))
    return checks


def _usage(expect: UsageExpectation, result: UsageResult | None) -> list[Check]:
    refused = "no answer" if result is None else result.error
    checks = []
    for figures in expect.totals:
        checks.extend(
            _figures(
                f"usage.{figures.direction}", figures, result.totals if result else {}, refused
            )
        )
    for country, rows in expect.countries:
        row = result.countries.get(country, {}) if result else {}
        for figures in rows:
            checks.extend(
                _figures(f"usage.countries[{country}].{figures.direction}", figures, row, refused)
            )
    return checks


def _figures(name: str, expect: UsageFigures, row: Record, refused: str | None) -> list[Check]:
    """One direction of a usage row (a country without a row counts zero)."""
    prefix = "" if expect.direction == "total" else f"{expect.direction}_"
    wanted: list[tuple[str, Bound | Amount]] = [
        (measure, limit)
        for measure, limit in (
            ("messages", expect.messages),
            ("segments", expect.segments),
            ("cost", expect.cost),
        )
        if limit is not None
    ]
    checks = []
    for measure, limit in wanted:
        label = f"{name}.{measure}"
        if refused:
            checks.append(Check(label, str(limit), f"refused: {refused}", False))
        elif isinstance(limit, Bound):
            checks.append(_count(label, limit, int(row.get(prefix + measure) or 0)))
        else:
            text = str(row.get(prefix + measure) or "0")
            try:
                passed = limit.holds(Decimal(text))
            except InvalidOperation:
                passed = False
            checks.append(Check(label, str(limit), text, passed))
    return checks
