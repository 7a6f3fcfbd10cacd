"""Values an expectation compares with: counts (`bound`) and costs in US cents (`amount`),
each exact (`12`, `4.6`) or bounded (`{min: 3, max: 8}`, either side optional); and the
mappings of name -> expectation that the expect section is made of (`keyed`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import yaml

from simulator.scenario.nodes import Reader, describe, field_path
from simulator.scenario.plan_model import Amount, Bound
from simulator.scenario.schema import read_fields

__all__ = ["amount", "bound", "keyed", "one_of"]

L = TypeVar("L", int, Decimal)


def _limits(
    r: Reader,
    node: yaml.Node,
    path: str,
    scalar: Callable[[Reader, yaml.Node, str], L | None],
    zero: L,
) -> tuple[L, L | None] | None:
    """An exact value (min == max), or `{min, max}` with either side optional."""
    if not isinstance(node, yaml.MappingNode):
        value = scalar(r, node, path)
        return None if value is None else (value, value)
    fields = read_fields(r, node, path, {"min": scalar, "max": scalar})
    if fields is None or not fields.ok:
        return None
    if not fields.values:
        r.report(node, path, "give min, max or both")
        return None
    low, high = fields.values.get("min", zero), fields.values.get("max")
    if high is not None and high < low:
        r.report(node, path, f"max ({high}) is below min ({low})")
        return None
    return low, high


def _whole(r: Reader, node: yaml.Node, path: str) -> int | None:
    return r.integer(node, path, minimum=0)


def _cents(r: Reader, node: yaml.Node, path: str) -> Decimal | None:
    """US cents, read from the text as written (`4.6` stays exactly 4.6, not a float)."""
    text = r.word(node, path, "an amount of US cents")
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        r.report(
            node,
            path,
            f"expected an amount of US cents, 0 or more (e.g. 4.6), got {describe(node)}",
        )
        return None
    return value


def bound(r: Reader, node: yaml.Node, path: str) -> Bound | None:
    limits = _limits(r, node, path, _whole, 0)
    return None if limits is None else Bound(*limits)


def amount(r: Reader, node: yaml.Node, path: str) -> Amount | None:
    limits = _limits(r, node, path, _cents, Decimal(0))
    return None if limits is None else Amount(*limits)


def keyed(
    r: Reader,
    node: yaml.Node,
    path: str,
    what: str,
    read: Callable[[yaml.Node, yaml.Node, str], Any],
) -> list[Any] | None:
    """A mapping of `what` -> something: `read(key node, value node, path)` for each entry.
    A duplicate key fails it; the loader has reported that already (`Reader.plain`)."""
    if not isinstance(node, yaml.MappingNode):
        r.report(node, path, f"expected a mapping of {what}, got {describe(node)}")
        return None
    found: list[Any] = []
    keys: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        found.append(None if key in keys else read(key_node, value_node, field_path(path, key)))
        keys.add(key)
    return found if all(f is not None for f in found) else None


def one_of(
    r: Reader, node: yaml.Node, path: str, what: str, choices: Collection[str]
) -> str | None:
    value = r.word(node, path, f"a {what}")
    if value is not None and value not in choices:
        r.report(node, path, f"{what} is one of {', '.join(choices)}; got {value!r}")
        return None
    return value
