"""One scenario, end to end: set the world up, play the traffic, wait for every message to
settle and every whitelist request to be decided, look at the outcome, judge it. The judging
is pure (judge.py, invariants.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from simulator.runner.clients import CarrierControl, GatewayApi, RunFailed
from simulator.runner.drive import Driver, SimTime
from simulator.runner.figures import figures
from simulator.runner.invariants import invariants, is_final
from simulator.runner.judge import judge
from simulator.runner.local_lab import Endpoints, in_process
from simulator.runner.outcome import Check, Observed, ScenarioResult
from simulator.runner.timeline import events, timed
from simulator.scenario.plan_model import Plan, WhitelistStep

__all__ = ["Target", "run_plan"]

_POLL = 0.1  # real seconds between looks while waiting for messages to settle
_PROGRESS = 3.0  # real seconds between progress lines, by default
# Usage is asked for from this long before the run started to this long after it settled:
# the gateway may be another machine whose clock is a little off, and its organization holds
# this run alone.
_USAGE_MARGIN = timedelta(minutes=5)

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


async def run_plan(
    plan: Plan,
    target: Target | None = None,
    progress: Progress = _stderr,
    database: str | None = None,
    progress_every: float = _PROGRESS,
) -> ScenarioResult:
    """`database`: the in-process gateway's store (see world.in_process); unused when
    `target` names servers already running. `progress` gets a line every `progress_every`
    real seconds while the traffic plays and the messages settle."""
    started = time.monotonic()
    name = plan.scenario.name
    world = in_process(plan.scenario, database) if target is None else _attached(plan, target)
    try:
        async with world as ends, aiohttp.ClientSession() as session:
            seen = await _run(plan, ends, session, progress, progress_every)
    except (RunFailed, aiohttp.ClientError, OSError, ExceptionGroup) as exc:
        cause = _first(exc)
        if not isinstance(cause, RunFailed | aiohttp.ClientError | OSError):
            raise
        error = str(cause) or type(cause).__name__
        return ScenarioResult(name, plan.file, (), 0, error, time.monotonic() - started)
    checks = [*judge(plan.expect, seen), _traffic_check(seen), *invariants(seen)]
    shown = {
        "seed": plan.scenario.seed,
        "time_scale": plan.scenario.time_scale,
        "description": plan.scenario.description,
        "events": events(plan.scenario),
        **figures(seen),
    }
    return ScenarioResult(
        name,
        plan.file,
        tuple(checks),
        len(seen.outbound),
        None,
        time.monotonic() - started,
        shown,
        timed(seen, plan.scenario, shown["fates"]),
    )


def _first(group: BaseException) -> BaseException:
    while isinstance(group, BaseExceptionGroup):
        group = group.exceptions[0]
    return group


async def _run(
    plan: Plan, ends: Endpoints, session: aiohttp.ClientSession, progress: Progress, every: float
) -> Observed:
    gateway = GatewayApi(session, ends.gateway_url, ends.api_key)
    carrier = CarrierControl(session, ends.simulator_url)
    clock = await SimTime.of(carrier, plan.scenario.time_scale)
    driver = Driver(gateway, carrier, clock)
    started = datetime.now(UTC)
    playing = asyncio.create_task(driver.play(plan.traffic))
    try:
        while not playing.done():
            await asyncio.wait([playing], timeout=every)
            if not playing.done():
                progress(
                    f"{plan.scenario.name}: simulated t={clock.now():.0f}s, sending: "
                    f"{len(driver.labels)} SMS accepted so far"
                )
        await playing
    finally:
        playing.cancel()  # the run failed or was cancelled: the traffic stops with it
    deadline = clock.now() + plan.expect.deadline
    whitelist = any(isinstance(step, WhitelistStep) for step in plan.traffic)
    settled = await _settle(
        plan.scenario.name, gateway, carrier, deadline, whitelist, progress, every
    )
    queries = {s.query: s.leads is not None for s in plan.expect.search}
    search = {}
    for query, names in queries.items():
        search[query] = await gateway.search(query, names)
    usage = None
    if plan.expect.usage is not None:
        # datetimes, not dates: a run across midnight or a month's end counts whole, whatever
        # the gateway's default range and time zone
        usage = await gateway.usage(
            _iso(started - _USAGE_MARGIN), _iso(datetime.now(UTC) + _USAGE_MARGIN)
        )
    return Observed(
        sms=tuple(await gateway.all_sms()),
        lead_names=await gateway.lead_names(),
        oracle=tuple(await carrier.oracle()),
        search=search,
        settled=settled,
        traffic_errors=tuple(sorted(driver.errors)),
        numbers=driver.numbers,
        phone_numbers=tuple(await gateway.phone_numbers()) if plan.expect.whitelist else (),
        whitelist=tuple(await gateway.whitelist_requests()),
        carrier_whitelist=tuple(await carrier.whitelist()),
        usage=usage,
        labels=dict(driver.labels),
        accepted=dict(driver.accepted),
        simulated_seconds=round(clock.now(), 3),
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _settle(
    name: str,
    gateway: GatewayApi,
    carrier: CarrierControl,
    deadline: float,
    whitelist: bool,
    progress: Progress,
    every: float,
) -> bool:
    """Wait until the carrier has nothing left to do, nothing waits to be sent, every SMS is
    final and (`whitelist`) every whitelist request decided, or until simulated time passes
    the deadline."""
    shown = time.monotonic()
    while True:
        health = await carrier.health()
        quiet = (
            health["pending_events"] == 0
            and not await gateway.any_unsent()
            and not (whitelist and await gateway.any_undecided())
        )
        due = time.monotonic() - shown >= every
        if quiet or due:
            sms = [s for s in await gateway.all_sms() if s.get("direction") == "outbound"]
            final = sum(1 for s in sms if is_final(s))
            if quiet and final == len(sms):
                return True
            if due:
                shown = time.monotonic()
                undecided = whitelist and await gateway.any_undecided()
                progress(
                    f"{name}: simulated t={health['simulated_seconds']:.0f}s, "
                    f"{final}/{len(sms)} SMS final, {health['pending_events']} carrier "
                    f"events pending{', whitelist requests undecided' if undecided else ''}"
                    f" (deadline t={deadline:.0f}s)"
                )
        if health["simulated_seconds"] > deadline:
            return False
        await asyncio.sleep(_POLL)


def _traffic_check(seen: Observed) -> Check:
    errors = seen.traffic_errors
    return Check(
        "traffic.requests",
        "every traffic request accepted",
        "all accepted" if not errors else f"{len(errors)} refused",
        not errors,
        "invariant",
        errors[:10],
    )
