"""Rendering: the table, the JSON and the JUnit XML, from results built by hand."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from simulator.runner.outcome import Check, ScenarioResult
from simulator.runner.report import to_json, to_junit, to_table

RESULT = ScenarioResult(
    "landline",
    "scenarios/landline.yaml",
    (
        Check("status[error]", "14", "14", True),
        Check("error_code[30006]", "14", "13", False),
        Check(
            "invariant.none_sent_twice",
            "one carrier message per activity",
            "1 not so",
            False,
            "invariant",
            ("activity acti_1: 2 carrier messages (SMa, SMb)",),
        ),
    ),
    messages=25,
    seconds=1.25,
)
BROKEN = ScenarioResult("broken", "broken.yaml", (), 0, "HTTP 500 renting a number")


def test_junit_has_one_testcase_per_check_and_failures_with_expected_and_actual() -> None:
    root = ET.fromstring(to_junit([RESULT, BROKEN]))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["landline", "broken"]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == [c.name for c in RESULT.checks]
    assert suites[0].get("tests") == "3" and suites[0].get("failures") == "2"
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "expected 14, got 13"
    assert cases[0].find("failure") is None
    assert "acti_1" in (cases[2].find("failure").text or "")  # type: ignore[union-attr]
    assert suites[1].find("testcase/error").get("message") == "HTTP 500 renting a number"  # type: ignore[union-attr]


def test_table_shows_each_check_and_the_failures_below() -> None:
    table = to_table(RESULT)
    assert table.splitlines()[0].startswith("FAIL landline (scenarios/landline.yaml): 1/3 checks")
    assert "FAIL: error_code[30006]: expected 14, got 13" in table
    assert "activity acti_1: 2 carrier messages" in table


def test_json_keeps_timings_apart() -> None:
    document = json.loads(to_json([RESULT]))
    assert document.pop("timings") == {"landline": {"seconds": 1.25}}
    assert document["passed"] is False
    assert "seconds" not in json.dumps(document)
    assert json.loads(to_json([RESULT], timings=False)) == document
