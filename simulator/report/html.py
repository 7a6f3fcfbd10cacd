"""The deliverability report: one self-contained HTML page rendered from a run's JSON (as
`simulator.runner.report.to_json` writes it). Pure: the same JSON gives the same page, and
the page fetches nothing (style, script and charts are inline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from simulator.report import svg
from simulator.report.assets import SCRIPT, STYLE

__all__ = ["render"]

_STAGES = (
    ("to_carrier", "accepted → carrier accepted"),
    ("carrier_to_final", "carrier accepted → final"),
    ("total", "accepted → final"),
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _verdict(passed: bool) -> str:
    return '<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>'


def _anchor(name: str) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in name)


def _table(
    head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = (), attrs: str = ""
) -> str:
    right = set(numeric)
    cells = "".join(f"<th{' class=n' if i in right else ''}>{h}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in right else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table{attrs}><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _index(scenarios: Sequence[Mapping[str, Any]], timings: Mapping[str, Any]) -> str:
    rows = []
    for s in scenarios:
        checks = s.get("checks", [])
        failed = sum(1 for c in checks if not c["passed"])
        counts = s.get("counts", {}).get("outcome", {})
        timed = timings.get(s["name"], {})
        rows.append(
            [
                f'<a href="#{_anchor(s["name"])}">{_e(s["name"])}</a>',
                _verdict(s["passed"]),
                str(len(checks) - failed),
                str(failed),
                str(s.get("messages", 0)),
                str(counts.get("delivered", 0)),
                str(counts.get("failed", 0)),
                str(s.get("counts", {}).get("mismatches", 0)),
                svg.duration(timed["simulated_seconds"]) if "simulated_seconds" in timed else "-",
                f"{timed['seconds']:.1f} s" if "seconds" in timed else "-",
            ]
        )
    return _table(
        [
            "scenario",
            "verdict",
            "checks passed",
            "failed",
            "messages",
            "delivered",
            "failed",
            "mismatches",
            "simulated",
            "wall",
        ],
        rows,
        range(2, 10),
    )


def _legend(reasons: Iterable[str], outage: bool) -> str:
    items = [(svg.DELIVERED, "delivered"), *((svg.colour(r), f"failed: {r}") for r in reasons)]
    swatches = "".join(f'<span><i style="background:{c}"></i>{_e(n)}</span>' for c, n in items)
    lines = (
        f'<span><i style="background:{svg.ACCEPTED};height:3px"></i>accepted</span>'
        f'<span><i style="background:{svg.SENT};height:3px"></i>sent on by the carrier'
        "</span>" + ('<span><i style="background:#ffcdd2"></i>outage</span>' if outage else "")
    )
    return f'<div class="legend">{swatches}{lines}</div>'


def _timeline(s: Mapping[str, Any], timed: Mapping[str, Any]) -> str:
    events = s.get("events", [])
    listed = "".join(
        f"<li>t={svg.duration(float(e['at']))}"
        f"{' to ' + svg.duration(float(e['until'])) if e.get('until') else ''}: "
        f"{_e(e['label'])}</li>"
        for e in events
    )
    listed = f"<ul>{listed}</ul>" if listed else '<p class="muted">no timeline events</p>'
    series = timed.get("series")
    if not series:
        return f'<h3>Timeline</h3><p class="muted">no timings in this JSON</p>{listed}'
    per = svg.duration(float(series["step"]))
    legend = _legend(series["failed_by_reason"], any(e.get("until") for e in events))
    return (
        f"<h3>Timeline</h3><p class=muted>messages per {per} of simulated time: outcomes "
        f"when final, stacked by failure reason</p>"
        f"{svg.timeline(series, events)}{legend}{listed}"
    )


def _breakdown(title: str, rows: Mapping[str, Mapping[str, int]], failures: bool) -> str:
    total = sum(r["messages"] for r in rows.values())
    ordered = sorted(rows.items(), key=lambda item: (-item[1]["messages"], item[0]))
    if failures:
        body = [
            [
                _e(k),
                str(r["messages"]),
                _share(r["messages"], total),
                svg.share_bar(0, r["messages"], total),
            ]
            for k, r in ordered
        ]
        head = [title, "failed", "share", ""]
    else:
        body = [
            [
                _e(k),
                str(r["messages"]),
                _share(r["messages"], total),
                str(r["delivered"]),
                str(r["failed"]),
                _share(r["failed"], r["messages"]),
                svg.share_bar(r["delivered"], r["failed"], r["messages"]),
            ]
            for k, r in ordered
        ]
        head = [title, "messages", "share", "delivered", "failed", "failed %", ""]
    table = _table(head, body, range(1, 6)) if body else '<p class="muted">none</p>'
    return f"<div><h3>By {title}</h3>{table}</div>"


def _latency(timed: Mapping[str, Any]) -> str:
    stages = timed.get("latency")
    if not stages:
        return '<h3>Latency</h3><p class="muted">no timings in this JSON</p>'
    blocks = []
    for key, title in _STAGES:
        d = stages.get(key, {"n": 0})
        figures = (
            f"n={d['n']}, p50 {svg.duration(d['p50'])}, p90 {svg.duration(d['p90'])}, "
            f"p99 {svg.duration(d['p99'])}, max {svg.duration(d['max'])}"
            if d["n"]
            else "no messages"
        )
        blocks.append(
            f"<div><b>{_e(title)}</b><br><span class=muted>{figures}</span>{svg.histogram(d)}</div>"
        )
    return (
        "<h3>Latency</h3><p class=muted>simulated seconds; p50, p90 and p99 marked</p>"
        f'<div class="grid">{"".join(blocks)}</div>'
    )


def _cost(cost: Mapping[str, Any]) -> str:
    rows = [
        [
            _e(r["country"]),
            _e(r["direction"]),
            str(r["messages"]),
            str(r["segments"]),
            _e(r["cost"]),
        ]
        for r in cost.get("rows", [])
    ]
    rows.append(
        [
            "<b>total</b>",
            "",
            str(cost.get("messages", 0)),
            str(cost.get("segments", 0)),
            f"<b>{_e(cost.get('cost', 0))}</b>",
        ]
    )
    return "<h3>Cost and segments</h3>" + _table(  # the gateway's unit, as its API says
        ["country", "direction", "messages", "segments", "cost (US cents)"], rows, (2, 3, 4)
    )


def _checks(checks: Sequence[Mapping[str, Any]]) -> str:
    ordered = sorted(checks, key=lambda c: c["passed"])  # failures first, else as judged
    body = []
    for c in ordered:
        details = "".join(f"<li>{_e(d)}</li>" for d in c.get("details", []))
        more = (
            f"<details><summary>{len(c['details'])} example(s)</summary><ul>{details}</ul>"
            "</details>"
            if details
            else ""
        )
        css = "" if c["passed"] else ' class="failed-check"'
        body.append(
            f"<tr{css}><td>{_e(c['name'])}</td><td>{_e(c['kind'])}</td>"
            f"<td>{_e(c['expected'])}</td><td>{_e(c['actual'])}{more}</td>"
            f"<td>{_verdict(c['passed'])}</td></tr>"
        )
    return (
        "<h3>Checks and invariants</h3><table><thead><tr><th>check</th><th>kind</th>"
        "<th>expected</th><th>actual</th><th></th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def _options(name: str, title: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in sorted(set(values)))
    return (
        f'<label>{title} <select name="{name}"><option value="">all</option>{options}'
        "</select></label>"
    )


def _messages(s: Mapping[str, Any], table_id: str) -> str:
    messages = s.get("fates") or []
    if not messages:
        return '<h3>Messages</h3><p class="muted">no outbound messages</p>'
    rows = []
    for m in messages:
        reason = m.get("error_reason") or ""
        mismatch = m.get("matches") is False
        gateway = " / ".join(
            _e(v)
            for v in (m["status"], m.get("delivery_status"), m.get("error_code"))
            if v is not None
        )
        intended = " / ".join(
            _e(v) for v in (m.get("intended_status"), m.get("intended_error_code")) if v is not None
        )
        mark = "✗ mismatch" if mismatch else ("✓" if m.get("matches") else "")
        rows.append(
            f'<tr{" class=mismatch" if mismatch else ""} data-outcome="{_e(m["outcome"])}" '
            f'data-reason="{_e(reason)}" data-number="{_e(m.get("from"))}">'
            f"<td>{_e(m['label'])}</td><td class=mono>{_e(m.get('from'))}</td>"
            f"<td>{_e(m.get('country'))}</td><td>{_e(m.get('text'))}</td>"
            f"<td>{_e(m['outcome'])}</td><td>{gateway}</td><td>{_e(reason)}</td>"
            f"<td>{intended}</td><td>{_e(m.get('cause'))}</td><td>{mark}</td></tr>"
        )
    filters = (
        f'<div class="filters" data-table="{table_id}">'
        + _options("outcome", "status", (m["outcome"] for m in messages))
        + _options("reason", "reason", (m.get("error_reason") or "" for m in messages))
        + _options("number", "number", (m.get("from") or "" for m in messages))
        + '<label>text <input type="search" placeholder="text, lead, phone"></label>'
        + '<label><input type="checkbox"> mismatches only</label>'
        + '<span class="shown muted"></span></div>'
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "message",
            "from",
            "country",
            "text",
            "outcome",
            "gateway status / delivery / code",
            "reason",
            "carrier intended",
            "cause",
            "",
        )
    )
    return (
        f'<h3>Messages</h3>{filters}<div class=scroll><table id="{table_id}"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _scenario(k: int, s: Mapping[str, Any], timed: Mapping[str, Any]) -> str:
    head = (
        f'<section class="scenario" id="{_anchor(s["name"])}"><h2>{_verdict(s["passed"])} '
        f'{_e(s["name"])}</h2><p class="muted">{_e(s.get("description"))} — '
        f"{_e(s['file'])}, seed {_e(s.get('seed'))}, time scale {_e(s.get('time_scale'))}"
        "</p>"
    )
    if s.get("error"):
        return (
            f'{head}<p class="fail">the run failed: {_e(s["error"])}</p>'
            f"{_checks(s.get('checks', []))}</section>"
        )
    breakdowns = s.get("breakdowns", {})
    parts = [
        head,
        _timeline(s, timed),
        '<div class="grid wide">',
        _breakdown("country", breakdowns.get("country", {}), False),
        _breakdown("number", breakdowns.get("number", {}), False),
        _breakdown("reason", breakdowns.get("reason", {}), True),
        _breakdown("code", breakdowns.get("code", {}), True),
        "</div>",
        _latency(timed),
        _cost(s.get("cost", {})),
        _checks(s.get("checks", [])),
        _messages(s, f"messages-{k}"),
        "</section>",
    ]
    return "".join(parts)


def render(document: Mapping[str, Any]) -> str:
    scenarios: Sequence[Mapping[str, Any]] = document.get("scenarios", [])
    timings: Mapping[str, Any] = document.get("timings", {})
    passed = sum(1 for s in scenarios if s["passed"])
    body = "".join(_scenario(k, s, timings.get(s["name"], {})) for k, s in enumerate(scenarios))
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # or a browser asks the disk for favicon.ico
        "<title>smslab deliverability report</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<header><h1>{_verdict(bool(document.get('passed')))} smslab deliverability report</h1>"
        f'<p class="muted">{passed} of {len(scenarios)} scenarios pass</p></header>'
        f"<section><h2>Scenarios</h2>{_index(scenarios, timings)}</section>{body}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
