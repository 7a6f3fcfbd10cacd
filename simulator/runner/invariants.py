"""What must hold after every run, whatever the scenario expects: pure checks of the gateway's
SMS activities against the carrier's oracle (`GET /_sim/messages`), and of its whitelist
requests against the carrier's (`GET /_sim/whitelist`).

The gateway sends each activity with its id as `Idempotency-Key`, so the oracle entry of an
activity is the one whose `idempotency_key` is the activity's id; a whitelist request keeps the
carrier's sid as `carrier_sid`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from simulator.runner.outcome import Check, Observed, Record
from telecom.errors import lookup

__all__ = ["FINAL_DELIVERY", "fate_problem", "invariants", "is_final", "reached_carrier"]

FINAL_DELIVERY = frozenset({"delivered", "undelivered", "failed", "canceled"})
_DETAILS = 10  # examples listed under a failed invariant


def is_final(sms: Record) -> bool:
    """Nothing more will happen to it: an error, a delivery verdict, or a cancelled draft."""
    status = sms.get("status")
    if status in ("error", "draft"):
        return True
    return status == "sent" and sms.get("delivery_status") in FINAL_DELIVERY


def reached_carrier(sms: Record) -> bool:
    """The carrier took it (HTTP 201), so its oracle must hold it. A create-time refusal
    (a 2xxxx code) leaves no message at the carrier; a local failure never called it."""
    if sms.get("delivery_status") is None:
        return False
    code = sms.get("error_code")
    entry = lookup(code) if isinstance(code, int) else None
    return not (entry is not None and entry.at_create)


def invariants(seen: Observed) -> list[Check]:
    # not the outbound `External` ones (the carrier's own HELP replies): the gateway never
    # sent them
    seen = dataclasses.replace(
        seen,
        sms=tuple(
            s for s in seen.sms if s.get("direction") != "outbound" or s.get("source") != "External"
        ),
    )
    carried = [m for m in seen.oracle if m.get("direction") == "outbound-api"]
    by_key: dict[str, list[Record]] = defaultdict(list)
    for message in carried:
        by_key[str(message.get("idempotency_key"))].append(message)
    return [
        _settled(seen),
        _lost(seen, carried, by_key),
        _twice(seen, by_key),
        _fates(seen, by_key),
        _whitelist(seen),
    ]


def _carried(seen: Observed, message: Record) -> str:
    """A carrier message as a report names it: the activity it was sent for, else its
    route (sids and ids are not the same from run to run)."""
    key = str(message.get("idempotency_key"))
    if key in seen.labels:
        return seen.labels[key]
    return f"carrier message {message.get('from')} -> {message.get('to')}"


def _check(name: str, expected: str, problems: list[str], ok_text: str) -> Check:
    problems = sorted(problems)
    actual = ok_text if not problems else f"{len(problems)} not so"
    return Check(
        f"invariant.{name}", expected, actual, not problems, "invariant", tuple(problems[:_DETAILS])
    )


def _settled(seen: Observed) -> Check:
    waiting = [
        f"{seen.label(s)}: status {s.get('status')}, delivery_status {s.get('delivery_status')}"
        for s in seen.outbound
        if not is_final(s)
    ]
    return _check("all_final", "every outbound SMS final by the deadline", waiting, "all final")


def _lost(seen: Observed, carried: list[Record], by_key: dict[str, list[Record]]) -> Check:
    outbound = seen.outbound
    ids = {str(s.get("id")) for s in outbound if s.get("status") in ("sent", "error")}
    problems = [
        f"{seen.label(s)}: the gateway shows it accepted, the carrier has no such message"
        for s in outbound
        if reached_carrier(s) and str(s.get("id")) not in by_key
    ]
    problems += [
        f"{_carried(seen, m)}: the carrier sent it, the gateway shows no sent/error activity for it"
        for m in carried
        if str(m.get("idempotency_key")) not in ids
    ]
    return _check(
        "no_message_lost",
        "every accepted activity in the carrier's oracle, and vice versa",
        problems,
        "none lost",
    )


def _twice(seen: Observed, by_key: dict[str, list[Record]]) -> Check:
    problems = [
        f"{_carried(seen, messages[0])}: {len(messages)} carrier messages"
        for key, messages in by_key.items()
        if key != "None" and len(messages) > 1
    ]
    problems += [
        f"{_carried(seen, m)}: sent without an Idempotency-Key" for m in by_key.get("None", ())
    ]
    return _check(
        "none_sent_twice", "one carrier message per activity", problems, "none sent twice"
    )


def _fates(seen: Observed, by_key: dict[str, list[Record]]) -> Check:
    problems = []
    for sms in seen.outbound:
        messages = by_key.get(str(sms.get("id")))
        if not messages or messages[0].get("intended_status") is None:
            continue
        problem = fate_problem(sms, messages[0])
        if problem:
            problems.append(f"{seen.label(sms)}: {problem}")
    return _check(
        "fate_matches_oracle",
        "every final status equal to the carrier's intended fate",
        problems,
        "all match",
    )


def fate_problem(sms: Record, message: Record) -> str | None:
    intended, code = message.get("intended_status"), message.get("intended_error_code")
    shown = (
        f"gateway {sms.get('status')}/{sms.get('delivery_status')}/{sms.get('error_code')}"
        f", carrier intended {intended}/{code} ({message.get('cause')})"
    )
    if intended == "delivered":
        ok = sms.get("status") == "sent" and sms.get("delivery_status") == "delivered"
    elif intended in ("undelivered", "failed"):
        ok = (
            sms.get("status") == "error"
            and sms.get("delivery_status") == intended
            and sms.get("error_code") == code
        )
    else:  # queued / scheduled / canceled: no verdict was intended yet
        return None
    return None if ok else shown


def _whitelist(seen: Observed) -> Check:
    """Every request decided by the deadline, as the carrier decided it; none only on one side."""
    carrier = {str(r.get("sid")): r for r in seen.carrier_whitelist}
    problems = []
    for request in seen.whitelist:
        theirs = carrier.get(str(request.get("carrier_sid")))
        ours = (request.get("status"), request.get("reason") or None)
        # named by phone number: request ids and sids are random, reports must not be
        number = f"request for {request.get('phone_number')}"
        if theirs is None:
            problems.append(f"{number}: the carrier has no such request")
        elif ours[0] == "submitted":
            problems.append(
                f"{number}: not decided by the deadline (the carrier: {theirs.get('status')})"
            )
        elif ours != (theirs.get("status"), theirs.get("reason") or None):
            problems.append(
                f"{number}: gateway {ours[0]} ({ours[1]!r}), carrier "
                f"{theirs.get('status')} ({theirs.get('reason')!r})"
            )
    known = {str(r.get("carrier_sid")) for r in seen.whitelist}
    problems += [
        f"request for {r.get('phone_number')}: the carrier has a request the gateway does not show"
        for sid, r in carrier.items()
        if sid not in known
    ]
    ok_text = "all match" if seen.whitelist or seen.carrier_whitelist else "no requests"
    return _check(
        "whitelist_matches_carrier",
        "every whitelist request decided by the deadline, as the carrier decided",
        problems,
        ok_text,
    )
