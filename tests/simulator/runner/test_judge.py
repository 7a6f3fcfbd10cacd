"""Expectations and invariants judged from plain observed data: no servers."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.runner.invariants import invariants
from simulator.runner.judge import judge
from simulator.runner.outcome import Observed, SearchResult
from simulator.scenario.plan import (
    Bound,
    Expectations,
    InboxExpectation,
    InboxMessage,
    LeadExpectation,
    SearchExpectation,
)


def sms(id_: str, lead: str = "lead_a", status: str = "sent",
        delivery: str | None = "delivered", code: int | None = None,
        reason: str | None = None, direction: str = "outbound", **extra: Any) -> dict[str, Any]:
    return {"id": id_, "lead_id": lead, "direction": direction, "status": status,
            "delivery_status": delivery, "error_code": code, "error_reason": reason, **extra}


def oracle(key: str | None, intended: str = "delivered", code: int | None = None,
           sid: str = "", create_calls: int = 1) -> dict[str, Any]:
    return {"sid": sid or f"SM{key}", "direction": "outbound-api", "idempotency_key": key,
            "intended_status": intended, "intended_error_code": code, "cause": "test",
            "create_calls": create_calls}


SEEN = Observed(
    sms=(
        sms("a1"),
        sms("a2", lead="lead_b", status="error", delivery="undelivered", code=30006,
            reason="landline"),
        sms("a3", lead="lead_b", status="error", delivery=None, reason="unsupported_country"),
        sms("i1", lead="lead_a", status="inbox", delivery="received", direction="inbound",
            text="Yes please", remote_phone="+14155550101"),
    ),
    lead_names={"lead_a": "Mobile", "lead_b": "Desk"},
    oracle=(oracle("a1"), oracle("a2", "undelivered", 30006)),
    search={"failed_sms > 1": SearchResult(1, ("Desk",)),
            "bad (": SearchResult(None, error="HTTP 400")},
)


def verdicts(expect: Expectations, seen: Observed = SEEN) -> list[tuple[str, str, str, bool]]:
    return [(c.name, c.expected, c.actual, c.passed) for c in judge(expect, seen)]


@pytest.mark.parametrize(("expect", "want"), [
    (Expectations(messages=Bound(3, 3)), [("messages", "3", "3", True)]),
    (Expectations(messages=Bound(4, None)), [("messages", ">= 4", "3", False)]),
    (Expectations(counts=(("status", "error", Bound(1, 2)),)),
     [("status[error]", "1..2", "2", True)]),
    (Expectations(counts=(("error_code", "30006", Bound(2, 2)),)),
     [("error_code[30006]", "2", "1", False)]),
    (Expectations(counts=(("delivery_status", "none", Bound(1, 1)),)),
     [("delivery_status[none]", "1", "1", True)]),
    (Expectations(counts=(("error_reason", "spam", Bound(0, 0)),)),
     [("error_reason[spam]", "0", "0", True)]),
    (Expectations(leads=(LeadExpectation("Desk", outbound=Bound(2, 2),
                                         fields=(("status", "error"),)),)),
     [("leads[Desk].outbound", "2", "2", True),
      ("leads[Desk].status", "error (every outbound SMS)", "error", True)]),
    (Expectations(leads=(LeadExpectation("Desk", fields=(("error_reason", "landline"),)),)),
     [("leads[Desk].error_reason", "landline (every outbound SMS)",
       "landline x1, unsupported_country x1", False)]),
    (Expectations(leads=(LeadExpectation("Mobile", inbound=Bound(1, 1)),)),
     [("leads[Mobile].inbound", "1", "1", True)]),
    (Expectations(leads=(LeadExpectation("Nobody", outbound=Bound(1, 1)),)),
     [("leads[Nobody]", "a lead with this name", "no such lead", False)]),
    (Expectations(search=(SearchExpectation("failed_sms > 1", Bound(1, 1), ("Desk",)),)),
     [("search[failed_sms > 1].count", "1", "1", True),
      ("search[failed_sms > 1].leads", "Desk", "Desk", True)]),
    (Expectations(search=(SearchExpectation("bad (", Bound(0, 0)),)),
     [("search[bad (].count", "0", "refused: HTTP 400", False)]),
    (Expectations(inbox=InboxExpectation(Bound(1, 1), (
        InboxMessage("Yes please", "+14155550101", "Mobile"),
        InboxMessage("Yes please", lead="Desk")))),
     [("inbox.count", "1", "1", True),
      ("inbox.messages[0]", "'Yes please' from +14155550101 on lead 'Mobile'", "found", True),
      ("inbox.messages[1]", "'Yes please' on lead 'Desk'",
       "not found; the inbox has 'Yes please' from +14155550101 on lead 'Mobile'", False)]),
])
def test_each_expectation_gives_expected_and_actual_side_by_side(
        expect: Expectations, want: list[tuple[str, str, str, bool]]) -> None:
    assert verdicts(expect) == want


def invariant_verdicts(seen: Observed) -> dict[str, bool]:
    return {c.name.removeprefix("invariant."): c.passed for c in invariants(seen)}


ALL_PASS = {"all_final": True, "no_message_lost": True, "none_sent_twice": True,
            "fate_matches_oracle": True}


@pytest.mark.parametrize(("sms_", "oracle_", "failing"), [
    ((sms("a"),), (oracle("a"),), set()),
    # a create-time refusal leaves nothing at the carrier: not lost
    ((sms("a", status="error", delivery="failed", code=21408),), (), set()),
    ((sms("a"),), (), {"no_message_lost"}),
    ((), (oracle("ghost"),), {"no_message_lost"}),
    ((sms("a"),), (oracle("a"), oracle("a", sid="SMother")), {"none_sent_twice"}),
    ((sms("a"),), (oracle("a", create_calls=3),), set()),  # retried, answered once
    ((sms("a"),), (oracle(None),), {"none_sent_twice", "no_message_lost"}),
    ((sms("a"),), (oracle("a", "undelivered", 30003),), {"fate_matches_oracle"}),
    ((sms("a", status="error", delivery="undelivered", code=30005),),
     (oracle("a", "undelivered", 30003),), {"fate_matches_oracle"}),
    ((sms("a", delivery="sent"),), (oracle("a"),), {"all_final", "fate_matches_oracle"}),
    ((sms("a", status="scheduled", delivery=None),), (), {"all_final"}),
    ((sms("a", status="draft", delivery=None),), (), set()),
])
def test_invariants(sms_: tuple[dict[str, Any], ...], oracle_: tuple[dict[str, Any], ...],
                    failing: set[str]) -> None:
    verdict = invariant_verdicts(Observed(sms=sms_, oracle=oracle_))
    assert verdict == {name: name not in failing for name in ALL_PASS}
