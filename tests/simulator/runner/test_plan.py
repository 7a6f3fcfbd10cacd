"""The traffic and expect sections: typed steps, and problems that name file, line and field."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from simulator.scenario import ScenarioError
from simulator.scenario.plan_model import (
    Amount,
    Bound,
    CancelStep,
    InboundStep,
    LeadsStep,
    NumberOrder,
    NumbersStep,
    SendStep,
    UsageExpectation,
    UsageFigures,
    WaitStep,
    WhitelistExpectation,
    WhitelistStep,
)
from simulator.scenario.read_plan import loads_plan

GOOD = """\
seed: 1
traffic:
  - numbers: [{country: US, count: 2}, {country: CA, label: north}]
  - leads: {count: 3, name: "Lead {i}", phone: "+1416555{i:04d}", start: 1000}
  - send: {to: "Lead {i}", count: 3, start: 1000, text: "Hi {i}", from: US, rate: 5}
  - schedule: {to: "+14165551000", text: later, from: north, send_at: 100, tag: rem}
  - cancel: rem
  - inbound: {from: "+14165551001", to: US, text: STOP, at: 5}
  - whitelist: {number: north, website: "https://acme.example", content_type: marketing,
                examples: ["Sale: 20% off"], opted_in: true, relationship: Customers, at: 60}
  - wait: 10
expect:
  deadline: 300
  messages: 4
  status: {sent: 3, draft: {min: 1}}
  error_code: {30006: 0}
  leads:
    Lead 1000: {outbound: 1, delivery_status: delivered}
  search:
    - {query: "failed_sms > 1", count: 0, leads: []}
  inbox: {count: 1, messages: [{text: STOP, from: "+14165551001"}]}
  whitelist:
    north: {status: approved, whitelisted: true, spam_flagged_count: {max: 2}}
    all: {reason: opt in}
    "+14165551000": {whitelisted: false}
  usage:
    outbound: {messages: 4, segments: {min: 4}, cost: 3.32}
    total: {cost: {min: 3, max: "3.5"}}
    countries:
      CA: {inbound: {messages: 1, cost: 0.83}}
