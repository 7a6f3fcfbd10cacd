"""YAML text -> Scenario, or a ScenarioError naming the file, line and field of every mistake.

The text is composed (not constructed) with PyYAML's SafeLoader, so each node keeps its line;
nodes.py reads the tree, sections.py builds each part, this module the top level and timeline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from simulator.scenario import schema, sections, timing
from simulator.scenario.carrier_model import Idempotency, Scenario, SpamFilter, TimelineStep
from simulator.scenario.nodes import Reader, field_path, item_path
from simulator.scenario.problems import Problem, ScenarioError
from simulator.scenario.schema import Convert, Fields, read_fields

__all__ = ["load", "loads"]


def load(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate one scenario file; its name defaults to the file's stem."""
    filename = os.fspath(path)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(filename, 1, 1, "", f"not UTF-8 text: {exc.reason}")]) from exc
    return loads(source, filename)


def loads(text: str, filename: str = "<string>") -> Scenario:
    """Validate scenario YAML given as text; `filename` is what problems are reported against."""
    root = _compose(text, filename)
    reader = Reader(filename)
    scenario = _scenario(reader, root, _default_name(filename))
    if reader.problems or scenario is None:
        raise ScenarioError(reader.problems)
    return scenario


def _default_name(filename: str) -> str:
    # "<string>" and friends are not file names: fall back to the model's default.
    return "default" if filename.startswith("<") else Path(filename).stem


def _compose(source: str, filename: str) -> yaml.Node:
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, filename)]) from exc
    except yaml.YAMLError as exc:  # the reader's errors (bad characters) carry no mark
        raise ScenarioError([Problem(filename, 1, 1, "", f"invalid YAML: {exc}")]) from exc
    if root is None:
        raise ScenarioError([Problem(filename, 1, 1, "", "the scenario is empty")])
    if isinstance(root, yaml.MappingNode) and not root.value:  # `{}` says no more than nothing
        mark = root.start_mark
        raise ScenarioError(
            [Problem(filename, mark.line + 1, mark.column + 1, "", "the scenario is empty")]
        )
    return root


