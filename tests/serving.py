"""Real aiohttp apps served on 127.0.0.1 (port 0) from a background thread, so synchronous
clients (the twilio SDK, closeio) can call them from a plain test function."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class LoopThread:
    """An event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Awaitable[T], timeout: float = 60) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return future.result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@contextmanager
def serve(app: web.Application, loop: LoopThread) -> Iterator[str]:
    """Serve `app` on a free loopback port; yields its base URL."""

    async def start() -> tuple[web.AppRunner, str]:
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return runner, f"http://127.0.0.1:{port}"

    runner, url = loop.run(start())
    try:
        yield url
    finally:
        loop.run(runner.cleanup())


@dataclass
class Hook:
    """One request a webhook receiver got."""

    url: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    """A customer's webhook endpoint: records every POST and answers as told."""

    received: list[Hook] = field(default_factory=list)
    answer: Callable[[Hook], web.Response] = lambda hook: web.Response(text="")

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.Response:
            form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
            hook = Hook(str(request.url), form, dict(request.headers))
            self.received.append(hook)
            return self.answer(hook)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    def at(self, path: str) -> list[Hook]:
        return [hook for hook in self.received if hook.url.split("?")[0].endswith(path)]


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll `predicate` until it returns something truthy; fail loudly after `timeout`."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
