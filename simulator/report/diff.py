"""Two runs' JSON compared, for CI: verdicts, each check's actual value, counts per outcome,
status, reason, code, country and number, mismatches, cost and latency percentiles. Pure.

A change is a regression when a passing check (or scenario) now fails, a scenario is gone,
or a figure moved by more than its tolerance: exact unless told (`Tolerance`). Latencies are
shown but gate nothing unless a tolerance names them: they are read off a simulated clock
that follows real time, so a busy machine moves them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from simulator.report.assets import STYLE

__all__ = ["DEFAULT_TOLERANCES", "Change", "Tolerance", "compare", "to_html", "to_text"]


@dataclass(frozen=True, slots=True)
class Tolerance:
    """Figures whose name matches `pattern` (fnmatch) may move by `amount`, or by `percent`
    of the earlier value; by anything when `amount` is None (shown, never a regression)."""

    pattern: str
    amount: Decimal | None = Decimal(0)
    percent: bool = False

    @classmethod
    def parse(cls, text: str) -> Tolerance:
        """`PATTERN=VALUE` or `VALUE` (every figure); VALUE a number, or a percentage `N%`."""
        pattern, _, value = text.rpartition("=")
        percent = value.endswith("%")
        try:
            amount = Decimal(value.rstrip("%"))
        except InvalidOperation:
            raise ValueError(f"--tolerance {text!r}: not [PATTERN=]NUMBER[%]") from None
        if amount < 0:
            raise ValueError(f"--tolerance {text!r}: must not be negative")
        return cls(pattern or "*", amount, percent)

    def allows(self, before: Decimal, after: Decimal) -> bool:
        if self.amount is None:
            return True
        limit = abs(before) * self.amount / 100 if self.percent else self.amount
        return abs(after - before) <= limit

    def __str__(self) -> str:
        return f"±{self.amount}{'%' if self.percent else ''}"


DEFAULT_TOLERANCES = (Tolerance("*"), Tolerance("latency.*", None))


@dataclass(frozen=True, slots=True)
class Change:
    scenario: str
    figure: str
    before: str
    after: str
    regression: bool
    why: str = ""  # what makes it one, or the tolerance it stayed within


def _number(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _figures(scenario: Mapping[str, Any], timed: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every figure of one scenario by name, numbers as such."""
    counts = scenario.get("counts", {})
    for group in ("outcome", "status", "delivery_status", "error_reason", "error_code"):
        for key, n in counts.get(group, {}).items():
            yield f"count.{group}[{key}]", n
    yield "count.mismatches", counts.get("mismatches", 0)
    yield "messages", scenario.get("messages", 0)
    for group in ("country", "number"):
        for key, row in scenario.get("breakdowns", {}).get(group, {}).items():
            for field in ("messages", "delivered", "failed"):
                yield f"{group}[{key}].{field}", row[field]
    cost = scenario.get("cost", {})
    if cost:
        yield "cost", cost.get("cost", "0")
        yield "segments", cost.get("segments", 0)
        for row in cost.get("rows", []):
            yield f"cost[{row['country']} {row['direction']}]", row["cost"]
    for stage, figures in timed.get("latency", {}).items():
        for name in ("p50", "p90", "p99"):
            if name in figures:
                yield f"latency.{stage}.{name}", figures[name]


def _tolerance(figure: str, tolerances: Sequence[Tolerance]) -> Tolerance:
    """The last one that matches: the user's come after the defaults."""
    return next(t for t in reversed(tolerances) if fnmatch.fnmatchcase(figure, t.pattern))


