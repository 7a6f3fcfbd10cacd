"""`sms-simulator diff`: identical runs exit 0; a run whose random failure rate changed exits
1 and names the figures that moved (two real runs of a small scenario, in-process)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.report.diff import Tolerance, compare
from tests.simulator.report.runs import document

LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def test_identical_documents_have_no_change_and_a_failing_check_is_a_regression() -> None:
    before = document()
    assert compare(before, before) == []
    after = copy.deepcopy(before)
    after["scenarios"][0]["checks"][0].update(actual="1", passed=False)
    after["scenarios"][0]["counts"]["error_reason"]["spam"] = 2
    changes = {c.figure: c for c in compare(before, after)}
    assert changes["check status[sent]"].regression
    assert changes["count.error_reason[spam]"].regression
    assert not compare(before, after, [Tolerance.parse("count.*=1")])[-1].regression


def test_latencies_are_shown_but_gate_only_when_a_tolerance_names_them() -> None:
    before = document()
    after = copy.deepcopy(before)
    after["timings"]["small <run>"]["latency"]["total"]["p90"] *= 3
    (change,) = compare(before, after)
    assert change.figure == "latency.total.p90" and not change.regression
    (gated,) = compare(before, after, [Tolerance.parse("latency.*=50%")])
    assert gated.regression and "past ±50%" in gated.why
    assert Tolerance.parse("2").allows(Decimal(10), Decimal(12))
    with pytest.raises(ValueError, match="tolerance"):
        Tolerance.parse("count.*=lots")


@pytest.mark.e2e  # three whole scenario runs, the simulator and the gateway together
def test_diff_of_two_runs_exits_0_when_alike_and_1_naming_what_moved_when_failures_rose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = LIBRARY / "random_failures.yaml"
    worse = tmp_path / "random_failures.yaml"
    text = scenario.read_text()
    assert "{code: 30003, rate: 0.03}" in text
    worse.write_text(text.replace("{code: 30003, rate: 0.03}", "{code: 30003, rate: 0.06}"))
    first, second, third = (tmp_path / f"{n}.json" for n in ("first", "second", "third"))
    assert main(["run", str(scenario), "--json", str(first)]) == 0
    assert main(["run", str(scenario), "--json", str(second)]) == 0
    assert main(["run", str(worse), "--json", str(third)]) == 1
    capsys.readouterr()

    assert main(["diff", str(first), str(second)]) == 0
    assert "WORSE" not in capsys.readouterr().out  # latencies may move: shown, not gated

    page = tmp_path / "diff.html"
    assert main(["diff", str(first), str(third), "--html", str(page)]) == 1
    out = capsys.readouterr().out
    for figure in (
        "verdict",
        "check error_code[30003]",
        "count.error_code[30003]",
        "count.outcome[failed]",
        "country[US].failed",
    ):
        assert any(
            line.split()[1:2] == figure.split()[:1] and figure in line and "WORSE" in line
            for line in out.splitlines()
        ), figure
    assert "WORSE" in page.read_text() and json.loads(first.read_text())["passed"]
