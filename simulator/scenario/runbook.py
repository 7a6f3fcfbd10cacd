"""A scenario file as the runner reads it: the carrier's scenario plus its traffic and
expectations, validated together so one `ScenarioError` lists every problem in the file.

`loads` (loader.py) keeps `traffic` and `expect` as plain data, because the carrier never reads
them; this module reads the same text again into typed steps and expectations.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from simulator.scenario.expect import expectations
from simulator.scenario.loader import loads
from simulator.scenario.model import Scenario
from simulator.scenario.nodes import Reader
from simulator.scenario.plan import Expectations, Plan, TrafficStep
from simulator.scenario.problems import Problem, ScenarioError
from simulator.scenario.traffic import traffic

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
    return any(not p.field and p.message.startswith(("invalid YAML", "the scenario is empty",
                                                      "not UTF-8")) for p in exc.problems)


def _sections(r: Reader, root: yaml.Node | None
              ) -> tuple[tuple[TrafficStep, ...] | None, Expectations | None]:
    steps: tuple[TrafficStep, ...] | None = ()
    expect: Expectations | None = Expectations()
    if not isinstance(root, yaml.MappingNode):
        return steps, expect  # the loader has reported it
    for key_node, value_node in root.value:
        if key_node.value == "traffic":
            steps = traffic(r, value_node, "traffic")
        elif key_node.value == "expect":
            expect = expectations(r, value_node, "expect")
    return steps, expect
