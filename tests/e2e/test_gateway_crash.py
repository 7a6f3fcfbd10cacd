"""Crash safety with real processes: messages accepted through the API while the gateway is
killed with SIGKILL at random moments and restarted on the same database. Afterwards nothing
accepted is lost, the carrier saw each activity once, and every message is final with the fate
the carrier intended for it (lost / duplicated / mismatched are counted and printed).

Both ways a carrier can treat a repeated create: honouring `Idempotency-Key` (the simulator's
default; the gateway says `carrier.deduplicates_creates: true`) and ignoring it as real Twilio
does (the gateway looks a message up before it sends it again). Sizes: `MESSAGES` and
`IGNORING_MESSAGES` (SMSLAB_CRASH_MESSAGES and SMSLAB_CRASH_MESSAGES_IGNORE override them); the
figures, lost and duplicated included, are printed (-s).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from tests.e2e.procs import FINAL_SQL, Processes, post_until, setup_senders

pytestmark = pytest.mark.slow

# 20,000 (the figure): 130 to 170 s on the 2-core machine, most of it accepting.
MESSAGES = int(os.environ.get("SMSLAB_CRASH_MESSAGES", "20000"))
# the second mode is smaller, to keep `make test` in check; the kills land in it all the same
IGNORING_MESSAGES = int(os.environ.get("SMSLAB_CRASH_MESSAGES_IGNORE", "4000"))
MODES = {  # carrier idempotency -> (gateway's carrier.deduplicates_creates, messages)
    "honour": ("true", MESSAGES),
    "ignore": ("false", IGNORING_MESSAGES),
}
KILLS = 5
CONCURRENCY = 32
SENDERS = 8


def _shown(message: dict[str, object] | None) -> tuple[object, ...]:
    """(status, delivery_status, error_code) the gateway must show for the carrier's fate."""
    if message is None:
        return ("error", "failed", None)  # refused at create: never at the carrier
    fate, code = message.get("intended_status"), message.get("intended_error_code")
    return ("sent", "delivered", None) if fate == "delivered" else ("error", fate, code)


@pytest.mark.parametrize("idempotency", list(MODES))
async def test_kill_9_five_times_loses_nothing_and_sends_once(
    tmp_path: Path, idempotency: str
) -> None:
    rng = random.Random(int(os.environ.get("SMSLAB_CRASH_SEED", "7")))
    deduplicates, messages = MODES[idempotency]
    procs = Processes(tmp_path)
    started = time.monotonic()
    try:
        # access log lines cost CPU per request; the figures are about the gateway's work
        key = await procs.start(
            scenario_extra=f"idempotency: {idempotency}",
            gateway_extra="logging: {level: WARNING}",
            carrier_extra=f", deduplicates_creates: {deduplicates}",
        )
        numbers, lead = await setup_senders(procs.url, key, SENDERS)
        accepted: list[str] = []
        unacknowledged: list[int] = []
        at = sorted(rng.randrange(messages // 20, messages * 19 // 20) for _ in range(KILLS))
        _, kills = await asyncio.gather(
            # a failed request waits a little: the gateway is restarting
            post_until(
                messages,
                key,
                lambda i: procs.url,
                numbers,
                lead["id"],
                accepted,
                unacknowledged,
                concurrency=CONCURRENCY,
                pause=0.05,
                text="crash",
            ),
            procs.kill_at(accepted, at),
        )
        sent_at = time.monotonic()
        deadline = sent_at + 180
        while procs.unfinished():
            assert time.monotonic() < deadline, f"{procs.unfinished()} never became final"
            await asyncio.sleep(0.2)
        drained_at = time.monotonic()

        final = {
            row[0]
            for row in procs.query(
                f"SELECT id FROM sms WHERE direction = 'outbound' AND {FINAL_SQL}"
            )
        }
        stored = {row[0] for row in procs.query("SELECT id FROM sms WHERE direction = 'outbound'")}
        assert len(accepted) == len(set(accepted)) >= messages
        lost = set(accepted) - final
        # the carrier's own record: one message per activity, none it doesn't know of (an
        # ignored key still shows on each message it made)
        oracle = await procs.oracle()
        keys = [m["idempotency_key"] for m in oracle if m.get("idempotency_key")]
        duplicated = len(keys) - len(set(keys))
        intended = {m["idempotency_key"]: m for m in oracle if m.get("idempotency_key")}
        mismatched = [
            row[0]
            for row in procs.query(
                "SELECT id, status, delivery_status, error_code FROM sms"
                " WHERE direction = 'outbound'"
            )
            if tuple(row[1:]) != _shown(intended.get(row[0]))
        ]
        print(
            f"\ncrash test, carrier {idempotency}s Idempotency-Key: {len(lost)} lost,"
            f" {duplicated} duplicated, {len(mismatched)} mismatched"
        )
        assert not lost, f"{len(lost)} accepted messages are not final, e.g. {sorted(lost)[:3]}"
        assert not mismatched, (
            f"{len(mismatched)} differ from the carrier's intended fate, e.g. {mismatched[:3]}"
        )
        assert stored == final  # also those whose 200 was lost in a kill
        assert not duplicated, f"{duplicated} activities reached the carrier twice"
        assert set(keys) == stored
        retried_creates = sum(1 for m in oracle if m.get("create_calls", 1) > 1)
        print(
            f"crash test: {len(accepted)} accepted; {len(unacknowledged)} requests refused"
            f" or cut off while the gateway was down ({len(stored) - len(accepted)} of them"
            f" stored anyway); {KILLS} kills at (accepted, final) {kills}; {len(keys)} sent"
            f" once each ({retried_creates} re-sent under their Idempotency-Key); accept"
            f" phase {sent_at - started:.1f} s, drain {drained_at - sent_at:.1f} s,"
            f" wall {time.monotonic() - started:.1f} s"
        )
    finally:
        procs.stop()
