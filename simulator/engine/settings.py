"""What the carrier does at a given simulated moment: the scenario with its timeline applied."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from simulator.scenario.carrier_model import (
    FailureRate,
    Latency,
    Outage,
    Scenario,
    SpamFilter,
    Throughput,
)

__all__ = ["Settings", "SettingsTimeline"]


@dataclass(frozen=True, slots=True)
class Settings:
    countries: frozenset[str]
    spam_filters: tuple[SpamFilter, ...]
    failures: tuple[FailureRate, ...]
    latency: Latency
    throughput: Throughput
    outage: Outage | None = None
    outage_until: float = 0.0

    def outage_at(self, now: float) -> Outage | None:
        return self.outage if self.outage and now < self.outage_until else None


class SettingsTimeline:
    """Settings in force at any simulated time; each timeline prefix is computed once."""

    def __init__(self, scenario: Scenario) -> None:
        base = Settings(
            countries=scenario.countries,
            spam_filters=scenario.spam_filters,
            failures=scenario.failures,
            latency=scenario.latency,
            throughput=scenario.throughput,
        )
        self._times = [step.at for step in scenario.timeline]
        self._states = [base]
        for step in scenario.timeline:
            current = self._states[-1]
            removed = set(step.remove_spam_filters)
            current = replace(
                current,
                spam_filters=tuple(f for f in current.spam_filters if f.name not in removed)
                + step.add_spam_filters,
                failures=current.failures if step.failures is None else step.failures,
                latency=step.latency or current.latency,
                throughput=step.throughput or current.throughput,
                countries=(
                    current.countries if step.countries is None else frozenset(step.countries)
                ),
            )
            if step.outage is not None:
                current = replace(
                    current, outage=step.outage, outage_until=step.at + step.outage.duration
                )
            self._states.append(current)

    def at(self, now: float) -> Settings:
        return self._states[bisect.bisect_right(self._times, now)]
