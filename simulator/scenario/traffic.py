"""The `traffic` section -> traffic steps (plan.py), reporting file:line:field like the loader.

Each step is a mapping with exactly one key, its kind: numbers, leads, send, schedule, cancel,
inbound or wait. Which names a step may refer to (leads, labels, tags) is checked afterwards,
across steps, in runbook.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from simulator.scenario import schema
from simulator.scenario.nodes import Reader, field_path, item_path
from simulator.scenario.plan import (
    CancelStep,
    InboundStep,
    LeadsStep,
    NumberOrder,
    NumbersStep,
    SendStep,
    TrafficStep,
    WaitStep,
    render,
)
from simulator.scenario.schema import Convert, read_fields
from telecom.numbers import InvalidNumber, parse_e164

__all__ = ["endpoint", "template", "traffic"]

RENTABLE = ("US", "CA", "GB", "AU")  # the gateway's default rental countries


def template(r: Reader, node: yaml.Node, path: str) -> str | None:
    """Text that may hold `{i}`: rendered once now, so a typo fails at load, not mid-run."""
    value = r.string(node, path)
    if value is None:
        return None
    try:
        render(value, 0)
    except (KeyError, IndexError, ValueError) as exc:
        r.report(node, path, f"bad template ({exc}): the only placeholder is {{i}}, "
                             "e.g. 'Lead {i}' or '+1416555{i:04d}'")
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
        schema.build(r, item, path if single else item_path(path, i), NumberOrder, _ORDER,
                     required=("country",))
        for i, item in enumerate(items)
    ]
    if not all(orders):
        return None
    return [NumbersStep(tuple(o for o in orders if o), path)]


_LEADS: dict[str, Convert] = {
    "name": template, "phone": _phone_template, "count": schema.count, "start": _start,
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
                step.phone, step.start + step.count - 1)
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
    "to": template, "text": template, "from": endpoint, "count": schema.count, "start": _start,
    "rate": schema.positive, "at": schema.non_negative,
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
    "from": _phone_template, "to": endpoint, "text": template, "count": schema.count,
    "start": _start, "at": schema.non_negative,
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
    "wait": _wait,
}


def traffic(r: Reader, node: yaml.Node, path: str) -> tuple[TrafficStep, ...] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    steps: list[TrafficStep] = []
    known = _Known()
    ok = True
    for i, item in enumerate(items):
        where = item_path(path, i)
        given = r.mapping(item, where, _KINDS)
        if given is None:
            ok = False
            continue
        if len(given) != 1:
            r.report(item, where, f"a step is exactly one of {', '.join(_KINDS)} "
                                  f"(got {', '.join(given) or 'none'})")
            ok = False
            continue
        [(kind, value)] = given.items()
        built = _KINDS[kind](r, value, field_path(where, kind))
        if built is None:
            ok = False
            continue
        for step in built:
            problem = known.add(step)
            if problem:
                r.report(value, step.path, problem)
                ok = False
        steps.extend(built)
    return tuple(steps) if ok else None


@dataclass
class _Known:
    """What earlier steps made: a step may only name numbers, leads and tags made before it,
    so a mistyped name fails at load instead of half-way through a run."""

    countries: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)

    def add(self, step: TrafficStep) -> str | None:
        if isinstance(step, NumbersStep):
            self.countries.update(o.country for o in step.orders)
            self.labels.update(o.label for o in step.orders if o.label)
        elif isinstance(step, LeadsStep):
            items = range(step.start, step.start + step.count)
            self.names.update(render(step.name, i) for i in items)
            self.phones.update(parse_e164(render(step.phone, i)) for i in items)
        elif isinstance(step, SendStep):
            if step.tag:
                self.tags.add(step.tag)
            return self._ours(step.from_, "from") or self._leads(step)
        elif isinstance(step, InboundStep):
            return self._ours(step.to, "to")
        elif isinstance(step, CancelStep) and step.tag not in self.tags:
            return f"no scheduled send is tagged {step.tag!r} before this step"
        return None

    def _ours(self, endpoint: str, key: str) -> str | None:
        if endpoint.startswith("+") or endpoint in self.labels or endpoint in self.countries:
            return None
        what = "no number was rented in" if endpoint in RENTABLE else "no rented number is labelled"
        return f"{key}: {what} {endpoint!r} before this step"

    def _leads(self, step: SendStep) -> str | None:
        for i in range(step.start, step.start + step.count):
            target = render(step.to, i)
            if target.startswith("+"):
                try:
                    missing = parse_e164(target) not in self.phones
                except InvalidNumber:
                    missing = True
            else:
                missing = target not in self.names
            if missing:
                return f"to: no lead {'has the phone' if target.startswith('+') else 'is named'}"\
                    f" {target!r} (message i={i}); create it in a leads step before this one"
        return None
