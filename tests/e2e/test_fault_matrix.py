"""The fault matrix: the record is right under the conditions a deliverability lab is for.

Each case plays a few hundred SMS through the gateway and the simulator as real processes, to
a mix of recipients (deliverable handsets, landlines, unreachable handsets, opted-out
recipients, spam-filtered text, random failures with their codes) under one kind of injected
fault: duplicate, late and out-of-order callbacks; a carrier that answers slower than the
gateway's `carrier.timeout`; a carrier that answers 5xx after it created the message; the gateway
killed with SIGKILL at seeded moments. Then:

- every accepted SMS is final, and once: a final record never changes afterwards, and the
  carrier saw each activity once (one message per Idempotency-Key);
- its status, delivery status, error code, reason and message are those of the carrier's
  intended fate (the simulator's oracle; no oracle entry means the carrier refused the create);
- each seed query answers, in `total_results`, what the oracle implies lead by lead.

`make test` runs the CI-sized matrix; SMSLAB_FAULT_MATRIX=full runs a larger one (more seeds,
more messages, more kills, and all the faults at once). The figures are printed (-s).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from telecom import error_message, reason_for
from tests.e2e.procs import FINAL_SQL, Processes, auth, scenario_yaml

pytestmark = pytest.mark.slow

FULL = os.environ.get("SMSLAB_FAULT_MATRIX") == "full"
SCALE = 1000  # procs' time_scale: simulated seconds per real second
PERIOD, WINDOW, HORIZON = 1.0, 0.5, 180.0  # an outage WINDOW s long every PERIOD s (real)
RATE = 40.0  # requests per second: a case's traffic spans several outage windows
SLOW_TIMEOUT = 0.5  # the gateway's carrier.timeout where the carrier answers 1 s late

# Recipient blocks (New York numbers, apart from the simulator's +1 415 555 01xx) and what the
# scenario's handsets make of them; spam is deliverable-handset traffic with the filter's text.
KINDS: dict[str, tuple[str, float]] = {  # kind -> (number prefix, share of the traffic)
    "mobile": ("+1212201", 0.50),
    "spam": ("+1212205", 0.10),
    "landline": ("+1212202", 0.15),
    "unreachable": ("+1212203", 0.12),
    "opted_out": ("+1212204", 0.13),
}
SPAM_TEXT = "WIN A PRIZE"
CARRIER = r"""
handsets:
  - {pattern: '\+1212201\d{4}', kind: mobile}
  - {pattern: '\+1212205\d{4}', kind: mobile}
  - {pattern: '\+1212202\d{4}', kind: landline}
  - {pattern: '\+1212203\d{4}', kind: unreachable}
  - {pattern: '\+1212204\d{4}', kind: opted_out}
