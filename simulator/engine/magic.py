"""Twilio's test-credential magic numbers, as its test-credentials page documents them."""

from __future__ import annotations

__all__ = ["MAGIC_FROM", "MAGIC_TO", "MAGIC_VALID_FROM", "PURCHASE_AREA_CODES", "PURCHASE_NUMBERS"]

MAGIC_VALID_FROM = "+15005550006"

# From -> create-time error (any other From that is not the account's own also fails with 21606)
MAGIC_FROM = {
    "+15005550001": 21212,
    "+15005550007": 21606,
    "+15005550008": 21611,
}

# To (with a valid From) -> create-time error
MAGIC_TO = {
    "+15005550001": 21211,
    "+15005550002": 21612,
    "+15005550003": 21408,
    "+15005550004": 21610,
    "+15005550009": 21614,
}

# IncomingPhoneNumbers purchase: PhoneNumber -> error code, or None for success
PURCHASE_NUMBERS: dict[str, int | None] = {
    "+15005550000": 21422,
    "+15005550001": 21421,
    "+15005550006": None,
}
# AreaCode -> the number bought, or an error code
PURCHASE_AREA_CODES: dict[str, str | int] = {"500": "+15005550006", "533": 21452}
