"""The scenario loader (simulator/scenario/read_carrier.py): YAML -> frozen dataclasses, or
every problem with file, line and field; the document, its top-level keys and the timeline;
every scenario of the library loads."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from simulator.scenario import (
    DEFAULT_ACCOUNT_SID,
    Account,
    CallbackFaults,
    CarrierRoute,
    Delay,
    FailureRate,
    HandsetKind,
    HandsetRule,
    Latency,
    Outage,
    OutageMode,
    Reply,
    Scenario,
    ScenarioError,
    SpamFilter,
    Throughput,
    TimelineStep,
    WhitelistPolicy,
    WhitelistRule,
    load,
    loads,
)
from tests.simulator.scenario.scenario_files import (
    LIBRARY,
    names_file_line_and_field,
    only_problem,
    problems,
    write,
)

SID = "AC0123456789abcdef0123456789abcdef"


FULL = """
    # a comment first, so line numbers are not trivially 1
    name: everything
    description: every section filled in
    seed: 7
    time_scale: 60
    accounts:
      - {sid: AC0123456789abcdef0123456789abcdef, auth_token: secret}
    carriers:
      - {name: north-america, countries: [US, CA]}
      - {name: europe, countries: [GB, NO]}
    test_numbers: true
    landline_at_create: false
    handsets:
      - {number: +14155550100, kind: landline}
      - {pattern: '\\+1415555019\\d', kind: mobile, reply: {text: "Yes please", delay: 5}}
      - {number_type: landline, kind: landline}
    spam_filters:
      - {name: free-money, regex: '(?i)free money', code: 30007}
      - {name: shorteners, url_shorteners: [bit.ly, tinyurl.com]}
      - {name: repeats, duplicate: {count: 3, window: 60}}
      - {name: velocity, velocity: {count: 10, window: 1}}
    failures: [{code: 30003, rate: 0.05}, {code: 30008, rate: 0.01}]
    latency: {sent: 0.5, delivered: {min: 1, max: 3}}
    throughput: {mps: 10, queue_size: 1000}
    callbacks:
      duplicate_rate: 0.1
      late_rate: 0.0
      late_delay: 30
      out_of_order_rate: 0.0
      attempts: 5
      backoff: 0.5
      timeout: 5
    whitelist: {policy: reject_without_opt_in, delay: 10, reason: "No opt-in"}
    timeline:
      - at: 30
        add_spam_filters: [{name: crypto, regex: '(?i)crypto', code: 30004}]
        remove_spam_filters: [free-money]
        failures: []
        latency: {sent: 1}
        throughput: {mps: 1}
        countries: [US]
      - at: 30
        outage: {duration: 20, mode: error, status: 503, delay: 0}
    traffic:
      - {from: "+14155550000", to: "+14155550100", text: hi, count: 2}
    expect:
      statuses: {error: 1}
