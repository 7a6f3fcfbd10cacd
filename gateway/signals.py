"""Signals of the running daemon. SIGTERM/SIGINT are aiohttp's (`web.run_app` stops listening,
lets requests finish, then runs the cleanup contexts, where the dispatcher drains); SIGHUP is
ours: reload rates and routing (`sms.rates`, `sms.countries`) from the config file.

A file that no longer parses is logged and ignored: the running settings stay.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from gateway.config import ConfigError, load_config
from gateway.keys import LIVE_CONFIG

__all__ = ["reload_config", "sighup_reload"]

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
