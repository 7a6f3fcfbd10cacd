"""The `traffic` section -> traffic steps (plan_model.py), with file:line:field as the loader gives.

Each step is a mapping with exactly one key, its kind: numbers, leads, send, schedule, cancel,
inbound, whitelist or wait. Which names a step may refer to (leads, labels, tags) is checked
across steps by read_plan.py, through the `check` given to `traffic`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from simulator.scenario import schema
from simulator.scenario.expect_values import one_of
from simulator.scenario.nodes import Reader, field_path, item_path
from simulator.scenario.plan_model import (
    CancelStep,
    InboundStep,
    LeadsStep,
    NumberOrder,
    NumbersStep,
    SendStep,
    TrafficStep,
    WaitStep,
    WhitelistStep,
    render,
)
from simulator.scenario.schema import Convert, read_fields
from telecom.numbers import InvalidNumber, parse_e164

__all__ = ["CONTENT_TYPES", "RENTABLE", "endpoint", "template", "traffic"]

RENTABLE = ("US", "CA", "GB", "AU")  # the gateway's default rental countries
# what a whitelist request may say its texts are (the gateway's and the carrier's list)
CONTENT_TYPES = (
    "download_link",
    "appointment_reminder",
    "marketing",
    "notification",
    "two_factor",
    "customer_care",
    "other",
)
MAX_EXAMPLES = 5


def template(r: Reader, node: yaml.Node, path: str) -> str | None:
    """Text that may hold `{i}`: rendered once now, so a typo fails at load, not mid-run."""
    value = r.string(node, path)
    if value is None:
        return None
    try:
        render(value, 0)
    except (KeyError, IndexError, ValueError) as exc:
        r.report(
            node,
            path,
            f"bad template ({exc}): the only placeholder is {{i}}, "
            "e.g. 'Lead {i}' or '+1416555{i:04d}'",
        )
        return None
    return value


def _phone_problem(value: str, i: int) -> str | None:
    try:
        parse_e164(render(value, i))
    except InvalidNumber as exc:
        return f"not a phone number in E.164 once rendered with i={i} ({exc})"
    return None


def _phone_template(r: Reader, node: yaml.Node, path: str) -> str | None:
    """A phone template; checked for the first i here when that is 0 (the default start),
    else by the step that knows its start."""
    value = template(r, node, path)
    if value is None:
        return None
    if "{" not in value and (problem := _phone_problem(value, 0)):
        r.report(node, path, problem)
        return None
    return value


def endpoint(r: Reader, node: yaml.Node, path: str) -> str | None:
    """One of our numbers: a rental country (its numbers in turn), a label, or an E.164 number."""
    value = r.word(node, path, "a country, a label or a phone number")
    if value is None:
        return None
    if value.startswith("+"):
        try:
            return parse_e164(value)
        except InvalidNumber as exc:
            r.report(node, path, f"not a phone number: {exc}")
            return None
    return value


def _country(r: Reader, node: yaml.Node, path: str) -> str | None:
    value = r.word(node, path, "a country code")
    if value is not None and value not in RENTABLE:
        r.report(node, path, f"numbers are rented in {', '.join(RENTABLE)}, got {value!r}")
        return None
    return value


def _start(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path, minimum=0)


_ORDER: dict[str, Convert] = {"country": _country, "count": schema.count, "label": schema.text}


def _numbers(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    items = [node] if isinstance(node, yaml.MappingNode) else r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    single = isinstance(node, yaml.MappingNode)
    orders = [
        schema.build(
            r,
            item,
            path if single else item_path(path, i),
            NumberOrder,
            _ORDER,
            required=("country",),
        )
        for i, item in enumerate(items)
    ]
    if not all(orders):
        return None
    return [NumbersStep(tuple(o for o in orders if o), path)]


_LEADS: dict[str, Convert] = {
    "name": template,
    "phone": _phone_template,
    "count": schema.count,
    "start": _start,
    "contact": template,
}


def _leads(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    items = [node] if isinstance(node, yaml.MappingNode) else r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    single = isinstance(node, yaml.MappingNode)
    steps = []
    for i, item in enumerate(items):
        where = path if single else item_path(path, i)
        fields = read_fields(r, item, where, _LEADS, required=("name", "phone"))
        step = LeadsStep(**fields.values, path=where) if fields and fields.ok else None
        if step is not None and fields is not None:
            problem = _phone_problem(step.phone, step.start) or _phone_problem(
                step.phone, step.start + step.count - 1
            )
            if problem:
                r.report(fields.nodes["phone"], field_path(where, "phone"), problem)
                step = None
        steps.append(step)
    return [s for s in steps if s] if all(steps) else None


def _rename(values: dict[str, Any]) -> dict[str, Any]:
    # `from` is a Python keyword: the dataclasses call it `from_`.
    if "from" in values:
        values["from_"] = values.pop("from")
    return values


_SEND: dict[str, Convert] = {
    "to": template,
    "text": template,
    "from": endpoint,
    "count": schema.count,
    "start": _start,
    "rate": schema.positive,
    "at": schema.non_negative,
}
_SCHEDULE: dict[str, Convert] = {**_SEND, "send_at": schema.non_negative, "tag": schema.text}


def _sender(schema_: dict[str, Convert], required: tuple[str, ...]) -> Callable[..., Any]:
    def convert(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
        fields = read_fields(r, node, path, schema_, required=required)
        if fields is None or not fields.ok:
            return None
        return [SendStep(**_rename(dict(fields.values)), path=path)]

    return convert


def _cancel(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    if isinstance(node, yaml.ScalarNode):  # `cancel: reminders` cancels every one so tagged
        tag = r.string(node, path)
        return None if tag is None else [CancelStep(tag, path=path)]
    schema_ = {"tag": schema.text, "count": schema.count, "at": schema.non_negative}
    fields = read_fields(r, node, path, schema_, required=("tag",))
    return [CancelStep(**fields.values, path=path)] if fields and fields.ok else None


_INBOUND: dict[str, Convert] = {
    "from": _phone_template,
    "to": endpoint,
    "text": template,
    "count": schema.count,
    "start": _start,
    "at": schema.non_negative,
}


def _inbound(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    fields = read_fields(r, node, path, _INBOUND, required=("from", "to", "text"))
    if fields is None or not fields.ok:
        return None
    step = InboundStep(**_rename(dict(fields.values)), path=path)
    problem = _phone_problem(step.from_, step.start)
    if problem:
        r.report(fields.nodes["from"], field_path(path, "from"), problem)
        return None
    return [step]


def _examples(r: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    items = r.sequence(node, path, non_empty=True)
    if items is None:
        return None
    if len(items) > MAX_EXAMPLES:
        r.report(node, path, f"give 1 to {MAX_EXAMPLES} examples, got {len(items)}")
        return None
    texts = [r.string(item, item_path(path, i)) for i, item in enumerate(items)]
    return tuple(t for t in texts if t is not None) if None not in texts else None


_WHITELIST: dict[str, Convert] = {
    "number": endpoint,
    "website": schema.text,
    "content_type": lambda r, n, p: one_of(r, n, p, "content_type", CONTENT_TYPES),
    "examples": _examples,
    "opted_in": schema.flag,
    "relationship": schema.text,
    "at": schema.non_negative,
}


def _whitelist(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    fields = read_fields(
        r,
        node,
        path,
        _WHITELIST,
        required=("number", "website", "content_type", "examples", "opted_in", "relationship"),
    )
    return [WhitelistStep(**fields.values, path=path)] if fields and fields.ok else None


def _wait(r: Reader, node: yaml.Node, path: str) -> list[TrafficStep] | None:
    seconds = r.number(node, path, minimum=0)
    return None if seconds is None else [WaitStep(seconds, path)]


_KINDS: dict[str, Callable[[Reader, yaml.Node, str], list[TrafficStep] | None]] = {
    "numbers": _numbers,
    "leads": _leads,
    "send": _sender(_SEND, ("to", "text", "from")),
    "schedule": _sender(_SCHEDULE, ("to", "text", "from", "send_at")),
    "cancel": _cancel,
    "inbound": _inbound,
    "whitelist": _whitelist,
    "wait": _wait,
}

# What a step may not name, given the steps before it (None: nothing wrong); see read_plan.py.
Check = Callable[[TrafficStep], str | None]


def traffic(
    r: Reader, node: yaml.Node, path: str, check: Check = lambda _step: None
) -> tuple[TrafficStep, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    steps: list[TrafficStep] = []
    ok = True
    for i, item in enumerate(items):
        where = item_path(path, i)
        given = r.mapping(item, where, _KINDS)
        if given is None:
            ok = False
            continue
        if len(given) != 1:
            r.report(
                item,
                where,
                f"a step is exactly one of {', '.join(_KINDS)} (got {', '.join(given) or 'none'})",
            )
            ok = False
            continue
        [(kind, value)] = given.items()
        built = _KINDS[kind](r, value, field_path(where, kind))
        if built is None:
            ok = False
            continue
        for step in built:
            problem = check(step)
            if problem:
                r.report(value, step.path, problem)
                ok = False
        steps.extend(built)
    return tuple(steps) if ok else None
