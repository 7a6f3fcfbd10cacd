"""The same AST, answered in plain Python over in-memory leads and messages.

Deliberately naive (no indexes, no tricks: "count the failed SMS" counts them), so that it can
judge the SQL compiler in property tests. The order of `leads` and `messages` stands for
insertion order, which SQLite's rowid gives the SQL side as its tie-breaker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

from gateway.core.dates import iso
from gateway.core.models import Lead, Sms
from gateway.search.ast import (
    All,
    And,
    ChoiceIs,
    Contains,
    DateIs,
    Has,
    Node,
    Not,
    NumberIs,
    Op,
    Or,
    PhoneIs,
    SmsMatch,
)
from gateway.search.dates import resolve
from gateway.search.fields import fold

__all__ = ["evaluate", "latest_outbound"]


def latest_outbound(messages: Iterable[Sms]) -> Sms | None:
    """The latest of the outbound `messages`: greatest date_created, then greatest id. The
    same rule as the SQL side's summary (migration 004_lead_sms_summary.sql)."""
    return max(
        (m for m in messages if m.direction == "outbound"),
        key=lambda m: (m.date_created, m.id),
        default=None,
    )


def _compare(op: Op, left: int, right: int) -> bool:
    return {
        Op.EQ: left == right,
        Op.GT: left > right,
        Op.GE: left >= right,
        Op.LT: left < right,
        Op.LE: left <= right,
    }[op]


class _Evaluator:
    def __init__(self, now: datetime, tz: tzinfo) -> None:
        self.now, self.tz = now, tz

    def lead(self, node: Node, lead: Lead, messages: list[Sms]) -> bool:
        match node:
            case And(items):
                return all(self.lead(i, lead, messages) for i in items)
            case Or(items):
                return any(self.lead(i, lead, messages) for i in items)
            case Not(item):
                return not self.lead(item, lead, messages)
            case All():
                return True
            case Contains("name", value):
                return lead.name is not None and fold(value) in fold(lead.name)
            case PhoneIs("phone", phone):
                return any(p.phone == phone for c in lead.contacts for p in c.phones)
            case NumberIs("sms_messages", op, value):
                return _compare(op, len(messages), value)
            case NumberIs("failed_sms", op, value):
                return _compare(op, sum(m.status == "error" for m in messages), value)
            case ChoiceIs("latest_sms_status", status):
                latest = latest_outbound(messages)
                return latest is not None and latest.status == status
            case Has("sms_messages"):
                return bool(messages)
            case Has("error_sms_messages"):
                return any(m.status == "error" for m in messages)
            case Has("inbound_sms"):
                return any(m.direction == "inbound" for m in messages)
            case SmsMatch(where):
                return any(self.sms(where, m) for m in messages)
        raise ValueError(f"not a lead-level predicate: {node!r}")

    def sms(self, node: Node, sms: Sms) -> bool:
        match node:
            case And(items):
                return all(self.sms(i, sms) for i in items)
            case Or(items):
                return any(self.sms(i, sms) for i in items)
            case Not(item):
                return not self.sms(item, sms)
            case All():
                return True
            case Contains("text", value):
                return fold(value) in fold(sms.text)
            case PhoneIs(field, phone):
                return bool(getattr(sms, field) == phone)
            case ChoiceIs("error", reason):
                return sms.error_reason == reason
            case ChoiceIs(field, value):
                return bool(getattr(sms, field) == value)
            case NumberIs(field, op, value):
                actual = getattr(sms, field)
                return actual is not None and _compare(op, actual, value)
            case DateIs("created", op, value):
                start, end = (iso(d) for d in resolve(value, self.now, self.tz))
                created = sms.date_created
                return {
                    Op.EQ: start <= created < end,
                    Op.GT: created >= end,
                    Op.GE: created >= start,
                    Op.LT: created < start,
                    Op.LE: created < end,
                }[op]
        raise ValueError(f"not an SMS-level predicate: {node!r}")


def evaluate(
    node: Node,
    leads: Sequence[Lead],
    messages: Sequence[Sms],
    *,
    org_id: str,
    now: datetime,
    tz: tzinfo,
) -> list[str]:
    """Ids of the organization's matching leads, newest first (ties: last inserted first)."""
    by_lead: dict[str, list[Sms]] = defaultdict(list)
    for sms in messages:
        if sms.organization_id == org_id and sms.lead_id is not None:
            by_lead[sms.lead_id].append(sms)
    evaluator = _Evaluator(now, tz)
    mine = [
        (lead.date_created, i, lead)
        for i, lead in enumerate(leads)
        if lead.organization_id == org_id
    ]
    return [
        lead.id
        for _created, _i, lead in sorted(mine, key=lambda t: (t[0], t[1]), reverse=True)
        if evaluator.lead(node, lead, by_lead[lead.id])
    ]