def _scenario(
    name: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    timed: tuple[Mapping[str, Any], Mapping[str, Any]],
    tolerances: Sequence[Tolerance],
) -> list[Change]:
    changes = []
    if before["passed"] != after["passed"]:
        changes.append(
            Change(
                name,
                "verdict",
                _pass(before["passed"]),
                _pass(after["passed"]),
                before["passed"],
                "the scenario fails now" if before["passed"] else "",
            )
        )
    old = {c["name"]: c for c in before.get("checks", [])}
    new = {c["name"]: c for c in after.get("checks", [])}
    for check in sorted(old.keys() | new.keys()):
        was, now = old.get(check), new.get(check)
        shown = (
            f"{was['actual']} ({_pass(was['passed'])})" if was else "-",
            f"{now['actual']} ({_pass(now['passed'])})" if now else "-",
        )
        if shown[0] == shown[1]:
            continue
        worse = bool(was and was["passed"] and (now is None or not now["passed"]))
        changes.append(
            Change(
                name, f"check {check}", *shown, worse, "a passing check fails now" if worse else ""
            )
        )
    earlier, later = dict(_figures(before, timed[0])), dict(_figures(after, timed[1]))
    for figure in sorted(earlier.keys() | later.keys()):
        latency = figure.startswith("latency.")
        if latency and (figure not in earlier or figure not in later):
            continue  # no timings on one side: nothing to compare
        a, b = _number(earlier.get(figure, 0)), _number(later.get(figure, 0))
        if a is None or b is None or a == b:
            continue
        tolerance = _tolerance(figure, tolerances)
        within = tolerance.allows(a, b)
        changes.append(
            Change(
                name,
                figure,
                str(earlier.get(figure, 0)),
                str(later.get(figure, 0)),
                not within,
                f"moved {_signed(b - a)}"
                + (
                    ", not gated"
                    if tolerance.amount is None
                    else f", {'within' if within else 'past'} {tolerance}"
                ),
            )
        )
    return changes


def _pass(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _signed(value: Decimal) -> str:
    return f"+{value}" if value > 0 else str(value)


def compare(
    before: Mapping[str, Any], after: Mapping[str, Any], tolerances: Sequence[Tolerance] = ()
) -> list[Change]:
    """What changed from `before` to `after`, scenario by scenario (matched by name);
    `tolerances` come on top of the defaults."""
    tolerances = [*DEFAULT_TOLERANCES, *tolerances]
    old = {s["name"]: s for s in before.get("scenarios", [])}
    new = {s["name"]: s for s in after.get("scenarios", [])}
    timings = (before.get("timings", {}), after.get("timings", {}))
    changes = []
    for name in [*old, *(n for n in new if n not in old)]:
        if name not in new:
            changes.append(Change(name, "scenario", "run", "not run", True, "it is gone"))
        elif name not in old:
            changes.append(Change(name, "scenario", "not run", "run", False, "new"))
        else:
            changes += _scenario(
                name,
                old[name],
                new[name],
                (timings[0].get(name, {}), timings[1].get(name, {})),
                tolerances,
            )
    return changes


def to_text(changes: Sequence[Change]) -> str:
    if not changes:
        return "no change"
    rows = [("scenario", "figure", "before", "after", "", "")]
    rows += [
        (c.scenario, c.figure, c.before, c.after, "WORSE" if c.regression else "ok", c.why)
        for c in changes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[5]
        for row in rows
    ]
    worse = sum(1 for c in changes if c.regression)
    lines.append(f"\n{len(changes)} change(s), {worse} past tolerance or failing")
    return "\n".join(line.rstrip() for line in lines)


def to_html(changes: Sequence[Change], before: str, after: str) -> str:
    rows = "".join(
        f"<tr{' class=mismatch' if c.regression else ''}><td>{escape(c.scenario)}</td>"
        f"<td>{escape(c.figure)}</td><td>{escape(c.before)}</td><td>{escape(c.after)}</td>"
        f"<td>{'<span class=fail>WORSE</span>' if c.regression else 'ok'}</td>"
        f"<td>{escape(c.why)}</td></tr>"
        for c in changes
    )
    worse = sum(1 for c in changes if c.regression)
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>smslab run diff</title><style>{STYLE}</style></head><body><header>"
        f"<h1>{'<span class=fail>WORSE</span>' if worse else '<span class=pass>OK</span>'}"
        f" smslab run diff</h1><p class=muted>{escape(before)} → {escape(after)}: "
        f"{len(changes)} change(s), {worse} past tolerance or failing</p></header>"
        "<section><table><thead><tr><th>scenario</th><th>figure</th><th>before</th>"
        f"<th>after</th><th></th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        "</section></body></html>\n"
    )
