"""The scenario runner: drives the gateway and the simulator through a scenario's traffic and
judges the outcome against its expectations and the carrier's oracle.

A pure core (judge.py, invariants.py, report.py over outcome.py's data) inside a thin shell
(clients.py, drive.py, local_lab.py, run.py, command.py).
"""

from simulator.runner.outcome import Check, Observed, ScenarioResult, SearchResult, UsageResult
from simulator.runner.run import Target, run_plan

__all__ = [
    "Check",
    "Observed",
    "ScenarioResult",
    "SearchResult",
    "Target",
    "UsageResult",
    "run_plan",
]
