"""What is wrong with a scenario (simulator/scenario/problems.py): one ScenarioError listing
every problem, one per line; problems are frozen, as scenarios are."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from simulator.scenario import Problem, ScenarioError, load, loads
from tests.simulator.scenario.scenario_files import write


def test_the_error_lists_every_problem_one_per_line(tmp_path: Path) -> None:
    path = write(tmp_path, "seed: x\ntime_scale: -1\n")
    with pytest.raises(ScenarioError) as caught:
        load(path)

    assert str(caught.value).splitlines() == [
        f"{path}:1:7: seed: expected a whole number, got 'x'",
        f"{path}:2:13: time_scale: must be above 0, got -1",
    ]
    assert isinstance(caught.value, ValueError)


def test_problems_and_scenarios_are_frozen() -> None:
    problem = Problem("f.yaml", 1, 2, "seed", "why")
    with pytest.raises(FrozenInstanceError):
        problem.line = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        loads("seed: 1\n").seed = 2  # type: ignore[misc]
