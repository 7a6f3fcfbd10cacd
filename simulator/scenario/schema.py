"""Reading a mapping against a schema of converters, and the converters for common fields.

A schema maps each allowed YAML key to a converter `(reader, node, path) -> value | None`;
`build` makes a dataclass from one when the keys are its field names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml

from simulator.scenario.nodes import Reader, field_path

__all__ = [
    "Convert",
    "Fields",
    "build",
    "count",
    "flag",
    "non_negative",
    "positive",
    "rate",
    "read_fields",
    "text",
]

T = TypeVar("T")
# A converter reads one node at one field path; None means it recorded a problem.
Convert = Callable[[Reader, yaml.Node, str], Any]


@dataclass(frozen=True, slots=True)
class Fields:
    """A mapping read against a schema: converted values, and the nodes they came from."""

    values: dict[str, Any]  # a value is None where its node was wrong
    nodes: dict[str, yaml.Node]
    ok: bool  # every given value converted, every required key present


def read_fields(
    r: Reader,
    node: yaml.Node,
    path: str,
    schema: Mapping[str, Convert],
    required: Collection[str] = (),
    one_of: Collection[str] = (),
) -> Fields | None:
    """Convert every known key of a mapping (None if it is not a mapping at all). Callers that
    can still check something in a flawed mapping (the timeline's order) read partial values."""
    given = r.mapping(node, path, schema.keys(), required)
    if given is None:
        return None
    values = {key: schema[key](r, value, field_path(path, key)) for key, value in given.items()}
    ok = all(key in given for key in required) and all(v is not None for v in values.values())
    if one_of:
        chosen = [key for key in one_of if key in given]
        if len(chosen) != 1:
            got = ", ".join(chosen) if chosen else "none"
            r.report(node, path, f"give exactly one of {', '.join(one_of)} (got {got})")
            ok = False
    return Fields(values, given, ok)


def build(
    r: Reader,
    node: yaml.Node,
    path: str,
    cls: Callable[..., T],
    schema: Mapping[str, Convert],
    required: Collection[str] = (),
    one_of: Collection[str] = (),
) -> T | None:
    """A dataclass whose YAML keys are its field names; missing keys keep their defaults."""
    fields = read_fields(r, node, path, schema, required, one_of)
    return cls(**fields.values) if fields and fields.ok else None


# Converters for the common field shapes, named for what they accept.


def text(r: Reader, node: yaml.Node, path: str) -> str | None:
    return r.string(node, path)


def flag(r: Reader, node: yaml.Node, path: str) -> bool | None:
    return r.boolean(node, path)


def non_negative(r: Reader, node: yaml.Node, path: str) -> float | None:
    return r.number(node, path, minimum=0)


def positive(r: Reader, node: yaml.Node, path: str) -> float | None:
    return r.number(node, path, above=0)


def rate(r: Reader, node: yaml.Node, path: str) -> float | None:
    return r.number(node, path, minimum=0, maximum=1)


def count(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path, minimum=1)