"""


def test_a_full_scenario_loads_into_the_expected_dataclasses(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, FULL))

    assert scenario == Scenario(
        name="everything",
        description="every section filled in",
        seed=7,
        time_scale=60.0,
        accounts=(Account(SID, "secret"),),
        carriers=(
            CarrierRoute("north-america", ("US", "CA")),
            CarrierRoute("europe", ("GB", "NO")),  # NO is Norway, not a YAML false
        ),
        test_numbers=True,
        landline_at_create=False,
        handsets=(
            HandsetRule(HandsetKind.LANDLINE, number="+14155550100"),
            HandsetRule(
                HandsetKind.MOBILE,
                pattern=re.compile(r"\+1415555019\d"),
                reply=Reply("Yes please", 5.0),
            ),
            HandsetRule(HandsetKind.LANDLINE, number_type="landline"),
        ),
        spam_filters=(
            SpamFilter("free-money", 30007, regex=re.compile("(?i)free money")),
            SpamFilter("shorteners", url_shorteners=("bit.ly", "tinyurl.com")),
            SpamFilter("repeats", duplicate_count=3, window=60.0),
            SpamFilter("velocity", velocity_count=10, window=1.0),
        ),
        failures=(FailureRate(30003, 0.05), FailureRate(30008, 0.01)),
        latency=Latency(sent=Delay(0.5, 0.5), delivered=Delay(1.0, 3.0)),
        throughput=Throughput(mps=10.0, queue_size=1000),
        callbacks=CallbackFaults(0.1, 0.0, 30.0, 0.0, 5, 0.5, 5.0),
        whitelist=WhitelistRule(WhitelistPolicy.REJECT_WITHOUT_OPT_IN, 10.0, "No opt-in"),
        timeline=(
            TimelineStep(
                at=30.0,
                add_spam_filters=(SpamFilter("crypto", 30004, regex=re.compile("(?i)crypto")),),
                remove_spam_filters=("free-money",),
                failures=(),
                latency=Latency(sent=Delay(1.0, 1.0)),
                throughput=Throughput(mps=1.0),
                countries=("US",),
            ),
            TimelineStep(at=30.0, outage=Outage(20.0, OutageMode.ERROR, 503, 0.0)),
        ),
        traffic=({"from": "+14155550000", "to": "+14155550100", "text": "hi", "count": 2},),
        expect={"statuses": {"error": 1}},
    )
    assert scenario.countries == {"US", "CA", "GB", "NO"}


def test_a_minimal_scenario_takes_the_defaults_and_its_name_from_the_file(tmp_path: Path) -> None:
    scenario = load(write(tmp_path, "seed: 3\n", name="quiet_day.yaml"))

    assert scenario == Scenario(name="quiet_day", seed=3)
    assert scenario.accounts[0].sid == DEFAULT_ACCOUNT_SID
    assert scenario.countries == {"US", "CA", "GB", "AU"}


def test_loads_reads_text_and_reports_against_the_given_name() -> None:
    assert loads("seed: 1\n").name == "default"
    assert loads("seed: 1\n", "scenarios/busy.yaml").name == "busy"
    with pytest.raises(ScenarioError, match=r"^busy\.yaml:1:7: seed: "):
        loads("seed: x\n", "busy.yaml")


def test_a_step_may_replace_a_filter_and_remove_one_added_earlier() -> None:
    scenario = loads(
        textwrap.dedent(
            """
            spam_filters: [{name: words, regex: cash}]
            timeline:
              - {at: 5, remove_spam_filters: [words], add_spam_filters: [{name: words, regex: x}]}
              - {at: 9, add_spam_filters: [{name: late, regex: y}]}
              - {at: 9, remove_spam_filters: [late, words]}
            """
        )
    )
    assert [step.remove_spam_filters for step in scenario.timeline] == [
        ("words",),
        (),
        ("late", "words"),
    ]


# Each bad case: the exact line, the field path, and words from the message.
BAD_CASES = [
    pytest.param(
        """
        seed: 1
        time_scale: abc
        """,
        2,
        "time_scale",
        "expected a number, got 'abc'",
        id="wrong type",
    ),
    pytest.param(
        """
        seed: 1
        description: once
        seed: 2
        """,
        3,
        "seed",
        "duplicate key (first at line 1)",
        id="duplicate key",
    ),
    pytest.param(
        """
        spam_filters:
          - {name: a, regex: x}
        timeline:
          - at: 10
            remove_spam_filters: [a]
          - at: 20
            remove_spam_filters: [a]
        """,
        7,
        "timeline[1].remove_spam_filters[0]",
        "no spam filter 'a' is in force before this step (in force: none)",
        id="remove of a removed filter",
    ),
    pytest.param(
        """
        spam_filters:
          - {name: a, regex: x}
        timeline:
          - at: 10
            add_spam_filters: [{name: b, regex: y}]
          - at: 20
            remove_spam_filters:
              - b
              - crypto
        """,
        9,
        "timeline[1].remove_spam_filters[1]",
        "no spam filter 'crypto' is in force before this step (in force: a)",
        id="remove of an unknown filter",
    ),
    pytest.param(
        """
        timeline:
          - at: 30
            throughput: {mps: 1}
          - throughput: {mps: 5}
            at: 10
        """,
        5,
        "timeline[1].at",
        "steps must be in time order: 10 comes after 30",
        id="non-monotonic timeline",
    ),
    pytest.param(
        """
        spam_filters:
          - {name: same, regex: x}
        timeline:
          - at: 1
            add_spam_filters: [{name: same, regex: y}]
        """,
        5,
        "timeline[0].add_spam_filters[0]",
        "spam filter 'same' is already in force (since line 2)",
        id="timeline adds a filter already in force",
    ),
    pytest.param(
        """
        test_numbers: "true"
        """,
        1,
        "test_numbers",
        "expected true or false, got 'true'",
        id="quoted boolean",
    ),
    pytest.param(
        """
        seed: 1.5
        """,
        1,
        "seed",
        "expected a whole number, got 1.5",
        id="fractional seed",
    ),
    pytest.param(
        """
        time_scale: 0
        """,
        1,
        "time_scale",
        "must be above 0, got 0",
        id="zero time scale",
    ),
    pytest.param(
        """
        timeline:
          - at: -1
        """,
        2,
        "timeline[0].at",
        "must not be negative, got -1",
        id="negative step time",
    ),
    pytest.param(
        """
        seed: 1
        idempotency: dedupe
        """,
        2,
        "idempotency",
        "expected one of honour, ignore",
        id="idempotency not a mode",
    ),
    pytest.param(
        """
        seed: 1
        description: broken
        name: x: y
        """,
        3,
        "",
        "invalid YAML: mapping values are not allowed here",
        id="YAML syntax error",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_CASES)
def test_a_bad_scenario_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    names_file_line_and_field(tmp_path, text, line, field, message)


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "# nothing but a comment\n")
    assert (problem.line, problem.message) == (1, "the scenario is empty")


def test_an_empty_mapping_is_an_empty_scenario(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "# a comment\n{}\n")
    assert (problem.line, problem.field, problem.message) == (2, "", "the scenario is empty")


def test_the_document_must_be_a_mapping(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "- seed: 1\n")
    assert (problem.line, problem.field) == (1, "")
    assert problem.message == "expected a mapping, got a list"


def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        seed: many
        carriers: [{name: x, countries: [ZZ]}]
        failures: [{code: 30003, rate: 2}]
        callbacks: {attempts: 0, colour: red}
        expect: {a: 1, a: 2}
        """,
    )

    assert [(p.line, p.field) for p in found] == [
        (1, "seed"),
        (2, "carriers[0].countries[0]"),
        (3, "failures[0].rate"),
        (4, "callbacks.attempts"),
        (4, "callbacks.colour"),
        (5, "expect.a"),
    ]


def test_plain_data_refuses_values_yaml_cannot_build(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        traffic:
          - {when: 2024-13-45}
        expect: &loop {again: *loop}
        """,
    )

    assert [(p.line, p.field) for p in found] == [(2, "traffic[0].when"), (3, "expect.again")]


LIBRARY_FILES = sorted(LIBRARY.glob("*.yaml"))


def test_the_library_holds_the_named_scenarios() -> None:
    names = {path.stem for path in LIBRARY_FILES}
    assert {
        "landline",
        "unsupported_country",
        "spam_filter",
        "random_failures",
        "whitelist",
        "mixed",
    } <= names


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda path: path.name)
def test_every_library_scenario_loads(path: Path) -> None:
    scenario = load(path)
    assert scenario.name == path.stem
    assert path.read_text(encoding="utf-8").startswith("#"), "start with what it shows"
