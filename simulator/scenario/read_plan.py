"""A scenario file as the runner reads it: the carrier's scenario plus its traffic and
expectations, validated together so one `ScenarioError` lists every problem in the file.

`loads` (read_carrier.py) keeps `traffic` and `expect` as plain data, as the carrier never reads
them; this module reads the same text again into typed steps and expectations, and checks what
they name across steps: numbers, leads and tags made by an earlier step, numbers the traffic
rents for `expect.whitelist`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from simulator.scenario.carrier_model import Scenario
from simulator.scenario.expect import expectations
from simulator.scenario.nodes import Reader
from simulator.scenario.plan_model import (
    CancelStep,
    Expectations,
    InboundStep,
    LeadsStep,
    NumbersStep,
    Plan,
    SendStep,
    TrafficStep,
    WhitelistStep,
    render,
)
from simulator.scenario.problems import Problem, ScenarioError
from simulator.scenario.read_carrier import loads
from simulator.scenario.traffic import RENTABLE, traffic
from telecom.numbers import InvalidNumber, parse_e164

__all__ = ["load_plan", "loads_plan"]


def load_plan(path: str | os.PathLike[str]) -> Plan:
    filename = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(filename, 1, 1, "", f"not UTF-8 text: {exc.reason}")]) from exc
    return loads_plan(text, filename)


def loads_plan(text: str, filename: str = "<string>") -> Plan:
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = loads(text, filename)
    except ScenarioError as exc:
        problems.extend(exc.problems)
        if _syntax_only(exc):  # the YAML itself is broken: nothing more to read
            raise
    reader = Reader(filename)
    steps, expect = _sections(reader, yaml.compose(text, Loader=yaml.SafeLoader))
    problems.extend(reader.problems)
    if problems or scenario is None or steps is None or expect is None:
        raise ScenarioError(problems)
    return Plan(scenario, steps, expect, filename)


def _syntax_only(exc: ScenarioError) -> bool:
    return any(
        not p.field and p.message.startswith(("invalid YAML", "the scenario is empty", "not UTF-8"))
        for p in exc.problems
    )


def _sections(
    r: Reader, root: yaml.Node | None
) -> tuple[tuple[TrafficStep, ...] | None, Expectations | None]:
    steps: tuple[TrafficStep, ...] | None = ()
    expect: Expectations | None = Expectations()
    if not isinstance(root, yaml.MappingNode):
        return steps, expect  # the loader has reported it
    nodes: dict[str, yaml.Node] = {}
    for key, value in root.value:  # a duplicate is the loader's to report; the first counts
        if isinstance(key, yaml.ScalarNode) and key.value in ("traffic", "expect"):
            nodes.setdefault(key.value, value)
    known = _Known()
    if "traffic" in nodes:  # first, wherever it is in the file: expect names its numbers
        steps = traffic(r, nodes["traffic"], "traffic", known.add)
    if "expect" in nodes:
        # a broken traffic section leaves the rented numbers unknown: do not guess
        numbers = known.countries | known.labels if steps is not None else None
        expect = expectations(r, nodes["expect"], "expect", numbers)
    return steps, expect


@dataclass
class _Known:
    """What earlier steps made: a step may only name numbers, leads and tags made before it,
    so a mistyped name fails at load instead of half-way through a run."""

    countries: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)

    def add(self, step: TrafficStep) -> str | None:
        if isinstance(step, NumbersStep):
            self.countries.update(o.country for o in step.orders)
            self.labels.update(o.label for o in step.orders if o.label)
        elif isinstance(step, LeadsStep):
            items = range(step.start, step.start + step.count)
            self.names.update(render(step.name, i) for i in items)
            self.phones.update(parse_e164(render(step.phone, i)) for i in items)
        elif isinstance(step, SendStep):
            if step.tag:
                self.tags.add(step.tag)
            return self._ours(step.from_, "from") or self._leads(step)
        elif isinstance(step, InboundStep):
            return self._ours(step.to, "to")
        elif isinstance(step, WhitelistStep):
            return self._ours(step.number, "number")
        elif isinstance(step, CancelStep) and step.tag not in self.tags:
            return f"no scheduled send is tagged {step.tag!r} before this step"
        return None

    def _ours(self, endpoint: str, key: str) -> str | None:
        if endpoint.startswith("+") or endpoint in self.labels or endpoint in self.countries:
            return None
        what = "no number was rented in" if endpoint in RENTABLE else "no rented number is labelled"
        return f"{key}: {what} {endpoint!r} before this step"

    def _leads(self, step: SendStep) -> str | None:
        for i in range(step.start, step.start + step.count):
            target = render(step.to, i)
            if target.startswith("+"):
                try:
                    missing = parse_e164(target) not in self.phones
                except InvalidNumber:
                    missing = True
            else:
                missing = target not in self.names
            if missing:
                return (
                    f"to: no lead {'has the phone' if target.startswith('+') else 'is named'}"
                    f" {target!r} (message i={i}); create it in a leads step before this one"
                )
        return None
