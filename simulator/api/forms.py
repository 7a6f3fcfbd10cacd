"""Reading Twilio's form parameters: integers, booleans and dates, with Twilio's error shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from aiohttp import web
from multidict import MultiDict

from simulator.errors import TwilioError

__all__ = ["form_date", "form_int", "read_form"]


async def read_form(request: web.Request) -> MultiDict[str]:
    """The form-encoded body (text values only); undecodable bytes are a 400, not a crash."""
    try:
        posted = await request.post()
    except (UnicodeDecodeError, ValueError) as exc:
        raise TwilioError(20001, f"The request body is not valid form data: {exc}") from None
    return MultiDict((k, v) for k, v in posted.items() if isinstance(v, str))


def form_int(
    form: Mapping[str, str], name: str, default: int, low: int, high: int, code: int
) -> int:
    raw = form.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise TwilioError(code, f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise TwilioError(code, f"{name} must be between {low} and {high}, got {value}")
    return value


def form_date(raw: str, name: str) -> datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SSZ`` (what the SDK sends), as UTC."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise TwilioError(20001, f"{name} must be an ISO 8601 date, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
