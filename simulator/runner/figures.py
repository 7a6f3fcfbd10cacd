"""What a run's report shows, beyond the checks: every outbound message's fate beside the
carrier's intended one, and the counts, breakdowns and cost built from them. Pure.

Everything here is reproducible for one seed (no ids, no sids, no clock readings): it goes
into the JSON's scenarios. What depends on a clock is in timeline.py, under `timings`.
Messages are named by `Observed.label` and listed in a natural order of those names.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from simulator.runner.invariants import fate_problem
from simulator.runner.outcome import Observed, Record

__all__ = ["figures", "message_key", "oracle_by_activity"]

FAILED = "failed"  # the breakdowns' name for a message that ended in Close status `error`
UNKNOWN = "(none)"  # no country (phonenumbers finds none valid), reason or code


def message_key(label: str) -> tuple[Any, ...]:
    """traffic[3] (i=9) before traffic[3] (i=10) before traffic[10] (i=0)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label))


def oracle_by_activity(seen: Observed) -> dict[str, Record]:
    """The carrier's message of each activity (the gateway sends its id as Idempotency-Key);
    the first, should there be more (an invariant reports those)."""
    found: dict[str, Record] = {}
    for message in seen.oracle:
        key = message.get("idempotency_key")
        if key is not None and message.get("direction") == "outbound-api":
            found.setdefault(str(key), message)
    return found


def _outcome(sms: Record) -> str:
    """delivered, failed (Close `error`), cancelled (back to draft) or pending."""
    if sms.get("status") == "error":
        return FAILED
    if sms.get("status") == "draft":
        return "cancelled"
    if sms.get("delivery_status") == "delivered":
        return "delivered"
    return "pending"


def _message(seen: Observed, sms: Record, oracle: Record | None) -> dict[str, Any]:
    intended = oracle.get("intended_status") if oracle else None
    problem = fate_problem(sms, oracle) if oracle is not None and intended else None
    return {
        "label": seen.label(sms),
        "from": sms.get("local_phone"),
        "to": sms.get("remote_phone"),
        "country": sms.get("remote_country_iso"),
        "text": sms.get("text"),
        "segments": sms.get("segments"),
        "cost": sms.get("cost"),
        "outcome": _outcome(sms),
        "status": sms.get("status"),
        "delivery_status": sms.get("delivery_status"),
        "error_code": sms.get("error_code"),
        "error_reason": sms.get("error_reason"),
        "intended_status": intended,
        "intended_error_code": oracle.get("intended_error_code") if oracle else None,
        "cause": oracle.get("cause") if oracle else None,
        # None: the carrier intended nothing to compare with (never took it, or no verdict)
        "matches": None
        if not intended or intended not in ("delivered", "undelivered", "failed")
        else problem is None,
    }


def _breakdown(messages: Iterable[Mapping[str, Any]], field: str) -> dict[str, dict[str, int]]:
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for message in messages:
        key = message.get(field)
        rows[str(key) if key is not None else UNKNOWN].update(["messages", message["outcome"]])
    return {
        key: {"messages": row["messages"], "delivered": row["delivered"], FAILED: row[FAILED]}
        for key, row in sorted(rows.items())
    }


def _counts(messages: list[dict[str, Any]], field: str) -> dict[str, int]:
    found = Counter(str(m[field]) for m in messages if m.get(field) is not None)
    return dict(sorted(found.items()))


def _cost(sms: Iterable[Record]) -> dict[str, Any]:
    rows: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for one in sms:
        row = rows[(str(one.get("remote_country_iso") or UNKNOWN), str(one.get("direction")))]
        row[0] += 1
        row[1] += int(one.get("segments") or 0)
        row[2] += Decimal(str(one.get("cost") or 0))
    table = [
        {
            "country": country,
            "direction": direction,
            "messages": n,
            "segments": segments,
            "cost": str(cost),
        }
        for (country, direction), (n, segments, cost) in sorted(rows.items())
    ]
    return {
        "rows": table,
        "messages": sum(r["messages"] for r in table),
        "segments": sum(r["segments"] for r in table),
        "cost": str(sum((Decimal(r["cost"]) for r in table), Decimal(0))),
    }


def figures(seen: Observed) -> dict[str, Any]:
    oracle = oracle_by_activity(seen)
    # not the carrier's own HELP replies (`External`): the gateway never sent them
    sent = [s for s in seen.outbound if s.get("source") != "External"]
    messages = sorted(
        (_message(seen, s, oracle.get(str(s.get("id")))) for s in sent),
        key=lambda m: message_key(str(m["label"])),
    )
    failed = [m for m in messages if m["outcome"] == FAILED]
    return {
        "fates": messages,
        "counts": {
            "outcome": _counts(messages, "outcome"),
            "status": _counts(messages, "status"),
            "delivery_status": _counts(messages, "delivery_status"),
            "error_reason": _counts(messages, "error_reason"),
            "error_code": _counts(messages, "error_code"),
            "mismatches": sum(1 for m in messages if m["matches"] is False),
        },
        "breakdowns": {
            "country": _breakdown(messages, "country"),
            "number": _breakdown(messages, "from"),
            "reason": _breakdown(failed, "error_reason"),
            "code": _breakdown(failed, "error_code"),
        },
        "cost": _cost(seen.sms),
    }
