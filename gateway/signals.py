"""Signals of the running daemon. SIGTERM: for a short window every API request is answered
503 with `Retry-After` and `Connection: close` while the listener is still open, so clients on
kept-alive connections are told rather than cut off; then aiohttp's graceful exit (the listener
closes, running requests finish, the cleanup contexts run, where the dispatcher drains), all
within `server.grace_period` of the signal. SIGINT is aiohttp's. SIGHUP: reload rates and
routing (`sms.rates`, `sms.countries`) from the config file.

A file that no longer parses is logged and ignored: the running settings stay.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from aiohttp.web_runner import GracefulExit

from gateway.app import stop_taking
from gateway.config import ConfigError, load_config
from gateway.keys import LIVE_CONFIG, SHUTTING_DOWN

__all__ = ["refusing_window", "reload_config", "sighup_reload", "sigterm_refuse_then_exit"]

log = logging.getLogger("gateway.signals")


def reload_config(app: web.Application, path: str) -> list[str] | None:
    """Apply the reloadable settings of `path`; the names that changed, or None on error."""
    try:
        fresh = load_config(path)
    except ConfigError as exc:
        log.error("SIGHUP: kept the running settings: %s", exc)
        return None
    changed = app[LIVE_CONFIG].apply(fresh)
    log.info("SIGHUP: reloaded %s from %s", ", ".join(changed) or "nothing new", path)
    return changed


def sighup_reload(path: str) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that reloads `path` on SIGHUP while the app runs."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, reload_config, app, path)
        yield
        loop.remove_signal_handler(signal.SIGHUP)

    return ctx


def refusing_window(grace_period: float) -> float:
    """How long SIGTERM answers 503 before the listener closes: long enough for clients in the
    middle of a keep-alive exchange to hear it, a small part of the grace period."""
    return min(0.5, grace_period / 10)


def _exit() -> None:
    raise GracefulExit  # what aiohttp's own SIGTERM handler raises: run_app cleans up


def sigterm_refuse_then_exit(window: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that takes SIGTERM over from aiohttp (installed before the app's
    startup, so this replaces it)."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()

        def term() -> None:
            if app[SHUTTING_DOWN].is_set():
                return
            log.info("SIGTERM: answering 503 for %.2f s, then stopping", window)
            stop_taking(app)
            loop.call_later(window, _exit)

        loop.add_signal_handler(signal.SIGTERM, term)
        yield

    return ctx
