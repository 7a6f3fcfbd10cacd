"""A small run built by hand (no servers): three SMS, the carrier's oracle for them, a spam
filter added mid-run and an outage; one message ends differently from the carrier's intent."""

from __future__ import annotations

import json
from typing import Any

from simulator.runner.figures import figures
from simulator.runner.outcome import Check, Observed, ScenarioResult
from simulator.runner.report import to_json
from simulator.runner.timeline import events, timed
from simulator.scenario.carrier_model import Outage, Scenario, SpamFilter, TimelineStep


def _sms(
    n: int, status: str, delivery: str, code: int | None, reason: str | None, text: str
) -> dict[str, Any]:
    return {
        "id": f"acti_{n}",
        "direction": "outbound",
        "status": status,
        "delivery_status": delivery,
        "error_code": code,
        "error_reason": reason,
        "text": text,
        "local_phone": "+14155550100",
        "remote_phone": f"+1415555100{n}",
        "remote_country_iso": "US",
        "segments": 1,
        "cost": "0.0079",
        "source": "Close.io",
        "date_created": "2025-01-01T00:00:00Z",
        "date_updated": "2025-01-01T00:00:01Z",
    }


def _oracle(
    n: int, status: str, intended: str, code: int | None, cause: str, at: float
) -> dict[str, Any]:
    return {
        "idempotency_key": f"acti_{n}",
        "direction": "outbound-api",
        "status": status,
        "intended_status": intended,
        "intended_error_code": code,
        "cause": cause,
        "created_at": at + 0.5,
        "sent_at": at + 1,
        "updated_at": at + 3,
    }


SCENARIO = Scenario(
    name="small <run>",
    seed=7,
    time_scale=10,
    timeline=(
        TimelineStep(at=20, add_spam_filters=(SpamFilter("crypto"),)),
        TimelineStep(at=40, outage=Outage(duration=10)),
    ),
)
SEEN = Observed(
    sms=(
        _sms(1, "sent", "delivered", None, None, "Hello <b>1</b>"),
        _sms(2, "error", "undelivered", 30007, "spam", "Buy crypto"),
        _sms(3, "sent", "delivered", None, None, "Hello 3"),
    ),
    oracle=(
        _oracle(1, "delivered", "delivered", None, "delivered", 5),
        _oracle(2, "undelivered", "undelivered", 30007, "spam:crypto", 25),
        # the carrier meant it to fail, the gateway shows it delivered: a mismatch
        _oracle(3, "delivered", "undelivered", 30003, "random:30003", 30),
    ),
    labels={f"acti_{n}": f"traffic[2].send (i={n}) to Lead {n} +1415555100{n}" for n in (1, 2, 3)},
    accepted={"acti_1": 5.0, "acti_2": 25.0, "acti_3": 30.0},
    simulated_seconds=60.0,
)
CHECKS = (
    Check("status[sent]", "2", "2", True),
    Check(
        "invariant.fate_matches_oracle",
        "all match",
        "1 not so",
        False,
        "invariant",
        ("traffic[2].send (i=3): gateway sent/delivered/None",),
    ),
)


def document() -> dict[str, Any]:
    shown = {
        "seed": SCENARIO.seed,
        "time_scale": SCENARIO.time_scale,
        "description": "",
        "events": events(SCENARIO),
        **figures(SEEN),
    }
    result = ScenarioResult(
        SCENARIO.name,
        "small.yaml",
        CHECKS,
        3,
        None,
        1.5,
        shown,
        timed(SEEN, SCENARIO, shown["fates"]),
    )
    parsed: dict[str, Any] = json.loads(to_json([result]))
    return parsed
