"""A scenario as frozen data: everything the carrier decides comes from here.

The loader (`simulator.scenario.read_carrier`) builds these from YAML and reports file:line:field;
the engine reads them and never mutates them. Times are simulated seconds.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "Account",
    "CallbackFaults",
    "CarrierRoute",
    "Delay",
    "FailureRate",
    "HandsetKind",
    "HandsetRule",
    "Idempotency",
    "Latency",
    "Outage",
    "OutageMode",
    "Reply",
    "Scenario",
    "SpamFilter",
    "Throughput",
    "TimelineStep",
    "WhitelistPolicy",
    "WhitelistRule",
]

DEFAULT_ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
DEFAULT_AUTH_TOKEN = "smslab-simulator-token"


@dataclass(frozen=True, slots=True)
class Account:
    sid: str
    auth_token: str


@dataclass(frozen=True, slots=True)
class CarrierRoute:
    """A downstream carrier and the destination countries it serves."""

    name: str
    countries: tuple[str, ...]


class HandsetKind(enum.StrEnum):
    MOBILE = "mobile"  # receives SMS
    VOIP = "voip"  # receives SMS
    LANDLINE = "landline"  # no SMS: 30006 undelivered (or 21614 at create)
    NON_SMS = "non_sms"  # any other handset without SMS (fax, pager): as landline
    UNREACHABLE = "unreachable"  # switched off / no coverage: 30003 undelivered
    UNKNOWN = "unknown"  # number no longer exists: 30005 undelivered
    OPTED_OUT = "opted_out"  # replied STOP earlier: 21610 at create


class Idempotency(enum.StrEnum):
    """What the carrier does with a create's `Idempotency-Key` header."""

    HONOUR = "honour"  # a repeated key returns the first message and sends nothing twice
    IGNORE = "ignore"  # as real Twilio's Messages API: every create is a new message


@dataclass(frozen=True, slots=True)
class Reply:
    """A handset answers a delivered message after `delay` seconds."""

    text: str
    delay: float = 5.0


@dataclass(frozen=True, slots=True)
class HandsetRule:
    """Exactly one of `number` (E.164), `pattern` (regex, full match) or `number_type`
    (phonenumbers' type: mobile, landline, fixed_or_mobile, voip, toll_free, other)."""

    kind: HandsetKind
    number: str | None = None
    pattern: re.Pattern[str] | None = None
    number_type: str | None = None
    reply: Reply | None = None


@dataclass(frozen=True, slots=True)
class SpamFilter:
    """Exactly one test: `regex` on the body, `url_shorteners` (hosts), `duplicate`
    (the same body to `count` or more recipients within `window` s) or `velocity`
    (a sender's `count`-th message within `window` s and beyond)."""

    name: str
    code: int = 30007
    regex: re.Pattern[str] | None = None
    url_shorteners: tuple[str, ...] = ()
    duplicate_count: int | None = None
    velocity_count: int | None = None
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class FailureRate:
    """A share (0..1) of otherwise deliverable messages that fail with `code`."""

    code: int
    rate: float


@dataclass(frozen=True, slots=True)
class Delay:
    """A uniform random delay in [min, max] simulated seconds."""

    min: float = 0.0
    max: float = 0.0


@dataclass(frozen=True, slots=True)
class Latency:
    sent: Delay = field(default_factory=Delay)  # queued -> sent
    delivered: Delay = field(default_factory=Delay)  # sent -> delivered / undelivered


@dataclass(frozen=True, slots=True)
class Throughput:
    """Per sender: `mps` segments per second, as Twilio counts (0 = unlimited); beyond
    `queue_size` waiting segments a create answers 21611."""

    mps: float = 0.0
    queue_size: int = 36000


class OutageMode(enum.StrEnum):
    ERROR = "error"  # the API answers `status` (5xx) with Twilio's error body
    TIMEOUT = "timeout"  # the API holds the request past any sane client timeout
    RESET = "reset"  # the API drops the connection
    SLOW = "slow"  # the API does the work, then answers `delay` seconds (real) late
    ERROR_AFTER_CREATE = "error_after_create"  # the API does the work, then answers `status`


@dataclass(frozen=True, slots=True)
class Outage:
    duration: float
    mode: OutageMode = OutageMode.ERROR
    status: int = 503
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class CallbackFaults:
    """How the status-callback sender misbehaves (shares 0..1 of callbacks)."""

    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    late_delay: float = 30.0
    out_of_order_rate: float = 0.0  # final status posted before `sent`
    attempts: int = 5  # tries per callback on non-2xx or timeout
    backoff: float = 0.5  # real seconds, doubled each retry
    timeout: float = 5.0  # real seconds


class WhitelistPolicy(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REJECT_WITHOUT_OPT_IN = "reject_without_opt_in"  # approve only when opted_in is true
    MANUAL = "manual"  # wait for POST /_sim/whitelist/{sid}


@dataclass(frozen=True, slots=True)
class WhitelistRule:
    policy: WhitelistPolicy = WhitelistPolicy.APPROVE
    delay: float = 5.0
    reason: str = "Recipients did not opt in to receive messages"


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """At simulated time `at`, change what is given; None / empty leaves a setting alone."""

    at: float
    add_spam_filters: tuple[SpamFilter, ...] = ()
    remove_spam_filters: tuple[str, ...] = ()
    failures: tuple[FailureRate, ...] | None = None
    latency: Latency | None = None
    throughput: Throughput | None = None
    countries: tuple[str, ...] | None = None
    outage: Outage | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str = "default"
    description: str = ""
    seed: int = 0
    time_scale: float = 1.0  # simulated seconds per real second
    accounts: tuple[Account, ...] = (Account(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN),)
    carriers: tuple[CarrierRoute, ...] = (CarrierRoute("default", ("US", "CA", "GB", "AU")),)
    test_numbers: bool = False  # Twilio's test-credential magic numbers
    landline_at_create: bool = False  # landlines answer 21614 at create, not 30006 later
    idempotency: Idempotency = Idempotency.HONOUR
    handsets: tuple[HandsetRule, ...] = ()
    spam_filters: tuple[SpamFilter, ...] = ()
    failures: tuple[FailureRate, ...] = ()
    latency: Latency = field(default_factory=Latency)
    throughput: Throughput = field(default_factory=Throughput)
    callbacks: CallbackFaults = field(default_factory=CallbackFaults)
    whitelist: WhitelistRule = field(default_factory=WhitelistRule)
    timeline: tuple[TimelineStep, ...] = ()
    # Read by the scenario runner (a later issue); kept as plain data here.
    traffic: tuple[dict[str, Any], ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(c for route in self.carriers for c in route.countries)
