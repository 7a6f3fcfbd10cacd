"""What an SMS costs (gateway/core/pricing.py): the country's rate times the segments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.core.pricing import Rate, cost_of

RATES = {"US": Rate(Decimal("0.83"), Decimal("0.5")), "GB": Rate(Decimal(4), Decimal(1))}


@pytest.mark.parametrize(
    ("country", "direction", "segments", "cost"),
    [
        ("US", "outbound", 1, "0.83"),
        ("US", "outbound", 3, "2.49"),
        ("US", "inbound", 2, "1"),
        ("GB", "outbound", 25, "100"),
        ("FR", "outbound", 1, None),
        (None, "outbound", 1, None),
    ],
)
def test_cost_in_cents(
    country: str | None, direction: str, segments: int, cost: str | None
) -> None:
    assert cost_of(RATES, country, direction, segments) == cost


def test_default_rate() -> None:
    assert cost_of({"default": Rate(Decimal(2), Decimal(0))}, "FR", "outbound", 2) == "4"