spam_filters: [{name: prizes, regex: 'WIN A PRIZE', code: 30007}]
failures: [{code: 30008, rate: 0.08}, {code: 30005, rate: 0.04}, {code: 30001, rate: 0.03}]
"""
# queued -> sent -> final within half a second: a retried create meets every stage
LATENCY = "{sent: {min: 0, max: 100}, delivered: {min: 0, max: 400}}"
REFUSED_AT_CREATE = {"opted_out": 21610}  # the carrier's answer, so the oracle has no entry
SEED_QUERIES = (
    "failed_sms > 1",
    "has:error_sms_messages",
    "sms(created:today direction:outgoing status:error)",
    "latest_sms_status:error",
)


@dataclass(frozen=True)
class Case:
    name: str
    seed: int
    messages: int
    kills: int = 0
    outage: str = ""  # an outage mapping, in force `window` s of every PERIOD s
    window: float = WINDOW
    callback_faults: str = ""  # continues the scenario's callbacks mapping
    carrier_timeout: float = 5.0

    @property
    def id(self) -> str:
        return f"{self.name}-seed{self.seed}"


SLOW = "{mode: slow, delay: 1.0}"  # done at once, answered after the gateway gave up
ERROR_AFTER_CREATE = "{mode: error_after_create, status: 503}"
# answered in time, but a kill finds a dozen creates in flight (re-sent after the restart)
SLUGGISH = "{mode: slow, delay: 0.3}"
CALLBACK_FAULTS = ", duplicate_rate: 0.3, late_rate: 0.2, late_delay: 1500, out_of_order_rate: 0.3"


def _matrix() -> list[Case]:
    if not FULL:
        return [
            Case("callbacks", 11, 200, callback_faults=CALLBACK_FAULTS),
            Case("slow-past-timeout", 12, 200, outage=SLOW, carrier_timeout=SLOW_TIMEOUT),
            Case("5xx-after-create", 13, 200, outage=ERROR_AFTER_CREATE),
            Case("sigkill", 14, 300, kills=4, outage=SLUGGISH, window=PERIOD),
        ]
    cases = []
    for seed in (21, 22, 23):
        cases += [
            Case("callbacks", seed, 1000, callback_faults=CALLBACK_FAULTS),
            Case("slow-past-timeout", seed, 1000, outage=SLOW, carrier_timeout=SLOW_TIMEOUT),
            Case("5xx-after-create", seed, 1000, outage=ERROR_AFTER_CREATE),
            Case("sigkill", seed, 1500, kills=8, outage=SLUGGISH, window=PERIOD),
            Case(
                "everything",
                seed,
                1500,
                kills=5,
                outage=SLOW,
                carrier_timeout=SLOW_TIMEOUT,
                callback_faults=CALLBACK_FAULTS,
            ),
        ]
    return cases


@dataclass(frozen=True)
class Planned:
    kind: str
    lead: int
    remote: str
    text: str


def _plan(seed: int, i: int, leads: int) -> Planned:
    """Request i of a case: its recipient kind, lead and text (one recipient per request, so a
    recipient's history never decides a later message's fate)."""
    rng = random.Random(f"{seed}:{i}")
    kind = rng.choices(list(KINDS), weights=[share for _, share in KINDS.values()])[0]
    # the lower leads get more traffic: some leads hold one SMS, some a dozen
    lead = min(int(rng.expovariate(3.0 / leads)), leads - 1)
    text = f"{SPAM_TEXT} {i}" if kind == "spam" else f"Hello {i}"
    return Planned(kind, lead, f"{KINDS[kind][0]}{i:04d}", text)


def _kind_of(remote: str) -> str:
    return next(kind for kind, (prefix, _) in KINDS.items() if remote.startswith(prefix))


@dataclass(frozen=True)
class Record:
    """What the gateway shows about an outbound SMS's delivery."""

    status: str
    delivery_status: str | None
    error_code: int | None
    error_reason: str | None
    error_message: str | None

    def __str__(self) -> str:
        words = f"{self.status}/{self.delivery_status}/{self.error_code}/{self.error_reason}"
        return words + ("" if self.error_message or self.status != "error" else " (no message)")


def _fate(entry: dict[str, Any] | None, kind: str) -> Record | None:
    """The record the carrier's intended fate implies; None: no fate the test can name (the
    carrier never heard of a message it should have created)."""
    if entry is None:
        code = REFUSED_AT_CREATE.get(kind)
        if code is None:
            return None
        return Record("error", "failed", code, reason_for(code).value, error_message(code))
    if entry["intended_status"] == "delivered":
        return Record("sent", "delivered", None, None, None)
    code = entry["intended_error_code"]
    return Record(
        "error", entry["intended_status"], code, reason_for(code).value, error_message(code)
    )


def _timeline(outage: str, window: float) -> str:
    if not outage:
        return ""
    steps = [
        f"  - {{at: {k * PERIOD * SCALE:g}, outage: {{duration: {window * SCALE:g}, {outage[1:]}}}"
        for k in range(int(HORIZON / PERIOD))
    ]
    return "timeline:\n" + "\n".join(steps) + "\n"


_ROWS = (
    "SELECT id, lead_id, remote_phone, status, delivery_status, error_code, error_reason,"
    " error_message, date_created FROM sms WHERE direction = 'outbound'"
)


def _record(row: tuple[Any, ...]) -> Record:
    return Record(row[3], row[4], row[5], row[6], row[7])