"""


def test_traffic_and_expect_load_into_typed_steps() -> None:
    plan = loads_plan(GOOD, "good.yaml")
    assert plan.traffic == (
        NumbersStep((NumberOrder("US", 2), NumberOrder("CA", 1, "north")), "traffic[0].numbers"),
        LeadsStep("Lead {i}", "+1416555{i:04d}", 3, 1000, path="traffic[1].leads"),
        SendStep("Lead {i}", "Hi {i}", "US", 3, 1000, 5.0, path="traffic[2].send"),
        SendStep(
            "+14165551000", "later", "north", send_at=100.0, tag="rem", path="traffic[3].schedule"
        ),
        CancelStep("rem", path="traffic[4].cancel"),
        InboundStep("+14165551001", "US", "STOP", at=5.0, path="traffic[5].inbound"),
        WhitelistStep(
            "north",
            "https://acme.example",
            "marketing",
            ("Sale: 20% off",),
            True,
            "Customers",
            60.0,
            "traffic[6].whitelist",
        ),
        WaitStep(10.0, "traffic[7].wait"),
    )
    expect = plan.expect
    assert expect.deadline == 300
    assert expect.messages == Bound(4, 4)
    assert expect.counts == (
        ("status", "sent", Bound(3, 3)),
        ("status", "draft", Bound(1, None)),
        ("error_code", "30006", Bound(0, 0)),
    )
    assert expect.leads[0].fields == (("delivery_status", "delivered"),)
    assert expect.search[0].leads == ()
    assert expect.inbox is not None and expect.inbox.messages[0].from_ == "+14165551001"
    assert expect.whitelist == (
        WhitelistExpectation(
            "north",
            "approved",
            whitelisted=True,
            spam_flagged_count=Bound(0, 2),
            path="expect.whitelist.north",
        ),
        WhitelistExpectation("all", reason="opt in", path="expect.whitelist.all"),
        WhitelistExpectation(
            "+14165551000", whitelisted=False, path="expect.whitelist.+14165551000"
        ),
    )
    cents = Decimal("3.32")
    assert expect.usage == UsageExpectation(
        (
            UsageFigures("outbound", Bound(4, 4), Bound(4, None), Amount(cents, cents)),
            UsageFigures("total", cost=Amount(Decimal(3), Decimal("3.5"))),
        ),
        (
            (
                "CA",
                (
                    UsageFigures(
                        "inbound", Bound(1, 1), cost=Amount(Decimal("0.83"), Decimal("0.83"))
                    ),
                ),
            ),
        ),
    )


def whitelist(old: str = "", new: str = "", number: str = "US") -> str:
    """A traffic section that rents a US number and files a whitelist request (changed)."""
    form = (
        "website: 'https://a.example', content_type: marketing, examples: [Sale], "
        "opted_in: true, relationship: Customers"
    ).replace(old, new)
    return f"traffic:\n  - numbers: {{country: US}}\n  - whitelist: {{{form}, number: {number}}}\n"


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        (
            "traffic:\n  - send: {to: x, text: y}\n",
            "bad.yaml:2:11: traffic[0].send.from: missing required key",
        ),
        (
            "traffic:\n  - numbers: [{country: FR}]\n",
            "bad.yaml:2:25: traffic[0].numbers[0].country: numbers are rented in US, CA, GB, AU, "
            "got 'FR'",
        ),
        (
            "traffic:\n  - leads: {name: 'L {j}', phone: '+14155551000'}\n",
            "bad.yaml:2:19: traffic[0].leads.name: bad template ('j'): the only "
            "placeholder is {i}, "
            "e.g. 'Lead {i}' or '+1416555{i:04d}'",
        ),
        (
            "traffic:\n  - leads: {name: L, phone: '+1415555{i}'}\n",
            "bad.yaml:2:29: traffic[0].leads.phone: not a phone number in E.164 once rendered with "
            "i=0 ('+14155550' is not a valid phone number)",
        ),
        (
            "traffic:\n  - numbers: {country: US}\n  - send: {to: Nobody, text: hi, from: US}\n",
            "bad.yaml:3:11: traffic[1].send: to: no lead is named 'Nobody' (message "
            "i=0); create it "
            "in a leads step before this one",
        ),
        (
            "traffic:\n  - leads: {name: L, phone: '+14155551000'}\n  - send: {to: L, text: hi, "
            "from: GB}\n",
            "bad.yaml:3:11: traffic[1].send: from: no number was rented in 'GB' before this step",
        ),
        (
            "traffic:\n  - cancel: reminders\n",
            "bad.yaml:2:13: traffic[0].cancel: no scheduled send is tagged 'reminders' before this "
            "step",
        ),
        (
            "traffic:\n  - {wait: 1, cancel: x}\n",
            "bad.yaml:2:5: traffic[0]: a step is exactly one of numbers, leads, send, schedule, "
            "cancel, inbound, whitelist, wait (got wait, cancel)",
        ),
        (
            whitelist(number="promo"),
            "bad.yaml:3:16: traffic[1].whitelist: number: no rented number is labelled 'promo' "
            "before this step",
        ),
        (
            "traffic:\n  - whitelist: {number: US}\n",
            "bad.yaml:2:16: traffic[0].whitelist.website: missing required key",
        ),
        (
            whitelist("marketing", "ads"),
            "bad.yaml:3:61: traffic[1].whitelist.content_type: content_type is one of "
            "download_link, "
            "appointment_reminder, marketing, notification, two_factor, customer_care, other; "
            "got 'ads'",
        ),
        (
            whitelist("[Sale]", "[a, b, c, d, e, f]"),
            "bad.yaml:3:82: traffic[1].whitelist.examples: give 1 to 5 examples, got 6",
        ),
        (
            whitelist("true", "yes please"),
            "bad.yaml:3:100: traffic[1].whitelist.opted_in: expected true or false, got "
            "'yes please'",
        ),
        (
            "expect:\n  status: {snt: 1}\n",
            "bad.yaml:2:12: expect.status: status is one of draft, scheduled, outbox, sent, error; "
            "got 'snt'",
        ),
        (
            "expect:\n  error_reason: {spam: {min: 3, max: 1}}\n",
            "bad.yaml:2:24: expect.error_reason.spam: max (1) is below min (3)",
        ),
        (
            "expect:\n  messages: -1\n",
            "bad.yaml:2:13: expect.messages: must not be negative, got -1",
        ),
        (
            "expect:\n  search: [{query: x}]\n",
            "bad.yaml:2:12: expect.search[0]: give count, leads or both",
        ),
        (
            "expect:\n  usages: {}\n",
            "bad.yaml:2:3: expect.usages: unknown key 'usages' (allowed: "
            "deadline, messages, status, delivery_status, error_reason, error_code, leads, search, "
            "inbox, whitelist, usage); did you mean 'usage'?",
        ),
        (
            "traffic:\n  - numbers: {country: US, label: promo}\nexpect:\n  whitelist:\n"
            "    promx: {status: approved}\n",
            "bad.yaml:5:5: expect.whitelist.promx: the traffic rents no number labelled or in "
            "'promx' (known: US, promo, or all)",
        ),
        (
            "expect:\n  whitelist:\n    all: {status: approvd}\n",
            "bad.yaml:3:19: expect.whitelist.all.status: status is one of approved, rejected; "
            "got 'approvd'",
        ),
        (
            "expect:\n  whitelist:\n    all: {}\n",
            "bad.yaml:3:10: expect.whitelist.all: give any of status, reason, whitelisted, "
            "spam_flagged_count",
        ),
        (
            "expect:\n  whitelist:\n    all: {whitelisted: 1}\n",
            "bad.yaml:3:24: expect.whitelist.all.whitelisted: expected true or false, got 1",
        ),
        (
            "expect:\n  whitelist:\n    all: {spam_flagged_count: {min: 2, max: 1}}\n",
            "bad.yaml:3:31: expect.whitelist.all.spam_flagged_count: max (1) is below min (2)",
        ),
        (
            "expect:\n  whitelist: [all]\n",
            "bad.yaml:2:14: expect.whitelist: expected a mapping of number -> whitelist outcome, "
            "got a list",
        ),
        (
            "expect:\n  usage: {}\n",
            "bad.yaml:2:10: expect.usage: give any of outbound, inbound, total, countries",
        ),
        (
            "expect:\n  usage: {outgoing: {messages: 1}}\n",
            "bad.yaml:2:11: expect.usage.outgoing: unknown key 'outgoing' (allowed: outbound, "
            "inbound, total, countries); did you mean 'outbound'?",
        ),
        (
            "expect:\n  usage: {outbound: {messages: -1}}\n",
            "bad.yaml:2:32: expect.usage.outbound.messages: must not be negative, got -1",
        ),
        (
            "expect:\n  usage: {outbound: {cost: abc}}\n",
            "bad.yaml:2:28: expect.usage.outbound.cost: expected an amount of US cents, 0 or more "
            "(e.g. 4.6), got 'abc'",
        ),
        (
            "expect:\n  usage: {inbound: {cost: {min: 5, max: 4.99}}}\n",
            "bad.yaml:2:27: expect.usage.inbound.cost: max (4.99) is below min (5)",
        ),
        (
            "expect:\n  usage: {total: {}}\n",
            "bad.yaml:2:18: expect.usage.total: give messages, segments, cost or any of them",
        ),
        (
            "expect:\n  usage:\n    countries: {XX: {outbound: {messages: 1}}}\n",
            "bad.yaml:3:17: expect.usage.countries.XX: 'XX' is not an ISO 3166 alpha-2 region "
            "phonenumbers knows",
        ),
        (
            "expect:\n  usage:\n    countries: {GB: {messages: 1}}\n",
            "bad.yaml:3:22: expect.usage.countries.GB.messages: unknown key 'messages' (allowed: "
            "outbound, inbound, total)",
        ),
    ],
)
def test_problems_name_the_file_line_and_field(snippet: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_plan(textwrap.dedent(snippet), "bad.yaml")
    assert str(caught.value).splitlines()[0] == problem


def test_scenario_and_plan_problems_are_reported_together() -> None:
    text = "seed: x\ntraffic:\n  - wait: -1\n"
    with pytest.raises(ScenarioError) as caught:
        loads_plan(text, "both.yaml")
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (1, "seed"),
        (3, "traffic[0].wait"),
    ]


def test_an_empty_mapping_is_refused_like_an_empty_file() -> None:
    for text in ("", "{}\n"):
        with pytest.raises(ScenarioError) as caught:
            loads_plan(text, "empty.yaml")
        assert str(caught.value) == "empty.yaml:1:1: the scenario is empty"
