"""Structured logs: one JSON object per line per event, the activity id on every line about a
message.

The dispatcher runs each send in its own task and sets `ACTIVITY_ID` there; tasks copy the
context they start in, so every line logged during that send (the carrier client's too) carries
the id without each call site passing it. `extra={"activity_id": ...}` works as well.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

__all__ = ["ACTIVITY_ID", "AccessLog", "JsonFormatter", "configure_logging"]

ACTIVITY_ID: ContextVar[str | None] = ContextVar("activity_id", default=None)

# attributes every LogRecord has; anything else came in through `extra=`
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        activity = ACTIVITY_ID.get()
        if activity is not None:
            line["activity_id"] = activity
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = (
                    value if isinstance(value, str | int | float | bool | None) else repr(value)
                )
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class AccessLog(AbstractAccessLogger):
    """One line per request: client, method, path, status, milliseconds. aiohttp's default
    format (strftime, header lookups, a dict of extras) cost a tenth of the event loop under
    load. The carrier's webhooks (two per message, counted in /metrics) log at DEBUG."""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)  # DEBUG enabled implies INFO

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        level = logging.DEBUG if request.path.startswith("/carrier/") else logging.INFO
        self.logger.log(
            level,
            "%s %s %s %d %.1f ms",
            request.remote,
            request.method,
            request.path_qs,
            response.status,
            time * 1000,
        )


def configure_logging(level: str, fmt: str = "json") -> None:
    """The root logger writes to stderr at `level`, as JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
