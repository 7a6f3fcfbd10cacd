"""Scenarios: the YAML files that decide everything the simulated carrier does.

`load(path)` / `loads(text)` give a frozen `Scenario` (model.py) or raise `ScenarioError`,
whose `problems` name the file, line, column and field of every mistake. `load_plan` /
`loads_plan` also read its `traffic` and `expect` for the scenario runner (plan.py).
"""

from simulator.scenario.loader import load, loads
from simulator.scenario.model import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    Account,
    CallbackFaults,
    CarrierRoute,
    Delay,
    FailureRate,
    HandsetKind,
    HandsetRule,
    Idempotency,
    Latency,
    Outage,
    OutageMode,
    Reply,
    Scenario,
    SpamFilter,
    Throughput,
    TimelineStep,
    WhitelistPolicy,
    WhitelistRule,
)
from simulator.scenario.plan import Plan
from simulator.scenario.problems import Problem, ScenarioError
from simulator.scenario.runbook import load_plan, loads_plan

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
    "Plan",
    "Problem",
    "Reply",
    "Scenario",
    "ScenarioError",
    "SpamFilter",
    "Throughput",
    "TimelineStep",
    "WhitelistPolicy",
    "WhitelistRule",
    "load",
    "load_plan",
    "loads",
    "loads_plan",
]
