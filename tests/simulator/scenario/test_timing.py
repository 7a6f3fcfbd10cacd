"""The scenario's timing settings (simulator/scenario/timing.py): latency, the whitelist
policy and outages, each problem with its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator.scenario.scenario_files import names_file_line_and_field

# Each bad case: the exact line, the field path, and words from the message.
BAD_CASES = [
    pytest.param(
        """
        seed: 1
        latency:
          sent: 1
          delvered: 2
        """,
        4,
        "latency.delvered",
        "unknown key 'delvered' (allowed: sent, delivered); did you mean 'delivered'?",
        id="unknown key",
    ),
    pytest.param(
        """
        latency:
          sent: 0.5
          delivered:
            min: -1
            max: 2
        """,
        4,
        "latency.delivered.min",
        "must not be negative, got -1",
        id="negative latency",
    ),
    pytest.param(
        """
        timeline:
          - at: 3
            outage:
              duration: -20
        """,
        4,
        "timeline[0].outage.duration",
        "must be above 0, got -20",
        id="negative outage",
    ),
    pytest.param(
        """
        whitelist:
          policy: always
        """,
        2,
        "whitelist.policy",
        "expected one of approve, reject, reject_without_opt_in, manual, got 'always'",
        id="unknown whitelist policy",
    ),
    pytest.param(
        """
        timeline:
          - {at: 1, outage: {duration: 5, mode: down}}
        """,
        2,
        "timeline[0].outage.mode",
        "expected one of error, timeout, reset, slow, error_after_create, got 'down'",
        id="unknown outage mode",
    ),
    pytest.param(
        """
        latency:
          delivered: {min: 3, max: 1}
        """,
        2,
        "latency.delivered",
        "min 3 is above max 1",
        id="min above max",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_CASES)
def test_a_bad_scenario_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    names_file_line_and_field(tmp_path, text, line, field, message)
