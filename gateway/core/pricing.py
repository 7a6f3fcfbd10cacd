"""What an SMS costs: segments times the per-country rate from config, in US cents.

Close shows `cost` as a string of cents (its export script divides by 100); we keep that and
use Decimal so that 0.83 cents times 3 segments is exactly "2.49".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from telecom import country_of

__all__ = ["Rate", "cost_of", "priced_country", "priced_phone"]


@dataclass(frozen=True, slots=True)
class Rate:
    """Cents per segment in each direction for one country."""

    outbound: Decimal
    inbound: Decimal


def _text(amount: Decimal) -> str:
    normal = amount.normalize()
    # normalize() turns 100 into 1E+2; quantize back to a plain number
    return format(normal, "f")


def cost_of(
    rates: Mapping[str, Rate], country: str | None, direction: str, segments: int
) -> str | None:
    """Cost in cents as Close's string, or None when the country has no rate."""
    rate = rates.get(country or "") or rates.get("default")
    if rate is None:
        return None
    per_segment = rate.outbound if direction == "outbound" else rate.inbound
    return _text(per_segment * segments)


def priced_phone(direction: str, local_phone: str | None, remote_phone: str | None) -> str | None:
    """The phone whose country prices a message: the recipient's for outbound, our number's
    for inbound (and for an outbound draft that has no recipient yet)."""
    return remote_phone if direction == "outbound" and remote_phone else local_phone


def priced_country(direction: str, local_phone: str | None, remote_phone: str | None) -> str | None:
    """The country of `priced_phone` (None when there is none or it is not a valid number):
    what a message's cost was looked up with, and what usage reports group it by."""
    phone = priced_phone(direction, local_phone, remote_phone)
    return country_of(phone) if phone else None
