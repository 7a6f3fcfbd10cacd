"""Progress: one line rewritten in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from simulator.runner.progress import Progress


def test_plain_lines_name_the_scenario_k_of_n_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out, 3)
    assert not progress.tty and progress.every >= 1
    progress.scenario(2, "mixed", "scenarios/mixed.yaml")
    progress("mixed: simulated t=60s, 10/20 SMS final")
    progress.done()
    assert out.getvalue() == (
        "[2/3] running mixed (scenarios/mixed.yaml)\n"
        "[2/3] mixed: simulated t=60s, 10/20 SMS final\n"
    )


def test_a_terminal_gets_one_line_rewritten_and_cleared_at_the_end() -> None:
    out = io.StringIO()
    progress = Progress(out, 1, tty=True)
    assert progress.every < 1
    progress.scenario(1, "landline", "landline.yaml")
    progress("landline: 1/5 SMS final")
    progress("landline: 5/5 SMS final")
    progress.done()
    assert out.getvalue() == (
        "\r\033[K[1/1] running landline (landline.yaml)\n"
        "\r\033[K[1/1] landline: 1/5 SMS final"
        "\r\033[K[1/1] landline: 5/5 SMS final\r\033[K"
    )
