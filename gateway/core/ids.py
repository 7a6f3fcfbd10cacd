"""Close-style ids: a resource prefix, an underscore and 43 base62 characters."""

from __future__ import annotations

import secrets
import string

__all__ = ["PREFIXES", "new_id"]

_ALPHABET = string.ascii_letters + string.digits
PREFIXES = ("orga", "lead", "cont", "acti", "phon", "smswl")


def new_id(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    # one read of 256 random bits, spelled in base62 (43 digits hold 2**256): choosing each
    # character with secrets.choice costs 43 urandom calls, a visible share of a request
    value = int.from_bytes(secrets.token_bytes(32), "big")
    digits = []
    for _ in range(43):
        value, digit = divmod(value, 62)
        digits.append(_ALPHABET[digit])
    return prefix + "_" + "".join(digits)
