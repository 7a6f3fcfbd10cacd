"""One scenario, end to end: set the world up, play the traffic, wait for every message to
settle, look at the outcome, judge it. The judging is pure (judge.py, invariants.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from simulator.runner.clients import CarrierControl, GatewayApi, RunFailed
from simulator.runner.drive import Driver, SimTime
from simulator.runner.invariants import invariants, is_final
from simulator.runner.judge import judge
from simulator.runner.outcome import Check, Observed, ScenarioResult
from simulator.runner.world import Endpoints, in_process
from simulator.scenario.plan import Plan

__all__ = ["Target", "run_plan"]

_POLL = 0.1  # real seconds between looks while waiting for messages to settle
_PROGRESS = 3.0  # real seconds between progress lines on stderr

Progress = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Target:
    """Servers already running: the runner loads the scenario into the simulator. The key's
    organization should be empty, since counts and searches see all of it."""

    gateway_url: str
    simulator_url: str
    api_key: str


@asynccontextmanager
async def _attached(plan: Plan, target: Target) -> AsyncIterator[Endpoints]:
    async with aiohttp.ClientSession() as session:
        text = Path(plan.file).read_text(encoding="utf-8")
        await CarrierControl(session, target.simulator_url).load(text, plan.file)
    yield Endpoints(target.gateway_url, target.simulator_url, target.api_key)


async def run_plan(plan: Plan, target: Target | None = None,
                   progress: Progress = _stderr) -> ScenarioResult:
    started = time.monotonic()
    name = plan.scenario.name
    world = in_process(plan.scenario) if target is None else _attached(plan, target)
    try:
        async with world as ends, aiohttp.ClientSession() as session:
            seen = await _run(plan, ends, session, progress)
    except (RunFailed, aiohttp.ClientError, OSError, ExceptionGroup) as exc:
        cause = _first(exc)
        if not isinstance(cause, RunFailed | aiohttp.ClientError | OSError):
            raise
        error = str(cause) or type(cause).__name__
        return ScenarioResult(name, plan.file, (), 0, error, time.monotonic() - started)
    checks = [*judge(plan.expect, seen), _traffic_check(seen), *invariants(seen)]
    return ScenarioResult(name, plan.file, tuple(checks), len(seen.outbound), None,
                          time.monotonic() - started)


def _first(group: BaseException) -> BaseException:
    while isinstance(group, BaseExceptionGroup):
        group = group.exceptions[0]
    return group


async def _run(plan: Plan, ends: Endpoints, session: aiohttp.ClientSession,
               progress: Progress) -> Observed:
    gateway = GatewayApi(session, ends.gateway_url, ends.api_key)
    carrier = CarrierControl(session, ends.simulator_url)
    clock = await SimTime.of(carrier, plan.scenario.time_scale)
    driver = Driver(gateway, carrier, clock)
    await driver.play(plan.traffic)
    deadline = clock.now() + plan.expect.deadline
    settled = await _settle(plan.scenario.name, gateway, carrier, deadline, progress)
    queries = {s.query: s.leads is not None for s in plan.expect.search}
    search = {}
    for query, names in queries.items():
        search[query] = await gateway.search(query, names)
    return Observed(
        sms=tuple(await gateway.all_sms()),
        lead_names=await gateway.lead_names(),
        oracle=tuple(await carrier.oracle()),
        search=search,
        settled=settled,
        traffic_errors=tuple(sorted(driver.errors)),
    )


async def _settle(name: str, gateway: GatewayApi, carrier: CarrierControl, deadline: float,
                  progress: Progress) -> bool:
    """Wait until the carrier has nothing left to do, nothing waits to be sent and every SMS
    is final, or until simulated time passes the deadline."""
    shown = time.monotonic()
    while True:
        health = await carrier.health()
        quiet = health["pending_events"] == 0 and not await gateway.any_unsent()
        due = time.monotonic() - shown >= _PROGRESS
        if quiet or due:
            sms = [s for s in await gateway.all_sms() if s.get("direction") == "outbound"]
            final = sum(1 for s in sms if is_final(s))
            if quiet and final == len(sms):
                return True
            if due:
                shown = time.monotonic()
                progress(f"{name}: simulated t={health['simulated_seconds']:.0f}s, "
                         f"{final}/{len(sms)} SMS final, {health['pending_events']} carrier "
                         f"events pending (deadline t={deadline:.0f}s)")
        if health["simulated_seconds"] > deadline:
            return False
        await asyncio.sleep(_POLL)


def _traffic_check(seen: Observed) -> Check:
    errors = seen.traffic_errors
    return Check("traffic.requests", "every traffic request accepted",
                 "all accepted" if not errors else f"{len(errors)} refused", not errors,
                 "invariant", errors[:10])
