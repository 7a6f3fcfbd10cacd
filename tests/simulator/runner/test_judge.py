"""Expectations and invariants judged from plain observed data: no servers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from simulator.runner.invariants import invariants
from simulator.runner.judge import judge
from simulator.runner.outcome import Check, Observed, SearchResult, UsageResult
from simulator.scenario.plan_model import (
    Amount,
    Bound,
    Expectations,
    InboxExpectation,
    InboxMessage,
    LeadExpectation,
    SearchExpectation,
    UsageExpectation,
    UsageFigures,
    WhitelistExpectation,
)


def sms(
    id_: str,
    lead: str = "lead_a",
    status: str = "sent",
    delivery: str | None = "delivered",
    code: int | None = None,
    reason: str | None = None,
    direction: str = "outbound",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": id_,
        "lead_id": lead,
        "direction": direction,
        "status": status,
        "delivery_status": delivery,
        "error_code": code,
        "error_reason": reason,
        **extra,
    }


def oracle(
    key: str | None,
    intended: str = "delivered",
    code: int | None = None,
    sid: str = "",
    create_calls: int = 1,
) -> dict[str, Any]:
    return {
        "sid": sid or f"SM{key}",
        "direction": "outbound-api",
        "idempotency_key": key,
        "intended_status": intended,
        "intended_error_code": code,
        "cause": "test",
        "create_calls": create_calls,
    }


def request(
    number: str, status: str, reason: str | None = None, created: str = "1", sid: str = ""
) -> dict[str, Any]:
    """A gateway whitelist request."""
    return {
        "id": f"smswl_{number[-2:]}{created}",
        "phone_number": number,
        "status": status,
        "reason": reason,
        "carrier_sid": sid or f"WL{number[-2:]}{created}",
        "date_created": f"2026-11-27T09:00:0{created}",
    }


def carrier_request(sid: str, status: str, reason: str | None = None) -> dict[str, Any]:
    return {"sid": sid, "phone_number": "+14155550100", "status": status, "reason": reason}


PROMO, FLYERS, SPARE = "+14155550100", "+14155550101", "+14155550102"
USAGE = UsageResult(
    totals={
        "outbound_messages": 3,
        "outbound_segments": 4,
        "outbound_cost": "7.92",
        "inbound_messages": 1,
        "inbound_segments": 1,
        "inbound_cost": "0.83",
        "messages": 4,
        "segments": 5,
        "cost": "8.75",
    },
    countries={
        "GB": {
            "outbound_messages": 1,
            "outbound_cost": "4.6",
            "inbound_messages": 0,
            "inbound_cost": "0",
        }
    },
)

SEEN = Observed(
    sms=(
        sms("a1"),
        sms(
            "a2",
            lead="lead_b",
            status="error",
            delivery="undelivered",
            code=30006,
            reason="landline",
        ),
        sms("a3", lead="lead_b", status="error", delivery=None, reason="unsupported_country"),
        sms(
            "i1",
            lead="lead_a",
            status="inbox",
            delivery="received",
            direction="inbound",
            text="Yes please",
            remote_phone="+14155550101",
        ),
    ),
    lead_names={"lead_a": "Mobile", "lead_b": "Desk"},
    oracle=(oracle("a1"), oracle("a2", "undelivered", 30006)),
    search={
        "failed_sms > 1": SearchResult(1, ("Desk",)),
        "bad (": SearchResult(None, error="HTTP 400"),
    },
    numbers={"promo": (PROMO,), "flyers": (FLYERS,), "US": (PROMO, FLYERS, SPARE)},
    phone_numbers=(
        {"number": PROMO, "whitelisted": True, "spam_flagged_count": 10},
        {"number": FLYERS, "whitelisted": False, "spam_flagged_count": 4},
        {"number": SPARE, "whitelisted": False, "spam_flagged_count": 0},
    ),
    whitelist=(  # promo: rejected first, then approved
        request(PROMO, "approved", created="2"),
        request(PROMO, "rejected", "Recipients did not opt in", created="1"),
        request(FLYERS, "rejected", "Recipients did not opt in"),
    ),
    usage=USAGE,
)


def verdicts(expect: Expectations, seen: Observed = SEEN) -> list[tuple[str, str, str, bool]]:
    return [(c.name, c.expected, c.actual, c.passed) for c in judge(expect, seen)]


@pytest.mark.parametrize(
    ("expect", "want"),
    [
        (Expectations(messages=Bound(3, 3)), [("messages", "3", "3", True)]),
        (Expectations(messages=Bound(4, None)), [("messages", ">= 4", "3", False)]),
        (
            Expectations(counts=(("status", "error", Bound(1, 2)),)),
            [("status[error]", "1..2", "2", True)],
        ),
        (
            Expectations(counts=(("error_code", "30006", Bound(2, 2)),)),
            [("error_code[30006]", "2", "1", False)],
        ),
        (
            Expectations(counts=(("delivery_status", "none", Bound(1, 1)),)),
            [("delivery_status[none]", "1", "1", True)],
        ),
        (
            Expectations(counts=(("error_reason", "spam", Bound(0, 0)),)),
            [("error_reason[spam]", "0", "0", True)],
        ),
        (
            Expectations(
                leads=(
                    LeadExpectation("Desk", outbound=Bound(2, 2), fields=(("status", "error"),)),
                )
            ),
            [
                ("leads[Desk].outbound", "2", "2", True),
                ("leads[Desk].status", "error (every outbound SMS)", "error", True),
            ],
        ),
        (
            Expectations(leads=(LeadExpectation("Desk", fields=(("error_reason", "landline"),)),)),
            [
                (
                    "leads[Desk].error_reason",
                    "landline (every outbound SMS)",
                    "landline x1, unsupported_country x1",
                    False,
                )
            ],
        ),
        (
            Expectations(leads=(LeadExpectation("Mobile", inbound=Bound(1, 1)),)),
            [("leads[Mobile].inbound", "1", "1", True)],
        ),
        (
            Expectations(leads=(LeadExpectation("Nobody", outbound=Bound(1, 1)),)),
            [("leads[Nobody]", "a lead with this name", "no such lead", False)],
        ),
        (
            Expectations(search=(SearchExpectation("failed_sms > 1", Bound(1, 1), ("Desk",)),)),
            [
                ("search[failed_sms > 1].count", "1", "1", True),
                ("search[failed_sms > 1].leads", "Desk", "Desk", True),
            ],
        ),
        (
            Expectations(search=(SearchExpectation("bad (", Bound(0, 0)),)),
            [("search[bad (].count", "0", "refused: HTTP 400", False)],
        ),
        (
            Expectations(
                inbox=InboxExpectation(
                    Bound(1, 1),
                    (
                        InboxMessage("Yes please", "+14155550101", "Mobile"),
                        InboxMessage("Yes please", lead="Desk"),
                    ),
                )
            ),
            [
                ("inbox.count", "1", "1", True),
                (
                    "inbox.messages[0]",
                    "'Yes please' from +14155550101 on lead 'Mobile'",
                    "found",
                    True,
                ),
                (
                    "inbox.messages[1]",
                    "'Yes please' on lead 'Desk'",
                    "not found; the inbox has 'Yes please' from +14155550101 on lead 'Mobile'",
                    False,
                ),
            ],
        ),
        (
            Expectations(
                whitelist=(
                    WhitelistExpectation("promo", "approved", "opt in", True, Bound(10, 10)),
                )
            ),
            [
                ("whitelist[promo].status", "approved", "approved", True),  # the latest request
                ("whitelist[promo].reason", "contains 'opt in'", "no reason", False),
                ("whitelist[promo].whitelisted", "true", "true", True),
                ("whitelist[promo].spam_flagged_count", "10", "10", True),
            ],
        ),
        (
            Expectations(whitelist=(WhitelistExpectation("flyers", "rejected", "did not opt in"),)),
            [
                ("whitelist[flyers].status", "rejected", "rejected", True),
                (
                    "whitelist[flyers].reason",
                    "contains 'did not opt in'",
                    "'Recipients did not opt in'",
                    True,
                ),
            ],
        ),
        (
            Expectations(
                whitelist=(
                    WhitelistExpectation(
                        "US", "approved", whitelisted=False, spam_flagged_count=Bound(0, 13)
                    ),
                )
            ),
            [
                (
                    "whitelist[US].status",
                    "approved (each of 3 numbers)",
                    "approved x1, no request x1, rejected x1",
                    False,
                ),
                (
                    "whitelist[US].whitelisted",
                    "false (each of 3 numbers)",
                    "false x2, true x1",
                    False,
                ),
                ("whitelist[US].spam_flagged_count", "0..13", "14", False),
            ],
        ),
        (
            Expectations(
                whitelist=(
                    WhitelistExpectation("all", whitelisted=True),
                    WhitelistExpectation(SPARE, spam_flagged_count=Bound(0, 0)),
                    WhitelistExpectation("desk", whitelisted=True),
                )
            ),
            [
                (
                    "whitelist[all].whitelisted",
                    "true (each of 3 numbers)",
                    "false x2, true x1",
                    False,
                ),
                ("whitelist[+14155550102].spam_flagged_count", "0", "0", True),
                ("whitelist[desk]", "a number the traffic rented", "no such number", False),
            ],
        ),
        (
            Expectations(
                usage=UsageExpectation(
                    (
                        UsageFigures(
                            "outbound",
                            Bound(3, 3),
                            Bound(5, None),
                            Amount(Decimal("7.92"), Decimal("7.92")),
                        ),
                        UsageFigures("total", cost=Amount(Decimal(8), Decimal(9))),
                    ),
                    (
                        (
                            "GB",
                            (
                                UsageFigures(
                                    "outbound",
                                    Bound(1, 1),
                                    cost=Amount(Decimal("4.60"), Decimal("4.60")),
                                ),
                                UsageFigures("inbound", cost=Amount(Decimal(0), None)),
                            ),
                        ),
                        ("AU", (UsageFigures("outbound", Bound(0, 0), Bound(1, None)),)),
                    ),
                )
            ),
            [
                ("usage.outbound.messages", "3", "3", True),
                ("usage.outbound.segments", ">= 5", "4", False),
                ("usage.outbound.cost", "7.92", "7.92", True),
                ("usage.total.cost", "8..9", "8.75", True),
                ("usage.countries[GB].outbound.messages", "1", "1", True),
                ("usage.countries[GB].outbound.cost", "4.60", "4.6", True),
                ("usage.countries[GB].inbound.cost", ">= 0", "0", True),
                ("usage.countries[AU].outbound.messages", "0", "0", True),  # no row: zero
                ("usage.countries[AU].outbound.segments", ">= 1", "0", False),
            ],
        ),
    ],
)
def test_each_expectation_gives_expected_and_actual_side_by_side(
    expect: Expectations, want: list[tuple[str, str, str, bool]]
) -> None:
    assert verdicts(expect) == want


def test_usage_the_gateway_refused_fails_every_usage_check() -> None:
    expect = Expectations(usage=UsageExpectation((UsageFigures("inbound", Bound(0, 0)),)))
    refused = Observed(usage=UsageResult(error="HTTP 400: bad date_start"))
    assert verdicts(expect, refused) == [
        ("usage.inbound.messages", "0", "refused: HTTP 400: bad date_start", False)
    ]


def invariant_verdicts(seen: Observed) -> dict[str, bool]:
    return {c.name.removeprefix("invariant."): c.passed for c in invariants(seen)}


ALL_PASS = {
    "all_final": True,
    "no_message_lost": True,
    "none_sent_twice": True,
    "fate_matches_oracle": True,
    "whitelist_matches_carrier": True,
}


@pytest.mark.parametrize(
    ("sms_", "oracle_", "failing"),
    [
        ((sms("a"),), (oracle("a"),), set()),
        # a create-time refusal leaves nothing at the carrier: not lost
        ((sms("a", status="error", delivery="failed", code=21408),), (), set()),
        ((sms("a"),), (), {"no_message_lost"}),
        ((), (oracle("ghost"),), {"no_message_lost"}),
        ((sms("a"),), (oracle("a"), oracle("a", sid="SMother")), {"none_sent_twice"}),
        ((sms("a"),), (oracle("a", create_calls=3),), set()),  # retried, answered once
        ((sms("a"),), (oracle(None),), {"none_sent_twice", "no_message_lost"}),
        ((sms("a"),), (oracle("a", "undelivered", 30003),), {"fate_matches_oracle"}),
        (
            (sms("a", status="error", delivery="undelivered", code=30005),),
            (oracle("a", "undelivered", 30003),),
            {"fate_matches_oracle"},
        ),
        ((sms("a", delivery="sent"),), (oracle("a"),), {"all_final", "fate_matches_oracle"}),
        ((sms("a", status="scheduled", delivery=None),), (), {"all_final"}),
        ((sms("a", status="draft", delivery=None),), (), set()),
    ],
)
def test_invariants(
    sms_: tuple[dict[str, Any], ...], oracle_: tuple[dict[str, Any], ...], failing: set[str]
) -> None:
    verdict = invariant_verdicts(Observed(sms=sms_, oracle=oracle_))
    assert verdict == {name: name not in failing for name in ALL_PASS}


def test_a_failing_run_names_steps_leads_and_phones_not_random_ids() -> None:
    # Two runs of one seed: the same traffic, other random activity ids and carrier sids.
    def run(prefix: str) -> list[Check]:
        seen = Observed(
            sms=(
                sms(f"acti_{prefix}1", remote_phone="+14155550199"),
                sms(f"acti_{prefix}2", delivery="sent", remote_phone="+14155550198"),
                sms(f"acti_{prefix}3", status="error", delivery="undelivered", code=30005),
            ),
            oracle=(
                oracle(f"acti_{prefix}1", "undelivered", 30003, sid=f"SM{prefix}x"),
                oracle(f"acti_{prefix}3", sid=f"SM{prefix}y"),
                oracle(f"acti_{prefix}3", sid=f"SM{prefix}z"),
                oracle(f"acti_{prefix}9", sid=f"SM{prefix}w"),
            ),
            lead_names={"lead_a": "Bluth Co"},
            labels={
                f"acti_{prefix}1": "traffic[2] (i=0) to Bluth Co +14155550199",
                f"acti_{prefix}3": "traffic[2] (i=2) to Bluth Co +14155550197",
            },
        )
        return invariants(seen)

    first, second = run("Xq7"), run("b0T")
    assert first == second
    details = [line for check in first for line in check.details]
    assert details and not any("acti_" in line or "Xq7" in line for line in details)
    assert (
        "traffic[2] (i=0) to Bluth Co +14155550199: gateway sent/delivered/None, carrier"
        " intended undelivered/30003 (test)" in details
    )
    assert (
        "outbound SMS of lead Bluth Co +14155550198: status sent, delivery_status sent" in details
    )  # not from the traffic: named by its lead and phone
    assert "traffic[2] (i=2) to Bluth Co +14155550197: 2 carrier messages" in details


REASON = "Recipients did not opt in"


@pytest.mark.parametrize(
    ("ours", "theirs", "problem"),
    [
        ((), (), None),
        ((request(PROMO, "approved", sid="WL1"),), (carrier_request("WL1", "approved"),), None),
        (
            (request(PROMO, "rejected", REASON, sid="WL1"),),
            (carrier_request("WL1", "rejected", REASON),),
            None,
        ),
        (
            (request(PROMO, "submitted", sid="WL1"),),
            (carrier_request("WL1", "submitted"),),
            "request for +14155550100: not decided by the deadline (the carrier: submitted)",
        ),
        (
            (request(PROMO, "approved", sid="WL1"),),
            (carrier_request("WL1", "rejected", REASON),),
            "request for +14155550100: gateway approved (None), carrier rejected "
            "('Recipients did not opt in')",
        ),
        (
            (request(PROMO, "approved", sid="WL1"),),
            (),
            "request for +14155550100: the carrier has no such request",
        ),
        (
            (),
            (carrier_request("WL9", "approved"),),
            "request for +14155550100: the carrier has a request the gateway does not show",
        ),
    ],
)
def test_whitelist_requests_match_the_carrier(
    ours: tuple[dict[str, Any], ...], theirs: tuple[dict[str, Any], ...], problem: str | None
) -> None:
    [check] = [
        c
        for c in invariants(Observed(whitelist=ours, carrier_whitelist=theirs))
        if c.name == "invariant.whitelist_matches_carrier"
    ]
    assert check.passed == (problem is None)
    assert check.details == (() if problem is None else (problem,))
    assert check.actual == (
        "no requests" if not ours and not theirs else "all match" if problem is None else "1 not so"
    )
