"""The simulator's one exception: a Twilio API error, rendered by the app's middleware.

TwilioError(code, message, status)  -- answered as Twilio's JSON error body
"""

from __future__ import annotations

from telecom.errors import lookup

__all__ = ["TwilioError"]


class TwilioError(Exception):
    def __init__(self, code: int, message: str | None = None, status: int | None = None) -> None:
        entry = lookup(code)
        self.code = code
        self.message = message or (entry.title if entry else "Error")
        self.status = status or (entry.http_status if entry else 400)
        super().__init__(f"{code}: {self.message}")
