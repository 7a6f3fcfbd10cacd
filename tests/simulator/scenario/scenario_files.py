"""Scenario files written into a test's tmp_path and the problems loading them gives:
what the scenario tests share."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulator.scenario import Problem, ScenarioError, load

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[Problem]:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert all(problem.file == str(path) for problem in caught.value.problems)
    return caught.value.problems


def only_problem(tmp_path: Path, text: str) -> Problem:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


def names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    """The scenario `text` holds exactly one problem, reported at `line` and `field`."""
    problem = only_problem(tmp_path, text)

    assert (problem.line, problem.field) == (line, field)
    assert message in problem.message
    location = f"{tmp_path / 'case.yaml'}:{line}:{problem.column}: "
    assert str(problem).startswith(location + (f"{field}: " if field else ""))