def _syntax_problem(exc: yaml.MarkedYAMLError, filename: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"invalid YAML: {exc.problem}"
    if exc.context:
        context_line = f" at line {exc.context_mark.line + 1}" if exc.context_mark else ""
        message += f" ({exc.context}{context_line})"
    return Problem(filename, line, column, "", message)


# The top level


def _seed(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path)


def _description(r: Reader, node: yaml.Node, path: str) -> str | None:
    return r.string(node, path, allow_empty=True)


def _idempotency(r: Reader, node: yaml.Node, path: str) -> Idempotency | None:
    return r.choice(node, path, Idempotency)


def _traffic(r: Reader, node: yaml.Node, path: str) -> tuple[dict[str, Any], ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    entries = [r.plain_mapping(item, item_path(path, i)) for i, item in enumerate(items)]
    return (
        tuple(e for e in entries if e is not None) if all(e is not None for e in entries) else None
    )


def _expect(r: Reader, node: yaml.Node, path: str) -> dict[str, Any] | None:
    return r.plain_mapping(node, path)


def _top_filters(r: Reader, node: yaml.Node, path: str) -> tuple[SpamFilter, ...] | None:
    pairs = sections.spam_filters(r, node, path)
    return None if pairs is None else tuple(f for _, f in pairs)


_TOP: dict[str, Convert] = {
    "name": schema.text,
    "description": _description,
    "seed": _seed,
    "time_scale": schema.positive,
    "accounts": sections.accounts,
    "carriers": sections.carriers,
    "test_numbers": schema.flag,
    "landline_at_create": schema.flag,
    "idempotency": _idempotency,
    "handsets": sections.handsets,
    "spam_filters": _top_filters,
    "failures": sections.failures,
    "latency": timing.latency,
    "throughput": timing.throughput,
    "callbacks": timing.callbacks,
    "whitelist": timing.whitelist,
    "traffic": _traffic,
    "expect": _expect,
}
# The timeline is read last, once the filters it may remove are known.
_TOP_KEYS = (*_TOP, "timeline")


def _scenario(r: Reader, root: yaml.Node, default_name: str) -> Scenario | None:
    given = r.mapping(root, "", _TOP_KEYS)
    if given is None:
        return None
    values: dict[str, Any] = {"name": default_name}
    for key, node in given.items():
        if key != "timeline":
            values[key] = _TOP[key](r, node, key)
    if "timeline" in given:
        active = _active_filters(given.get("spam_filters"), values.get("spam_filters"))
        values["timeline"] = _timeline(r, given["timeline"], "timeline", active)
    if any(value is None for value in values.values()):
        return None
    return Scenario(**values)


def _active_filters(
    node: yaml.Node | None, filters: tuple[SpamFilter, ...] | None
) -> dict[str, yaml.Node] | None:
    """Filter names in force before the timeline, each with the node where it was defined
    (None when the filters themselves are wrong: then removals cannot be checked)."""
    if node is None:
        return {}
    if filters is None or not isinstance(node, yaml.SequenceNode):
        return None
    return {f.name: item for f, item in zip(filters, node.value, strict=True)}


# The timeline


def _names(r: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    names = [r.string(item, item_path(path, i)) for i, item in enumerate(items)]
    return tuple(n for n in names if n) if all(names) else None


def _served(r: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    # A step may stop serving every country: an empty list is a real change here.
    return sections.countries(r, node, path, non_empty=False)


_STEP: dict[str, Convert] = {
    "at": schema.non_negative,
    "add_spam_filters": sections.spam_filters,
    "remove_spam_filters": _names,
    "failures": sections.failures,
    "latency": timing.latency,
    "throughput": timing.throughput,
    "countries": _served,
    "outage": timing.outage,
}


def _timeline(
    r: Reader, node: yaml.Node, path: str, active: dict[str, yaml.Node] | None
) -> tuple[TimelineStep, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    steps: list[TimelineStep | None] = []
    previous: float | None = None
    for i, item in enumerate(items):
        step_path = item_path(path, i)
        fields = read_fields(r, item, step_path, _STEP, required=("at",))
        if fields is None:
            steps.append(None)
            active = None  # what this step adds or removes is unknown from here on
            continue
        # Order and filter names are checked even in a flawed step, from what did convert.
        at = fields.values.get("at")
        if at is not None:
            if previous is not None and at < previous:
                message = f"steps must be in time order: {at:g} comes after {previous:g}"
                r.report(fields.nodes["at"], field_path(step_path, "at"), message)
            previous = at
        if active is not None:
            active = _apply_filters(r, fields, step_path, active)
        steps.append(_step(fields) if fields.ok else None)
    return tuple(s for s in steps if s) if all(steps) else None


def _step(fields: Fields) -> TimelineStep:
    values = dict(fields.values)
    if "add_spam_filters" in values:  # (node, filter) pairs: the nodes were for _apply_filters
        values["add_spam_filters"] = tuple(f for _, f in values["add_spam_filters"])
    return TimelineStep(**values)


def _apply_filters(
    r: Reader, fields: Fields, step_path: str, active: dict[str, yaml.Node]
) -> dict[str, yaml.Node] | None:
    """Check a step's removals and additions against the filters in force and return those in
    force after it (None once unknown). Removals come first, as the engine applies them, so a
    step may replace a filter by removing and re-adding its name."""
    removed = fields.values.get("remove_spam_filters", ())
    added = fields.values.get("add_spam_filters", ())
    if removed is None or added is None:
        return None
    active = dict(active)
    remove_path = field_path(step_path, "remove_spam_filters")
    for i, name in enumerate(removed):
        if active.pop(name, None) is None:
            in_force = ", ".join(sorted(active)) or "none"
            message = (
                f"no spam filter {name!r} is in force before this step (in force: {in_force}); "
                "name one defined at the top level or added by an earlier step"
            )
            r.report(
                fields.nodes["remove_spam_filters"].value[i], item_path(remove_path, i), message
            )
    add_path = field_path(step_path, "add_spam_filters")
    for i, (item, spam_filter) in enumerate(added):
        if spam_filter.name in active:
            first = active[spam_filter.name].start_mark.line + 1
            message = f"spam filter {spam_filter.name!r} is already in force (since line {first})"
            r.report(item, item_path(add_path, i), message)
        active[spam_filter.name] = item
    return active
