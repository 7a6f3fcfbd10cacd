"""E.164 phone numbers: parsing, country and number type, via phonenumbers."""

from __future__ import annotations

import enum
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = [
    "InvalidNumber",
    "NumberKind",
    "country_of",
    "format_international",
    "number_kind",
    "parse_e164",
]


class InvalidNumber(ValueError):
    """The text is not a valid phone number."""


class NumberKind(enum.StrEnum):
    """What kind of line a number is, as phonenumbers' metadata knows it."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    FIXED_OR_MOBILE = "fixed_or_mobile"  # NANP numbers: metadata cannot tell
    VOIP = "voip"
    TOLL_FREE = "toll_free"
    OTHER = "other"


_KINDS = {
    PhoneNumberType.MOBILE: NumberKind.MOBILE,
    PhoneNumberType.FIXED_LINE: NumberKind.LANDLINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: NumberKind.FIXED_OR_MOBILE,
    PhoneNumberType.VOIP: NumberKind.VOIP,
    PhoneNumberType.TOLL_FREE: NumberKind.TOLL_FREE,
}


def _parse(text: str, default_region: str | None) -> phonenumbers.PhoneNumber:
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{text!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{text!r} is not a valid phone number")
    return parsed


def parse_e164(text: object, default_region: str | None = None) -> str:
    """Return `text` as E.164 (``+14155550100``) or raise `InvalidNumber`.

    Without `default_region` the text must carry its country code (a leading ``+``).
    Anything but a non-blank string (None, a number, a list) is refused the same way.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidNumber("a phone number is required")
    if not isinstance(default_region, str | None):
        raise InvalidNumber("the default region must be a country code")
    return _e164(text.strip(), default_region)


@lru_cache(maxsize=65536)  # phonenumbers is slow and this is pure
def _e164(text: str, default_region: str | None) -> str:
    parsed = _parse(text, default_region)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)  # phonenumbers is slow: parse each number once for all its facts
def _facts(e164: str) -> tuple[str | None, NumberKind]:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None, NumberKind.OTHER
    region = phonenumbers.region_code_for_number(parsed)
    return region, _KINDS.get(phonenumbers.number_type(parsed), NumberKind.OTHER)


def country_of(e164: str) -> str | None:
    """ISO 3166 alpha-2 region of a valid number (``US``, ``GB``), or None."""
    return _facts(e164)[0] if isinstance(e164, str) else None


def number_kind(e164: str) -> NumberKind:
    """The line type phonenumbers' metadata gives the number."""
    return _facts(e164)[1] if isinstance(e164, str) else NumberKind.OTHER


@lru_cache(maxsize=65536)  # phonenumbers is slow and these are pure
def format_international(e164: str) -> str:
    """``+1 415-555-0100`` style, as Close shows `*_formatted` fields."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
