"""Every library scenario end to end (simulator and gateway in-process), a changed expectation
failing the run, reproducible JSON, and JUnit XML with one testcase per check."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.runner.local_lab import in_process
from simulator.runner.report import to_json, to_table
from simulator.runner.run import Target, run_plan
from simulator.scenario import Scenario
from simulator.scenario.read_plan import load_plan
from tests.databases import database_for

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"
QUICK = sorted(p for p in LIBRARY.glob("*.yaml") if p.stem != "mixed")

# whole scenario runs, the simulator and the gateway together (in process, on the store
# SMSLAB_TEST_DB names: make test-postgres runs them too)
pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def quiet(_line: str) -> None:
    """Progress lines are for people watching a long run."""


@pytest.mark.parametrize("path", QUICK, ids=[p.stem for p in QUICK])
async def test_library_scenario_passes(path: Path, tmp_path: Path) -> None:
    # the gateway's store follows SMSLAB_TEST_DB (tests/databases.py), as in tests/gateway
    result = await run_plan(load_plan(path), progress=quiet, database=database_for(tmp_path))
    assert result.passed, to_table(result)
    assert len(result.checks) > 5  # expectations, not just the invariants


@pytest.mark.slow
async def test_mixed_scenario_passes_with_5000_messages_in_four_countries(tmp_path: Path) -> None:
    plan = load_plan(LIBRARY / "mixed.yaml")
    result = await run_plan(plan, progress=quiet, database=database_for(tmp_path))
    assert result.passed, to_table(result)
    assert result.messages >= 5000
    queries = {c.name.split("]")[0] + "]" for c in result.checks if c.name.startswith("search")}
    assert queries == {
        "search[failed_sms > 1]",
        "search[has:error_sms_messages]",
        "search[sms(created:today direction:outgoing status:error)]",
        "search[latest_sms_status:error]",
    }


@pytest.mark.parametrize("name", ["unsupported_country", "whitelist"])
async def test_two_runs_of_one_scenario_give_identical_json(name: str, tmp_path: Path) -> None:
    plan = load_plan(LIBRARY / f"{name}.yaml")
    first = await run_plan(plan, progress=quiet, database=database_for(tmp_path, "first"))
    second = await run_plan(plan, progress=quiet, database=database_for(tmp_path, "second"))
    assert first.passed and second.passed
    assert to_json([first], timings=False) == to_json([second], timings=False)


async def test_servers_already_running_get_the_scenario_loaded_and_are_driven(
    tmp_path: Path,
) -> None:
    async with in_process(Scenario(name="placeholder"), database_for(tmp_path)) as ends:
        target = Target(ends.gateway_url, ends.simulator_url, ends.api_key)
        result = await run_plan(load_plan(LIBRARY / "landline.yaml"), target, progress=quiet)
    assert result.passed, to_table(result)


def test_a_changed_expectation_fails_the_run_with_expected_and_actual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (LIBRARY / "landline.yaml").read_text()
    assert "error_code: {30006: 14}" in text
    changed = tmp_path / "landline.yaml"
    changed.write_text(text.replace("error_code: {30006: 14}", "error_code: {30006: 13}"))
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"

    code = main(["run", str(changed), "--junit", str(junit), "--json", str(report)])

    assert code == 1
    out = capsys.readouterr().out
    assert "FAIL: error_code[30006]: expected 13, got 14" in out
    assert "0/1 scenarios pass" in out
    document = json.loads(report.read_text())
    checks = document["scenarios"][0]["checks"]
    assert [c["name"] for c in checks if not c["passed"]] == ["error_code[30006]"]
    cases = ET.parse(junit).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [c["name"] for c in checks]
    assert any(c["name"].startswith("invariant.") for c in checks)
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["error_code[30006]"]
    assert failed[0].find("failure").get("message") == "expected 13, got 14"  # type: ignore[union-attr]


def test_changed_whitelist_and_usage_expectations_fail_with_expected_and_actual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (LIBRARY / "whitelist.yaml").read_text()
    changes = [
        ("promo: {status: approved", "promo: {status: rejected"),
        (
            "outbound: {messages: 35, segments: 40, cost: 33.2}",
            "outbound: {messages: 35, segments: 40, cost: {max: 33.1}}",
        ),
    ]
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    changed = tmp_path / "whitelist.yaml"
    changed.write_text(text)

    assert main(["run", str(changed)]) == 1

    failures = [
        line.strip()
        for line in capsys.readouterr().out.splitlines()
        if line.strip().startswith("FAIL:")
    ]
    assert failures == [
        "FAIL: whitelist[promo].status: expected rejected, got approved",
        "FAIL: usage.outbound.cost: expected 0..33.1, got 33.2",
    ]


def test_a_folder_runs_every_scenario_in_it_and_passes(tmp_path: Path) -> None:
    for name in ("whitelist.yaml", "spam_filter.yaml"):
        (tmp_path / name).write_text((LIBRARY / name).read_text())
    report = tmp_path / "report.json"
    assert main(["run", str(tmp_path), "--json", str(report)]) == 0
    names = [s["name"] for s in json.loads(report.read_text())["scenarios"]]
    assert names == ["spam_filter", "whitelist"]


def test_a_bad_scenario_is_reported_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("traffic:\n  - send: {to: nobody, text: hi}\n")
    assert main(["run", str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{bad}:2:11: traffic[0].send.from: missing required key" in captured.err
    assert "FAIL bad" in captured.out
