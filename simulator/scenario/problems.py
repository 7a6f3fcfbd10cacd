"""What is wrong with a scenario file, each problem pinned to a line and a field.

ScenarioError(ValueError)  -- carries every Problem found, not just the first
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is (1-based line and column), which field, and why."""

    file: str
    line: int
    column: int
    field: str  # e.g. "spam_filters[2].regex"; empty for the document as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; `str()` lists every problem, one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        # Sorted so the report reads top to bottom like the file, whatever order checks ran in.
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__("\n".join(str(problem) for problem in self.problems))
