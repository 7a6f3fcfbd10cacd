"""The traffic and expect sections: typed steps, and problems that name file, line and field."""

from __future__ import annotations

import textwrap

import pytest

from simulator.scenario import ScenarioError
from simulator.scenario.plan import (
    Bound,
    CancelStep,
    InboundStep,
    LeadsStep,
    NumberOrder,
    NumbersStep,
    SendStep,
    WaitStep,
)
from simulator.scenario.runbook import loads_plan

GOOD = """\
seed: 1
traffic:
  - numbers: [{country: US, count: 2}, {country: CA, label: north}]
  - leads: {count: 3, name: "Lead {i}", phone: "+1416555{i:04d}", start: 1000}
  - send: {to: "Lead {i}", count: 3, start: 1000, text: "Hi {i}", from: US, rate: 5}
  - schedule: {to: "+14165551000", text: later, from: north, send_at: 100, tag: rem}
  - cancel: rem
  - inbound: {from: "+14165551001", to: US, text: STOP, at: 5}
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
"""


def test_traffic_and_expect_load_into_typed_steps() -> None:
    plan = loads_plan(GOOD, "good.yaml")
    assert plan.traffic == (
        NumbersStep((NumberOrder("US", 2), NumberOrder("CA", 1, "north")), "traffic[0].numbers"),
        LeadsStep("Lead {i}", "+1416555{i:04d}", 3, 1000, path="traffic[1].leads"),
        SendStep("Lead {i}", "Hi {i}", "US", 3, 1000, 5.0, path="traffic[2].send"),
        SendStep("+14165551000", "later", "north", send_at=100.0, tag="rem",
                 path="traffic[3].schedule"),
        CancelStep("rem", path="traffic[4].cancel"),
        InboundStep("+14165551001", "US", "STOP", at=5.0, path="traffic[5].inbound"),
        WaitStep(10.0, "traffic[6].wait"),
    )
    expect = plan.expect
    assert expect.deadline == 300
    assert expect.messages == Bound(4, 4)
    assert expect.counts == (("status", "sent", Bound(3, 3)), ("status", "draft", Bound(1, None)),
                             ("error_code", "30006", Bound(0, 0)))
    assert expect.leads[0].fields == (("delivery_status", "delivered"),)
    assert expect.search[0].leads == ()
    assert expect.inbox is not None and expect.inbox.messages[0].from_ == "+14165551001"


@pytest.mark.parametrize(("snippet", "problem"), [
    ("traffic:\n  - send: {to: x, text: y}\n",
     "bad.yaml:2:11: traffic[0].send.from: missing required key"),
    ("traffic:\n  - numbers: [{country: FR}]\n",
     "bad.yaml:2:25: traffic[0].numbers[0].country: numbers are rented in US, CA, GB, AU, "
     "got 'FR'"),
    ("traffic:\n  - leads: {name: 'L {j}', phone: '+14155551000'}\n",
     "bad.yaml:2:19: traffic[0].leads.name: bad template ('j'): the only placeholder is {i}, "
     "e.g. 'Lead {i}' or '+1416555{i:04d}'"),
    ("traffic:\n  - leads: {name: L, phone: '+1415555{i}'}\n",
     "bad.yaml:2:29: traffic[0].leads.phone: not a phone number in E.164 once rendered with "
     "i=0 ('+14155550' is not a valid phone number)"),
    ("traffic:\n  - numbers: {country: US}\n  - send: {to: Nobody, text: hi, from: US}\n",
     "bad.yaml:3:11: traffic[1].send: to: no lead is named 'Nobody' (message i=0); create it "
     "in a leads step before this one"),
    ("traffic:\n  - leads: {name: L, phone: '+14155551000'}\n  - send: {to: L, text: hi, "
     "from: GB}\n", "bad.yaml:3:11: traffic[1].send: from: no number was rented in 'GB' "
     "before this step"),
    ("traffic:\n  - cancel: reminders\n",
     "bad.yaml:2:13: traffic[0].cancel: no scheduled send is tagged 'reminders' before this "
     "step"),
    ("traffic:\n  - {wait: 1, cancel: x}\n",
     "bad.yaml:2:5: traffic[0]: a step is exactly one of numbers, leads, send, schedule, "
     "cancel, inbound, wait (got wait, cancel)"),
    ("expect:\n  status: {snt: 1}\n",
     "bad.yaml:2:12: expect.status: status is one of draft, scheduled, outbox, sent, error; "
     "got 'snt'"),
    ("expect:\n  error_reason: {spam: {min: 3, max: 1}}\n",
     "bad.yaml:2:24: expect.error_reason.spam: max (1) is below min (3)"),
    ("expect:\n  messages: -1\n", "bad.yaml:2:13: expect.messages: must not be negative, got -1"),
    ("expect:\n  search: [{query: x}]\n", "bad.yaml:2:12: expect.search[0]: give count, leads "
     "or both"),
    ("expect:\n  usage: {}\n", "bad.yaml:2:3: expect.usage: unknown key 'usage' (allowed: "
     "deadline, messages, status, delivery_status, error_reason, error_code, leads, search, "
     "inbox); did you mean 'messages'?"),
])
def test_problems_name_the_file_line_and_field(snippet: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_plan(textwrap.dedent(snippet), "bad.yaml")
    assert str(caught.value).splitlines()[0] == problem


def test_scenario_and_plan_problems_are_reported_together() -> None:
    text = "seed: x\ntraffic:\n  - wait: -1\n"
    with pytest.raises(ScenarioError) as caught:
        loads_plan(text, "both.yaml")
    assert [(p.line, p.field) for p in caught.value.problems] == [(1, "seed"),
                                                                   (3, "traffic[0].wait")]
