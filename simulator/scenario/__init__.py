"""Scenarios: the YAML files that decide everything the simulated carrier does.

`load(path)` / `loads(text)` give a frozen `Scenario` (carrier_model.py) or raise `ScenarioError`,
whose `problems` name the file, line, column and field of every mistake. `load_plan` /
`loads_plan` also read its `traffic` and `expect` for the scenario runner (plan_model.py).
"""

from simulator.scenario.carrier_model import (
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
from simulator.scenario.plan_model import Plan
from simulator.scenario.problems import Problem, ScenarioError
from simulator.scenario.read_carrier import load, loads
from simulator.scenario.read_plan import load_plan, loads_plan

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
