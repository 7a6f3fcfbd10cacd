"""Typed reading of a composed YAML node tree that records problems instead of raising.

Every accessor takes a node and its field path and returns the value, or None when it has
recorded a problem (null is never a valid scenario value), so the loader carries on and reports
every mistake at once. Walking nodes, not constructed objects, is what gives each problem a line.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
from collections.abc import Collection
from typing import Any, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from simulator.scenario.problems import Problem

__all__ = [
    "Reader",
    "describe",
    "field_path",
    "item_path",
]

E = TypeVar("E", bound=enum.Enum)

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))


def field_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def describe(node: yaml.Node) -> str:
    """How a node reads in a message: 'abc' for text, 42 or true as written, else its shape."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing (null)"
    if node.tag == _STR:
        return repr(node.value)
    return str(node.value)


def _bound_problem(
    value: float, minimum: float | None, above: float | None, maximum: float | None
) -> str | None:
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        return f"must be between {minimum:g} and {maximum:g}"
    if minimum is not None and value < minimum:
        return "must not be negative" if minimum == 0 else f"must be at least {minimum:g}"
    if above is not None and value <= above:
        return f"must be above {above:g}"
    if maximum is not None and value > maximum:
        return f"must be at most {maximum:g}"
    return None


class Reader:
    """Reads nodes of one file and collects the problems found on the way."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()
        self._open: set[int] = set()  # collections being converted by `plain`, by id

    def report(self, node: yaml.Node, path: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.filename, mark.line + 1, mark.column + 1, path, message))

    def _expected(self, node: yaml.Node, path: str, what: str) -> None:
        hint = ""
        if node.tag == _BOOL and what == "text":
            hint = " (YAML reads it as a boolean: quote it)"
        self.report(node, path, f"expected {what}, got {describe(node)}{hint}")

    def _construct(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(
        self,
        node: yaml.Node,
        path: str,
        allowed: Collection[str],
        required: Collection[str] = (),
    ) -> dict[str, yaml.Node] | None:
        """The mapping's value nodes by key, after checking for unknown, duplicate and missing
        keys (each reported on its own line; the first of two duplicates is kept)."""
        if not isinstance(node, yaml.MappingNode):
            self._expected(node, path, "a mapping")
            return None
        given: dict[str, yaml.Node] = {}
        keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(key_node, path, f"expected a key, got {describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in keys:
                first = keys[key].start_mark.line + 1
                self.report(
                    key_node, field_path(path, key), f"duplicate key (first at line {first})"
                )
            elif key not in allowed:
                self.report(key_node, field_path(path, key), _unknown_key(key, allowed))
            else:
                keys[key] = key_node
                given[key] = value_node
        for key in required:
            if key not in keys:
                self.report(node, field_path(path, key), "missing required key")
        return given

    def sequence(
        self, node: yaml.Node, path: str, *, non_empty: bool = False
    ) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self._expected(node, path, "a list")
            return None
        if non_empty and not node.value:
            self.report(node, path, "must list at least one item")
            return None
        return list(node.value)

    def word(self, node: yaml.Node, path: str, what: str) -> str | None:
        """A scalar's source text whatever YAML would make of it: phone numbers and region codes
        read as ints (+14155550100) or booleans (NO, Norway) when unquoted, yet mean their text."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            self._expected(node, path, what)
            return None
        return str(node.value)

    def string(self, node: yaml.Node, path: str, *, allow_empty: bool = False) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self._expected(node, path, "text")
            return None
        value = str(node.value)
        if not value.strip() and not allow_empty:
            self.report(node, path, "must not be empty")
            return None
        return value

    def number(
        self,
        node: yaml.Node,
        path: str,
        *,
        minimum: float | None = None,
        above: float | None = None,
        maximum: float | None = None,
    ) -> float | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_INT, _FLOAT):
            self._expected(node, path, "a number")
            return None
        value = self._scalar(node, path, "a number")
        if value is None:
            return None
        if not math.isfinite(value):
            self._expected(node, path, "a finite number")
            return None
        ok = self._bounded(node, path, float(value), minimum, above, maximum)
        return float(value) if ok else None

    def integer(
        self, node: yaml.Node, path: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            self._expected(node, path, "a whole number")
            return None
        value = self._scalar(node, path, "a whole number")
        if value is None:
            return None
        ok = self._bounded(node, path, int(value), minimum, None, maximum)
        return int(value) if ok else None

    def _scalar(self, node: yaml.ScalarNode, path: str, what: str) -> Any:
        # An explicit tag (`!!int abc`) passes the tag check yet fails to construct.
        try:
            return self._construct(node)
        except (yaml.YAMLError, ValueError):
            self._expected(node, path, what)
            return None

    def _bounded(
        self,
        node: yaml.Node,
        path: str,
        value: float,
        minimum: float | None,
        above: float | None,
        maximum: float | None,
    ) -> bool:
        problem = _bound_problem(value, minimum, above, maximum)
        if problem:
            self.report(node, path, f"{problem}, got {node.value}")
        return problem is None

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self._expected(node, path, "true or false")
            return None
        return bool(self._construct(node))

    def choice(self, node: yaml.Node, path: str, choices: type[E]) -> E | None:
        names = ", ".join(str(member.value) for member in choices)
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            for member in choices:
                if member.value == node.value:
                    return member
        self.report(node, path, f"expected one of {names}, got {describe(node)}")
        return None

    def regex(self, node: yaml.Node, path: str) -> re.Pattern[str] | None:
        source = self.string(node, path)
        if source is None:
            return None
        try:
            return re.compile(source)
        except re.error as exc:
            self.report(node, path, f"bad regex: {exc}")
            return None

    def plain(self, node: yaml.Node, path: str) -> Any:
        """Free-form data (traffic, expect) as Python values, still refusing duplicate keys."""
        if isinstance(node, yaml.ScalarNode):
            try:
                return self._construct(node)
            except (yaml.YAMLError, ValueError) as exc:
                self.report(node, path, f"cannot read this value: {getattr(exc, 'problem', exc)}")
                return None
        # An alias may point at a collection that contains it: follow each node once per path.
        if id(node) in self._open:
            self.report(node, path, "an alias refers to a list or mapping that contains it")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.plain(item, item_path(path, i)) for i, item in enumerate(node.value)]
            return self._plain_mapping(node, path)
        finally:
            self._open.discard(id(node))

    def plain_mapping(self, node: yaml.Node, path: str) -> dict[Any, Any] | None:
        if not isinstance(node, yaml.MappingNode):
            self._expected(node, path, "a mapping")
            return None
        result: dict[Any, Any] = self.plain(node, path)
        return result

    def _plain_mapping(self, node: yaml.MappingNode, path: str) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.plain(key_node, path)
            sub = field_path(path, str(key))
            try:
                seen = key in result
            except TypeError:  # a list or mapping used as a key
                self.report(key_node, path, f"expected a key, got {describe(key_node)}")
                continue
            if seen:
                self.report(key_node, sub, f"duplicate key (first at line {lines[key]})")
                continue
            lines[key] = key_node.start_mark.line + 1
            result[key] = self.plain(value_node, sub)
        return result


def _unknown_key(key: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r} (allowed: {', '.join(allowed)}){hint}"
