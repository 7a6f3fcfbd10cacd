"""The search AST: frozen dataclasses, independent of lark, SQL and the clock.

A query is a tree of `Node`s. Lead-level and SMS-level predicates share node types (`Contains`,
`NumberIs`, ...) and differ by field name; `SmsMatch` opens the SMS scope. Dates stay
unresolved (`RelativeDay(-1)`, not a timestamp) so an AST means the same thing at any time and
in any zone until a compiler or the evaluator resolves it with `now` and the caller's offset.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "All",
    "And",
    "CalendarDay",
    "ChoiceIs",
    "Contains",
    "DateIs",
    "DateValue",
    "Has",
    "Moment",
    "Node",
    "Not",
    "NumberIs",
    "Op",
    "Or",
    "PhoneIs",
    "RelativeDay",
    "RelativeMonth",
    "RelativeWeek",
    "SmsMatch",
]


class Op(enum.StrEnum):
    EQ = "="  # `field:value` means the same
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


# --- dates, resolved later to a half-open UTC range [start, end) -----------------------------


@dataclass(frozen=True, slots=True)
class RelativeDay:
    days: int  # 0 today, -1 yesterday, 1 tomorrow, -N "N days ago"


@dataclass(frozen=True, slots=True)
class RelativeWeek:
    weeks: int  # 0 this week, -1 last week (weeks start on Monday)


@dataclass(frozen=True, slots=True)
class RelativeMonth:
    months: int  # 0 this month, -1 last month


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date  # a whole day in the caller's zone


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime  # naive means the caller's zone
    precision: str  # "minutes" | "seconds" | "microseconds": how much of the clock was written


DateValue = RelativeDay | RelativeWeek | RelativeMonth | CalendarDay | Moment


# --- predicates ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class All:
    """`*`: every lead (or, inside sms(...), every message)."""


@dataclass(frozen=True, slots=True)
class Contains:
    field: str  # name | text
    value: str  # non-empty; matched ignoring ASCII case


@dataclass(frozen=True, slots=True)
class PhoneIs:
    field: str  # phone | local_phone | remote_phone
    phone: str  # E.164


@dataclass(frozen=True, slots=True)
class NumberIs:
    field: str  # sms_messages | failed_sms | segments | error_code
    op: Op
    value: int


@dataclass(frozen=True, slots=True)
class ChoiceIs:
    field: str  # latest_sms_status | direction | status | error
    value: str  # canonical: `outgoing` arrives here as `outbound`


@dataclass(frozen=True, slots=True)
class DateIs:
    field: str  # created
    op: Op
    value: DateValue


@dataclass(frozen=True, slots=True)
class Has:
    what: str  # sms_messages | error_sms_messages | inbound_sms


@dataclass(frozen=True, slots=True)
class SmsMatch:
    """`sms(...)`: the lead has at least one SMS for which `where` holds."""

    where: Node


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = All | Contains | PhoneIs | NumberIs | ChoiceIs | DateIs | Has | SmsMatch | Not | And | Or
