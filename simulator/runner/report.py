"""Results as a readable table, as JSON and as JUnit XML: pure renderers.

The JSON of a result is reproducible: the same scenario gives the same document, byte for
byte, on every run. What is read off a clock lives only under `timings`, which comparisons
leave out: wall seconds, and the simulated times of each message, the time series and the
latencies (simulated time follows real time, so they move a little from run to run).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from simulator.runner.outcome import Check, ScenarioResult

__all__ = ["to_json", "to_junit", "to_table", "to_text"]

_WIDTH = 48  # widest expected/actual cell before it is cut


def _cell(text: str) -> str:
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def to_table(result: ScenarioResult) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    failed = sum(1 for c in result.checks if not c.passed)
    head = (
        f"{verdict} {result.name} ({result.file}): {len(result.checks) - failed}/"
        f"{len(result.checks)} checks pass, {result.messages} outbound SMS, "
        f"{result.seconds:.1f} s"
    )
    if result.error:
        return f"{head}\n  the run failed: {result.error}"
    rows = [("check", "expected", "actual", "")]
    rows += [
        (c.name, _cell(c.expected), _cell(c.actual), "ok" if c.passed else "FAIL")
        for c in result.checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [head]
    for row in rows:
        lines.append(
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    for check in result.checks:
        if not check.passed:
            lines.append(f"  {check.line()}")
            lines.extend(f"      {detail}" for detail in check.details)
    return "\n".join(line.rstrip() for line in lines)


def to_text(results: Sequence[ScenarioResult]) -> str:
    passed = sum(1 for r in results if r.passed)
    tables = "\n\n".join(to_table(r) for r in results)
    return f"{tables}\n\n{passed}/{len(results)} scenarios pass"


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "name": check.name,
        "kind": check.kind,
        "expected": check.expected,
        "actual": check.actual,
        "passed": check.passed,
        "details": list(check.details),
    }


def to_json(results: Sequence[ScenarioResult], timings: bool = True) -> str:
    document: dict[str, Any] = {
        "passed": all(r.passed for r in results),
        "scenarios": [
            {
                "name": r.name,
                "file": r.file,
                "passed": r.passed,
                "messages": r.messages,
                "error": r.error,
                "checks": [_check_json(c) for c in r.checks],
                **r.figures,
            }
            for r in results
        ],
    }
    if timings:
        document["timings"] = {r.name: {"seconds": round(r.seconds, 3), **r.timed} for r in results}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def to_junit(results: Sequence[ScenarioResult]) -> str:
    """One testsuite per scenario, one testcase per check (a setup failure: one `run` case)."""
    suites = ET.Element("testsuites", name="smslab scenarios")
    for result in results:
        checks = list(result.checks)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=result.name,
            file=result.file,
            tests=str(len(checks) or 1),
            failures=str(sum(1 for c in checks if not c.passed)),
            errors="1" if result.error else "0",
            time=f"{result.seconds:.3f}",
        )
        if result.error:
            case = ET.SubElement(suite, "testcase", classname=result.name, name="run")
            ET.SubElement(case, "error", message=result.error)
        for check in checks:
            case = ET.SubElement(
                suite, "testcase", classname=f"{result.name}.{check.kind}", name=check.name
            )
            if not check.passed:
                failure = ET.SubElement(
                    case, "failure", message=f"expected {check.expected}, got {check.actual}"
                )
                failure.text = "\n".join(check.details) or None
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
