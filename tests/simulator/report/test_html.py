"""The JSON -> HTML renderer on a small run built by hand: pure, no servers."""

from __future__ import annotations

import re
import time

from simulator.report import render
from tests.simulator.report.runs import document


def test_the_json_holds_fates_counts_breakdowns_events_and_the_timed_part_apart() -> None:
    doc = document()
    scenario = doc["scenarios"][0]
    assert [m["matches"] for m in scenario["fates"]] == [True, True, False]
    assert scenario["counts"]["mismatches"] == 1
    assert scenario["counts"]["error_reason"] == {"spam": 1}
    assert scenario["breakdowns"]["country"] == {"US": {"messages": 3, "delivered": 2, "failed": 1}}
    assert scenario["cost"]["cost"] == "0.0237"
    assert [e["kind"] for e in scenario["events"]] == ["spam_filter_added", "outage"]
    assert scenario["events"][1]["until"] == 50
    timed = doc["timings"]["small <run>"]
    assert timed["series"]["failed_by_reason"]["spam"][28 // timed["series"]["step"]] == 1
    assert timed["latency"]["total"]["n"] == 3 and timed["latency"]["total"]["max"] == 3.0
    assert "acti_" not in str({k: v for k, v in doc.items() if k != "timings"})


def test_the_page_has_every_section_charts_markers_and_marks_the_mismatch() -> None:
    page = render(document())
    for title in (
        "Timeline",
        "By country",
        "By number",
        "By reason",
        "By code",
        "Latency",
        "Cost and segments",
        "Checks and invariants",
        "Messages",
    ):
        assert f"{title}</h3>" in page, title
    assert page.count('class="event-marker"') == 2 and 'class="event-band"' in page
    charts = re.findall(r'<svg class="chart[^"]*"[^>]*>(.*?)</svg>', page)
    assert len(charts) >= 5 and all("<rect" in c or "<polyline" in c for c in charts)
    rows = re.findall(r"<tr class=mismatch[^>]*>.*?</tr>", page)
    assert len(rows) == 1 and "random:30003" in rows[0] and "✗ mismatch" in rows[0]
    # the failed check first, the passing one after it
    assert page.index("invariant.fate_matches_oracle") < page.index("status[sent]</td>")


def test_the_cost_column_names_its_unit() -> None:
    page = render(document())
    costs = page[page.index("Cost and segments</h3>") :]
    assert "<th class=n>cost (US cents)</th>" in costs[: costs.index("</thead>")]


def test_the_page_escapes_what_it_shows_and_fetches_nothing() -> None:
    page = render(document())
    assert "Hello &lt;b&gt;1&lt;/b&gt;" in page and "small &lt;run&gt;" in page
    assert "<b>1</b>" not in page
    assert not re.search(r'(src|href)="(?!#|data:,")', page)  # nothing to fetch, no link out
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_a_json_without_timings_renders_without_the_timed_charts() -> None:
    doc = document()
    del doc["timings"]
    page = render(doc)
    assert "no timings in this JSON" in page and "Messages</h3>" in page
    assert render(doc) == page  # a pure function


def test_a_run_of_5000_messages_renders_in_well_under_2_seconds_and_5_mb() -> None:
    doc = document()
    scenario = doc["scenarios"][0]
    fates = scenario["fates"]
    scenario["fates"] = [
        dict(
            fates[k % 3],
            label=f"traffic[{k % 7}].send (i={k}) to Lead {k}",
            text=f"Your order {k} has shipped, see you soon",
        )
        for k in range(5200)
    ]
    started = time.perf_counter()
    page = render(doc)
    seconds = time.perf_counter() - started
    # mixed.yaml's real report (5,170 messages): 0.1 s and 1.8 MB (README)
    assert seconds < 2.0 and len(page.encode()) < 5_000_000, (seconds, len(page))
