"""An in-process fake of Twilio's REST API for the carrier client and dispatcher tests: it
answers each request with the next canned answer (or a hook) and records what it got."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from telecom import new_sid

Hook = Callable[[web.Request, dict[str, str]], Awaitable[tuple[int, Any] | None]]


@dataclass
class FakeTwilio:
    """Answers each request with the next canned (status, json) and records what it got."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    delay: float = 0.0
    default: tuple[int, Any] = (200, {})
    hook: Hook | None = None  # runs before answering; may answer itself

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            form = {k: str(v) for k, v in (await request.post()).items()}
            self.seen.append((request.method, request.path_qs, form, dict(request.headers)))
            self.times.append(time.monotonic())
            if self.delay:
                await asyncio.sleep(self.delay)
            answer = await self.hook(request, form) if self.hook else None
            status, body = answer or (self.answers.pop(0) if self.answers else self.default)
            if isinstance(body, dict) and body.get("sid") == "new":  # a fresh sid each time
                body = {**body, "sid": new_sid("SM")}
            if status == 204:
                return web.Response(status=204)
            if isinstance(body, str):
                return web.Response(status=status, text=body)
            return web.json_response(body, status=status)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    def creates(self) -> list[dict[str, str]]:
        return [
            form
            for method, path, form, _ in self.seen
            if method == "POST" and path.endswith("/Messages.json")
        ]
