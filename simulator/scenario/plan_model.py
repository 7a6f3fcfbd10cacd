"""What the scenario runner reads from a scenario: the traffic to send and what must come out.

The scenario loader keeps `traffic` and `expect` as plain data (the carrier never reads them);
`simulator.scenario.read_plan` validates them into these frozen dataclasses, reporting
file:line:field like the rest of the loader. Times are simulated seconds since the scenario
started; rates are messages per simulated second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulator.scenario.carrier_model import Scenario

__all__ = [
    "COUNTED_FIELDS",
    "USAGE_DIRECTIONS",
    "Amount",
    "Bound",
    "CancelStep",
    "Expectations",
    "InboundStep",
    "InboxExpectation",
    "InboxMessage",
    "LeadExpectation",
    "LeadsStep",
    "NumberOrder",
    "NumbersStep",
    "Plan",
    "SearchExpectation",
    "SendStep",
    "TrafficStep",
    "UsageExpectation",
    "UsageFigures",
    "WaitStep",
    "WhitelistExpectation",
    "WhitelistStep",
    "render",
]


def render(template: str, i: int) -> str:
    """A `{i}` template for the i-th item (`{i:04d}` and other format specs work)."""
    return template.format(i=i)


@dataclass(frozen=True, slots=True)
class NumberOrder:
    """Rent `count` numbers in `country`; `label` lets later steps name them in `from`/`to`."""

    country: str
    count: int = 1
    label: str | None = None


@dataclass(frozen=True, slots=True)
class NumbersStep:
    orders: tuple[NumberOrder, ...]
    path: str = ""  # where the step is in the file, for messages at run time


@dataclass(frozen=True, slots=True)
class LeadsStep:
    """`count` leads named `name`, each with one contact of one mobile `phone`: templates
    rendered with i = start, start + 1, ..."""

    name: str
    phone: str
    count: int = 1
    start: int = 0
    contact: str | None = None  # the contact's name template; default: the lead's name
    path: str = ""


@dataclass(frozen=True, slots=True)
class SendStep:
    """`count` SMS from `from_` (a country: its rented numbers in turn; a label; or a rented
    number) to the leads `to` names (a name template, or a phone template starting with +).
    `send_at` set: scheduled for that simulated time, `tag` naming them for a later cancel."""

    to: str
    text: str
    from_: str
    count: int = 1
    start: int = 0
    rate: float | None = None  # per simulated second; None: as fast as the gateway takes them
    at: float | None = None  # do not start before this simulated time
    send_at: float | None = None
    tag: str | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class CancelStep:
    """Set the scheduled messages tagged `tag` back to draft (the first `count`, else all)."""

    tag: str
    count: int | None = None
    at: float | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class InboundStep:
    """A handset `from_` (template) texts `text` (template) to our number `to` (country,
    label or number) through the carrier, `count` times with i = start, ..."""

    from_: str
    to: str
    text: str
    count: int = 1
    start: int = 0
    at: float | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class WhitelistStep:
    """File a spam-whitelist request (`POST /sms_whitelist_request/`) for our number `number`
    (country: its next number in turn, label or number); the scenario's `whitelist` policy
    decides it later."""

    number: str
    website: str
    content_type: str
    examples: tuple[str, ...]
    opted_in: bool
    relationship: str
    at: float | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class WaitStep:
    seconds: float
    path: str = ""


TrafficStep = (
    NumbersStep | LeadsStep | SendStep | CancelStep | InboundStep | WhitelistStep | WaitStep
)


class _Limits:
    """Exactly `min` (min == max) or within [min, max] (max None: open); the two classes below
    stay distinct because the judge reads counts and amounts differently."""

    __slots__ = ()
    min: Any
    max: Any

    def holds(self, value: Any) -> bool:
        return bool(value >= self.min and (self.max is None or value <= self.max))

    def __str__(self) -> str:
        if self.min == self.max:
            return str(self.min)
        if self.max is None:
            return f">= {self.min}"
        return f"{self.min}..{self.max}"


@dataclass(frozen=True, slots=True)
class Bound(_Limits):
    """A count."""

    min: int
    max: int | None


@dataclass(frozen=True, slots=True)
class Amount(_Limits):
    """A cost in US cents."""

    min: Decimal
    max: Decimal | None


@dataclass(frozen=True, slots=True)
class LeadExpectation:
    """What the leads named `name` show: counts of their outbound and inbound SMS, and the
    value each of their outbound SMS must have in the fields given (status, error_code...)."""

    name: str
    outbound: Bound | None = None
    inbound: Bound | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (field, value), in file order
    path: str = ""


@dataclass(frozen=True, slots=True)
class SearchExpectation:
    """`GET /lead/?query=` answers `count` (total_results) and/or exactly the leads `leads`."""

    query: str
    count: Bound | None = None
    leads: tuple[str, ...] | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """An inbound SMS that must be in the inbox; every given field must match."""

    text: str
    from_: str | None = None
    lead: str | None = None
    path: str = ""


@dataclass(frozen=True, slots=True)
class InboxExpectation:
    count: Bound | None = None
    messages: tuple[InboxMessage, ...] = ()


@dataclass(frozen=True, slots=True)
class WhitelistExpectation:
    """The whitelist outcome of our numbers `number` (a label, a country, a number, or `all`):
    the status and reason of each one's latest request, the `whitelisted` flag every one of
    them shows, and their `spam_flagged_count` summed."""

    number: str
    status: str | None = None  # approved | rejected
    reason: str | None = None  # a substring of the carrier's reason
    whitelisted: bool | None = None
    spam_flagged_count: Bound | None = None
    path: str = ""


# `GET /usage/sms/` reports each measure per direction; `total` is both directions together.
USAGE_DIRECTIONS = ("outbound", "inbound", "total")


@dataclass(frozen=True, slots=True)
class UsageFigures:
    """Messages, segments and cost of one direction (outbound, inbound or total)."""

    direction: str
    messages: Bound | None = None
    segments: Bound | None = None
    cost: Amount | None = None


@dataclass(frozen=True, slots=True)
class UsageExpectation:
    """`GET /usage/sms/` over the run: its totals, and its rows by country (`group_by=country`;
    a country without a row counts zero)."""

    totals: tuple[UsageFigures, ...] = ()
    countries: tuple[tuple[str, tuple[UsageFigures, ...]], ...] = ()


# The count tables: a field of the outbound SMS activities, and the count of each value.
COUNTED_FIELDS = ("status", "delivery_status", "error_reason", "error_code")


@dataclass(frozen=True, slots=True)
class Expectations:
    deadline: float = 600.0  # simulated seconds after the traffic for every message to settle
    messages: Bound | None = None  # outbound SMS activities in all
    # (field, value, bound), by field, then in file order
    counts: tuple[tuple[str, str, Bound], ...] = ()
    leads: tuple[LeadExpectation, ...] = ()
    search: tuple[SearchExpectation, ...] = ()
    inbox: InboxExpectation | None = None
    whitelist: tuple[WhitelistExpectation, ...] = ()
    usage: UsageExpectation | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A scenario with its traffic and expectations, validated."""

    scenario: Scenario
    traffic: tuple[TrafficStep, ...] = ()
    expect: Expectations = field(default_factory=Expectations)
    file: str = "<string>"
