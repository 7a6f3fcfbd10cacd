"""The field catalogue: which fields exist at lead level and inside `sms(...)`, what kind of
value each takes, its aliases and its closed set of values. Parser, compilers and evaluator
all read this one table, so a field cannot mean one thing in SQL and another in Python."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from telecom.errors import Reason

__all__ = [
    "DIRECTIONS",
    "HAS",
    "LEAD_FIELDS",
    "SMS_FIELDS",
    "STATUSES",
    "Field",
    "Kind",
    "fold",
]


class Kind(enum.Enum):
    TEXT = "text"  # substring, ASCII case ignored
    PHONE = "phone"  # any format that parses, compared as E.164
    NUMBER = "number"  # integer, every comparison
    CHOICE = "choice"  # one of a closed set, `:` or `=` only
    DATE = "date"  # relative or ISO date, every comparison
    HAS = "has"  # has:<what>


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # canonical
    kind: Kind
    # accepted spelling (lower case) -> canonical value; empty for open values
    choices: Mapping[str, str] = field(default_factory=dict)


STATUSES = ("draft", "scheduled", "outbox", "sent", "error", "inbox")
DIRECTIONS = {
    "outbound": "outbound",
    "outgoing": "outbound",
    "inbound": "inbound",
    "incoming": "inbound",
}
HAS = ("sms_messages", "error_sms_messages", "inbound_sms")


def _same(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    return {v: v for v in values}


LEAD_FIELDS: Mapping[str, Field] = {
    "name": Field("name", Kind.TEXT),
    "phone": Field("phone", Kind.PHONE),
    "sms_messages": Field("sms_messages", Kind.NUMBER),
    "failed_sms": Field("failed_sms", Kind.NUMBER),
    "latest_sms_status": Field("latest_sms_status", Kind.CHOICE, _same(STATUSES)),
    "has": Field("has", Kind.HAS, _same(HAS)),
}

_CREATED = Field("created", Kind.DATE)
SMS_FIELDS: Mapping[str, Field] = {
    "created": _CREATED,
    "date": _CREATED,  # Close's own scripts write `sms(date >= "...")`
    "direction": Field("direction", Kind.CHOICE, DIRECTIONS),
    "status": Field("status", Kind.CHOICE, _same(STATUSES)),
    "error": Field("error", Kind.CHOICE, _same([r.value for r in Reason])),
    "error_code": Field("error_code", Kind.NUMBER),
    "text": Field("text", Kind.TEXT),
    "local_phone": Field("local_phone", Kind.PHONE),
    "remote_phone": Field("remote_phone", Kind.PHONE),
    "segments": Field("segments", Kind.NUMBER),
}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower-case ASCII letters only: exactly what SQLite's built-in lower() does, so the SQL
    and the Python evaluator agree on `name:ÉCOLE` (it matches `École`'s É only as written)."""
    return text.translate(_ASCII_LOWER)
