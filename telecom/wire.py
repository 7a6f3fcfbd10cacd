"""Twilio's wire details: sids, RFC 2822 dates, the JSON error body, DLR done dates, forms."""

from __future__ import annotations

import email.utils
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

__all__ = [
    "API_VERSION",
    "dlr_done_date",
    "encode_form",
    "error_body",
    "is_sid",
    "new_sid",
    "parse_rfc2822",
    "rfc2822",
]

API_VERSION = "2010-04-01"
_HEX = frozenset("0123456789abcdefABCDEF")


def new_sid(prefix: str, token: str | None = None) -> str:
    """A Twilio sid: two-letter prefix + 32 lowercase hex (random unless `token` is given)."""
    body = token if token is not None else secrets.token_hex(16)
    if len(body) != 32 or not set(body) <= _HEX:
        raise ValueError("a sid body is 32 hex digits")
    return prefix + body.lower()


def is_sid(value: str, prefix: str) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 34
        and value.startswith(prefix)
        and set(value[2:]) <= _HEX
    )


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(moment: datetime) -> str:
    """``Thu, 24 Aug 2023 05:01:45 +0000``: Twilio always sends GMT with a numeric zone.
    Written out here: email.utils.format_datetime (the same text) took four times as long,
    and the simulator writes two or three of these per message."""
    m = moment.astimezone(UTC)
    return (
        f"{_DAYS[m.weekday()]}, {m.day:02d} {_MONTHS[m.month - 1]} {m.year:04d} "
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d} +0000"
    )


def parse_rfc2822(text: object) -> datetime | None:
    """A Twilio date back to an aware UTC datetime; None for null or anything unparseable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def dlr_done_date(moment: datetime) -> str:
    """`RawDlrDoneDate`: the carrier's ``YYMMDDhhmm`` in UTC."""
    m = moment.astimezone(UTC)  # strftime("%y%m%d%H%M"), in a third of its time
    return f"{m.year % 100:02d}{m.month:02d}{m.day:02d}{m.hour:02d}{m.minute:02d}"


def error_body(code: int, message: str, status: int) -> dict[str, Any]:
    """Twilio's REST error JSON. Never both `type` and `title`: SDK 9.10+ would then read it as
    an RFC 9457 problem and raise a different exception."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what quote_plus leaves as it is


def encode_form(params: Mapping[str, str]) -> str:
    """urllib.parse.urlencode's text for a form of strings, in half its time: most names and
    values (sids, statuses, dates) need no quoting, and are not passed through quote_plus."""
    return "&".join(
        f"{k if _PLAIN(k) else quote_plus(k)}={v if _PLAIN(v) else quote_plus(v)}"
        for k, v in params.items()
    )