async def _retry(
    session: aiohttp.ClientSession, method: str, url: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Set-up requests that may meet an outage window (renting goes through the carrier)."""
    for _ in range(60):
        try:
            async with session.request(method, url, json=body) as resp:
                if resp.status in (200, 201):
                    return dict(await resp.json())
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"{method} {url} never succeeded")


async def _setup(procs: Processes, key: str, leads: int) -> tuple[list[str], list[str]]:
    async with aiohttp.ClientSession(
        headers=auth(key), timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        numbers = [
            (
                await _retry(
                    session,
                    "POST",
                    f"{procs.url}/api/v1/phone_number/request/internal/",
                    {"country": "US"},
                )
            )["number"]
            for _ in range(4)
        ]
        lead_ids = [
            (
                await _retry(
                    session, "POST", f"{procs.url}/api/v1/lead/", {"name": f"Fault lead {j}"}
                )
            )["id"]
            for j in range(leads)
        ]
    return numbers, lead_ids


async def _post(
    procs: Processes,
    key: str,
    case: Case,
    numbers: list[str],
    lead_ids: list[str],
    accepted: list[str],
    refused: list[int],
) -> None:
    """POST outbox SMS, 16 at a time and RATE a second, until `case.messages` are
    acknowledged. A request cut off by a kill may have been stored all the same; the next one
    goes to a new recipient."""
    counter = iter(range(10**6))
    began, interval = time.monotonic(), 1 / RATE
    async with aiohttp.ClientSession(
        headers=auth(key),
        timeout=aiohttp.ClientTimeout(total=10),
        connector=aiohttp.TCPConnector(limit=16),
    ) as session:

        async def worker() -> None:
            while len(accepted) < case.messages:
                i = next(counter)
                await asyncio.sleep(began + len(accepted) * interval - time.monotonic())
                planned = _plan(case.seed, i, len(lead_ids))
                body = {
                    "status": "outbox",
                    "lead_id": lead_ids[planned.lead],
                    "local_phone": numbers[i % len(numbers)],
                    "remote_phone": planned.remote,
                    "text": planned.text,
                }
                try:
                    async with session.post(f"{procs.url}/api/v1/activity/sms/", json=body) as resp:
                        if resp.status == 200:
                            accepted.append((await resp.json())["id"])
                            continue
                except (aiohttp.ClientError, TimeoutError):
                    pass
                refused.append(i)
                await asyncio.sleep(0.05)

        await asyncio.gather(*(worker() for _ in range(16)))


async def _pending_events(procs: Processes) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{procs.sim_url}/_sim/health") as resp,
    ):
        return int((await resp.json())["pending_events"])


async def _drain(
    procs: Processes, changed: dict[str, list[Record]], deadline: float
) -> dict[str, Record]:
    """Watch the records until every one is final and the carrier has nothing left to post
    (late and duplicate callbacks included); a final record that changes afterwards is noted
    in `changed`. Returns the first final record of each SMS."""
    first: dict[str, Record] = {}
    while True:
        # asked before the look: what became final in between is seen in this round
        done = time.monotonic() > deadline or (
            not procs.unfinished() and not await _pending_events(procs)
        )
        for row in procs.query(f"{_ROWS} AND {FINAL_SQL}"):
            record = _record(row)
            if first.setdefault(row[0], record) != record:
                seen = changed.setdefault(row[0], [])
                if record not in seen:
                    seen.append(record)
        if done:
            return first
        await asyncio.sleep(0.2)


def _expected_totals(
    rows: list[tuple[Any, ...]], expected: dict[str, Record | None]
) -> dict[str, int]:
    today = datetime.now(UTC).date()
    by_lead: dict[str, list[tuple[str, str, bool]]] = {}
    for row in rows:
        fate = expected[row[0]]
        error = fate is not None and fate.status == "error"
        by_lead.setdefault(row[1], []).append((row[8], row[0], error))
    totals = Counter[str]()
    for messages in by_lead.values():
        errors = [m for m in messages if m[2]]
        totals["failed_sms > 1"] += len(errors) > 1
        totals["has:error_sms_messages"] += bool(errors)
        totals["sms(created:today direction:outgoing status:error)"] += any(
            datetime.fromisoformat(m[0]).astimezone(UTC).date() == today for m in errors
        )
        totals["latest_sms_status:error"] += max(messages)[2]
    return {query: totals[query] for query in SEED_QUERIES}


async def _search_totals(procs: Processes, key: str) -> dict[str, int]:
    found = {}
    async with aiohttp.ClientSession(headers=auth(key)) as session:
        for query in SEED_QUERIES:
            async with session.get(
                f"{procs.url}/api/v1/lead/", params={"query": query, "_limit": "1"}
            ) as resp:
                assert resp.status == 200, await resp.text()
                found[query] = int((await resp.json())["total_results"])
    return found


@pytest.mark.parametrize("case", _matrix(), ids=lambda case: case.id)
async def test_every_accepted_sms_ends_as_the_carrier_intended(tmp_path: Path, case: Case) -> None:
    started = time.monotonic()
    procs = Processes(tmp_path)
    try:
        scenario = scenario_yaml(
            CARRIER + _timeline(case.outage, case.window),
            seed=case.seed,
            latency=LATENCY,
            callback_faults=case.callback_faults,
        )
        key = await procs.start(
            scenario=scenario,
            gateway_extra="logging: {level: WARNING}",
            carrier_timeout=case.carrier_timeout,
            dispatcher_extra=", breaker_cooldown: 0.2",
        )
        numbers, lead_ids = await _setup(procs, key, max(8, case.messages // 5))
        accepted: list[str] = []
        refused: list[int] = []
        rng = random.Random(case.seed)
        at = sorted(
            rng.randrange(case.messages // 10, case.messages * 9 // 10) for _ in range(case.kills)
        )
        await asyncio.gather(
            _post(procs, key, case, numbers, lead_ids, accepted, refused),
            procs.kill_at(accepted, at),
        )
        changed: dict[str, list[Record]] = {}
        first = await _drain(procs, changed, time.monotonic() + 90)

        rows = procs.query(_ROWS)
        stored = {row[0]: row for row in rows}
        oracle = await procs.oracle()
        by_key: dict[str, list[dict[str, Any]]] = {}
        for entry in oracle:
            if entry.get("idempotency_key"):
                by_key.setdefault(entry["idempotency_key"], []).append(entry)
        expected = {
            sms_id: _fate(by_key.get(sms_id, [None])[0], _kind_of(row[2]))
            for sms_id, row in stored.items()
        }

        lost = sorted(set(stored) - set(first))  # accepted (or stored unacknowledged), not final
        missing = sorted(set(accepted) - set(stored))  # acknowledged, then gone
        sent_twice = sorted(k for k, entries in by_key.items() if len(entries) > 1)
        unknown = sorted(set(by_key) - set(stored))  # the carrier sent what we do not hold
        mismatched = {
            sms_id: (expected[sms_id], _record(stored[sms_id]))
            for sms_id in first
            if _record(stored[sms_id]) != expected[sms_id]
        }
        kinds = Counter(_kind_of(row[2]) for row in rows)
        print(
            f"\nfault matrix {case.id}: {len(accepted)} accepted ({len(stored)} stored,"
            f" {len(refused)} requests refused or cut off), {len(first)} final,"
            f" {len(lost) + len(missing)} lost, {len(sent_twice) + len(changed)} duplicated"
            f" ({len(sent_twice)} sent twice, {len(changed)} changed after final),"
            f" {len(mismatched)} mismatched; recipients {dict(sorted(kinds.items()))};"
            f" {sum(m['create_calls'] > 1 for m in oracle)} creates retried;"
            f" wall {time.monotonic() - started:.1f} s"
        )
        for line in _mismatch_summary(mismatched, stored, by_key):
            print("  mismatch " + line)
        searched = await _search_totals(procs, key)
        implied = _expected_totals(rows, expected)
        print(f"  seed queries: found {searched}, oracle implies {implied}")

        assert not lost, f"{len(lost)} stored SMS never became final, e.g. {lost[:3]}"
        assert not missing, f"{len(missing)} acknowledged SMS are gone, e.g. {missing[:3]}"
        assert not sent_twice, f"{len(sent_twice)} activities reached the carrier twice"
        assert not unknown, f"the carrier sent {len(unknown)} messages the gateway does not hold"
        assert not changed, (
            f"final records changed afterwards, e.g. {dict(list(changed.items())[:3])}"
        )
        assert len(mismatched) == 0, (
            "SMS that do not show the carrier's intended fate: see the printed mismatches"
        )
        assert searched == implied
    finally:
        procs.stop()


def _mismatch_summary(
    mismatched: dict[str, tuple[Record | None, Record]],
    stored: dict[str, tuple[Any, ...]],
    by_key: dict[str, list[dict[str, Any]]],
) -> list[str]:
    """One line per kind of mismatch: how many, the carrier's fate, expected vs stored
    (status/delivery_status/error_code/error_reason)."""
    groups: Counter[str] = Counter()
    for sms_id, (want, got) in mismatched.items():
        entry = by_key.get(sms_id, [None])[0]
        cause = entry["cause"] if entry else f"refused at create ({_kind_of(stored[sms_id][2])})"
        groups[f"{cause}: expected {want or 'a carrier message'}, stored {got}"] += 1
    return [f"{count} x {text}" for text, count in groups.most_common()]
