"""Which kind of handset a number reaches: scenario rules first, then phonenumbers' type."""

from __future__ import annotations

from simulator.scenario.carrier_model import HandsetKind, HandsetRule
from telecom.numbers import NumberKind, number_kind

__all__ = ["classify"]

_BY_TYPE = {
    NumberKind.LANDLINE: HandsetKind.LANDLINE,
    NumberKind.VOIP: HandsetKind.VOIP,
}


def classify(number: str, rules: tuple[HandsetRule, ...]) -> tuple[HandsetKind, HandsetRule | None]:
    """The first matching rule wins; with none, phonenumbers' landline type means landline and
    everything else (mobile, fixed-or-mobile NANP numbers, unknown) is a mobile."""
    kind = number_kind(number)
    for rule in rules:
        if (
            (rule.number is not None and rule.number == number)
            or (rule.pattern is not None and rule.pattern.fullmatch(number))
            or (rule.number_type is not None and rule.number_type == kind.value)
        ):
            return rule.kind, rule
    return _BY_TYPE.get(kind, HandsetKind.MOBILE), None
