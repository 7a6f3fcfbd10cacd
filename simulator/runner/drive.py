"""Play a scenario's traffic through the gateway's public API (and handsets through the
carrier's control API), step by step, in simulated time.

Requests the gateway refuses are recorded, not raised: they become a failed check. Setup
requests (renting numbers, creating leads) that fail end the run, since nothing after them
could mean anything.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.runner.clients import CarrierControl, GatewayApi, RunFailed
from simulator.scenario.plan_model import (
    CancelStep,
    InboundStep,
    LeadsStep,
    NumbersStep,
    SendStep,
    TrafficStep,
    WaitStep,
    WhitelistStep,
    render,
)
from telecom.numbers import parse_e164

__all__ = ["Driver", "SimTime"]

_CONCURRENCY = 32  # requests in flight at once: enough to keep an in-process gateway busy


class SimTime:
    """The carrier's simulated clock, read once and then extrapolated (polling it for every
    message would cost more than the messages)."""

    def __init__(self, sim_seconds: float, time_scale: float) -> None:
        self.time_scale = time_scale
        self._origin = sim_seconds
        self._real = time.monotonic()

    @classmethod
    async def of(cls, carrier: CarrierControl, time_scale: float) -> SimTime:
        return cls(float((await carrier.health())["simulated_seconds"]), time_scale)

    def now(self) -> float:
        return self._origin + (time.monotonic() - self._real) * self.time_scale

    def real_seconds(self, at: float) -> float:
        return max(0.0, (at - self.now()) / self.time_scale)

    async def until(self, at: float | None) -> None:
        if at is not None:
            await asyncio.sleep(self.real_seconds(at))


@dataclass(frozen=True, slots=True)
class _Lead:
    id: str
    contact_id: str
    phone: str
    name: str


class Driver:
    def __init__(self, gateway: GatewayApi, carrier: CarrierControl, clock: SimTime) -> None:
        self.gateway = gateway
        self.carrier = carrier
        self.clock = clock
        self.errors: list[str] = []  # refused requests, in a reproducible order
        self._numbers: dict[str, list[str]] = defaultdict(list)  # country or label -> numbers
        self._ids: dict[str, str] = {}  # number -> the gateway's phone number id
        self._turn: dict[str, int] = defaultdict(int)
        self._by_name: dict[str, _Lead] = {}
        self._by_phone: dict[str, _Lead] = {}
        self._tagged: dict[str, list[str]] = defaultdict(list)
        # activity id -> the traffic step, lead and phone it was sent for: what a report names
        # instead of the id, which is random (two runs of one seed must read the same)
        self.labels: dict[str, str] = {}
        # activity id -> the simulated time it was due: the gateway's 200, or its send_at if
        # scheduled (the report's latencies start here)
        self.accepted: dict[str, float] = {}

    async def play(self, steps: tuple[TrafficStep, ...]) -> None:
        for step in steps:
            if isinstance(step, NumbersStep):
                await self._rent(step)
            elif isinstance(step, LeadsStep):
                await self._leads(step)
            elif isinstance(step, SendStep):
                await self._send(step)
            elif isinstance(step, CancelStep):
                await self._cancel(step)
            elif isinstance(step, InboundStep):
                await self._inbound(step)
            elif isinstance(step, WhitelistStep):
                await self._whitelist(step)
            elif isinstance(step, WaitStep):
                await asyncio.sleep(step.seconds / self.clock.time_scale)

    @property
    def numbers(self) -> dict[str, tuple[str, ...]]:
        """The numbers rented so far, by country and by label."""
        return {key: tuple(numbers) for key, numbers in self._numbers.items() if numbers}

    def _ours(self, endpoint: str, path: str) -> str:
        """A number we rent: the next of a country's (or label's) numbers, or one by number."""
        if endpoint.startswith("+"):
            return endpoint
        numbers = self._numbers.get(endpoint)
        if not numbers:
            raise RunFailed(f"{path}: no rented number is {endpoint!r}")
        turn = self._turn[endpoint]
        self._turn[endpoint] += 1
        return numbers[turn % len(numbers)]

    async def _rent(self, step: NumbersStep) -> None:
        # One after another: the carrier's catalogue then hands out the same numbers every run,
        # and the fates (seeded by sender) repeat.
        for order in step.orders:
            for _ in range(order.count):
                number = await self.gateway.must(
                    "POST", "phone_number/request/internal/", {"country": order.country}
                )
                self._numbers[order.country].append(number["number"])
                self._ids[number["number"]] = number["id"]
                if order.label:
                    self._numbers[order.label].append(number["number"])

    async def _leads(self, step: LeadsStep) -> None:
        async def create(i: int) -> None:
            name, phone = render(step.name, i), parse_e164(render(step.phone, i))
            contact = render(step.contact, i) if step.contact else name
            lead = await self.gateway.must(
                "POST",
                "lead/",
                {
                    "name": name,
                    "contacts": [{"name": contact, "phones": [{"phone": phone, "type": "mobile"}]}],
                },
            )
            entry = _Lead(lead["id"], lead["contacts"][0]["id"], phone, name)
            self._by_name[name] = entry
            self._by_phone[phone] = entry

        await _paced(range(step.start, step.start + step.count), create, None)

    async def _send(self, step: SendStep) -> None:
        await self.clock.until(step.at)
        rate = step.rate * self.clock.time_scale if step.rate else None
        # Senders are chosen before any request goes out, so that concurrency cannot change
        # which number sends which message.
        plan = [
            (i, self._ours(step.from_, step.path))
            for i in range(step.start, step.start + step.count)
        ]
        ids: list[str | None] = [None] * len(plan)

        async def send(k: int) -> None:
            i, local = plan[k]
            target = render(step.to, i)
            lead = (
                self._by_phone.get(parse_e164(target))
                if target.startswith("+")
                else self._by_name.get(target)
            )
            if lead is None:
                raise RunFailed(f"{step.path}: no lead {target!r}")
            body: dict[str, Any] = {
                "status": "outbox",
                "lead_id": lead.id,
                "contact_id": lead.contact_id,
                "local_phone": local,
                "remote_phone": lead.phone,
                "text": render(step.text, i),
            }
            if step.send_at is not None:
                moment = datetime.now(UTC) + timedelta(
                    seconds=self.clock.real_seconds(step.send_at)
                )
                body.update(status="scheduled", date_scheduled=moment.isoformat())
            status, data = await self.gateway.call("POST", "activity/sms/", body)
            if 200 <= status < 300:
                ids[k] = data["id"]
                self.labels[data["id"]] = f"{step.path} (i={i}) to {lead.name} {lead.phone}"
                self.accepted[data["id"]] = max(self.clock.now(), step.send_at or 0.0)
            else:
                self.errors.append(f"{step.path} (i={i}): HTTP {status}: {data}")

        await _paced(range(len(plan)), send, rate)
        if step.tag:
            self._tagged[step.tag].extend(sms_id for sms_id in ids if sms_id)

    async def _cancel(self, step: CancelStep) -> None:
        await self.clock.until(step.at)
        ids = self._tagged[step.tag]
        chosen, self._tagged[step.tag] = (
            (ids, []) if step.count is None else (ids[: step.count], ids[step.count :])
        )
        for sms_id in chosen:
            status, data = await self.gateway.call(
                "PUT", f"activity/sms/{sms_id}/", {"status": "draft"}
            )
            if status != 200:
                self.errors.append(
                    f"{step.path}: cancel {self.labels.get(sms_id, sms_id)}: HTTP {status}: {data}"
                )

    async def _inbound(self, step: InboundStep) -> None:
        await self.clock.until(step.at)
        # One at a time, in order: a STOP and the START after it must arrive in that order.
        for i in range(step.start, step.start + step.count):
            to = self._ours(step.to, step.path)
            answer = await self.carrier.inbound(render(step.from_, i), to, render(step.text, i))
            if not answer.get("delivered"):
                self.errors.append(
                    f"{step.path} (i={i}): the gateway did not take the inbound "
                    f"message (webhook status {answer.get('webhook_status')})"
                )

    async def _whitelist(self, step: WhitelistStep) -> None:
        await self.clock.until(step.at)
        number = self._ours(step.number, step.path)
        if number not in self._ids:  # a number given as such, not rented by this traffic
            found = await self.gateway.every("phone_number/", {"number": number})
            if not found:
                raise RunFailed(f"{step.path}: the gateway has no phone number {number}")
            self._ids[number] = found[0]["id"]
        status, data = await self.gateway.call(
            "POST",
            "sms_whitelist_request/",
            {
                "phone_number_id": self._ids[number],
                "website": step.website,
                "content_type": step.content_type,
                "examples": list(step.examples),
                "opted_in": step.opted_in,
                "relationship": step.relationship,
            },
        )
        if not 200 <= status < 300:
            self.errors.append(
                f"{step.path}: whitelist request for {number}: HTTP {status}: {data}"
            )


async def _paced(items: range, work: Callable[[int], Awaitable[None]], rate: float | None) -> None:
    """Run `work` for each item, `_CONCURRENCY` at a time, started at most `rate` per (real)
    second; the first failure cancels the rest and is raised."""
    gate = asyncio.Semaphore(_CONCURRENCY)
    start = time.monotonic()

    async def one(k: int, item: int) -> None:
        if rate:
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
        async with gate:
            await work(item)

    async with asyncio.TaskGroup() as group:
        for k, item in enumerate(items):
            group.create_task(one(k, item))
