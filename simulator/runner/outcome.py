"""The runner's data: what it saw at the end of a run, and the verdict on each check.

Plain frozen data, so judging (judge.py, invariants.py) and reporting (report.py) are pure
functions of it and can be tested without starting anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "Observed", "ScenarioResult", "SearchResult", "UsageResult"]

Record = Mapping[str, Any]  # one SMS activity or oracle entry, as its JSON


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int | None  # total_results; None when the gateway refused the query
    names: tuple[str, ...] = ()  # the names of the leads found (when they were asked for)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class UsageResult:
    """`GET /usage/sms/?group_by=country` over the run: its `totals`, and its rows by country."""

    totals: Record = field(default_factory=dict)
    countries: Mapping[str, Record] = field(default_factory=dict)
    error: str | None = None  # the gateway refused the query


@dataclass(frozen=True, slots=True)
class Observed:
    """The gateway's and the carrier's view once the run settled (or its deadline passed)."""

    sms: tuple[Record, ...] = ()  # every SMS activity of the organization
    lead_names: Mapping[str, str] = field(default_factory=dict)  # lead id -> name
    oracle: tuple[Record, ...] = ()  # the simulator's /_sim/messages entries
    search: Mapping[str, SearchResult] = field(default_factory=dict)  # by query
    settled: bool = True  # every message final before the deadline
    traffic_errors: tuple[str, ...] = ()  # requests the gateway or carrier refused
    # the numbers the traffic rented, by label and by country
    numbers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    phone_numbers: tuple[Record, ...] = ()  # the gateway's numbers (whitelisted, spam count)
    whitelist: tuple[Record, ...] = ()  # the gateway's whitelist requests
    carrier_whitelist: tuple[Record, ...] = ()  # the carrier's (`GET /_sim/whitelist`)
    usage: UsageResult | None = None  # fetched when the scenario expects usage
    labels: Mapping[str, str] = field(default_factory=dict)  # activity id -> step, lead, phone
    accepted: Mapping[str, float] = field(default_factory=dict)  # activity id -> simulated t
    simulated_seconds: float = 0.0  # the carrier's clock when the outcome was read

    def label(self, sms: Record) -> str:
        """An activity as a report names it: its traffic step, lead and phone, never its
        random id."""
        known = self.labels.get(str(sms.get("id")))
        if known is not None:
            return known
        lead = self.lead_names.get(str(sms.get("lead_id")), "no lead")
        return f"{sms.get('direction')} SMS of lead {lead} {sms.get('remote_phone')}"

    @property
    def outbound(self) -> tuple[Record, ...]:
        return tuple(s for s in self.sms if s.get("direction") == "outbound")

    @property
    def inbox(self) -> tuple[Record, ...]:
        return tuple(s for s in self.sms if s.get("direction") == "inbound")


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation or invariant: what was expected, what came out, and whether they agree.
    `details` lists examples on failure (capped, sorted: reports must be reproducible)."""

    name: str
    expected: str
    actual: str
    passed: bool
    kind: str = "expect"  # expect | invariant
    details: tuple[str, ...] = ()

    def line(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return f"{verdict}: {self.name}: expected {self.expected}, got {self.actual}"


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    name: str
    file: str
    checks: tuple[Check, ...]
    messages: int  # outbound SMS activities
    error: str | None = None  # the run could not happen at all (a setup failure)
    seconds: float = 0.0  # wall time: reported apart, never in the reproducible JSON
    # what the HTML report shows beyond the checks: reproducible (runner.figures, the
    # scenario's timeline events) and read off clocks (runner.timeline.timed, under timings)
    figures: Mapping[str, Any] = field(default_factory=dict)
    timed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)
