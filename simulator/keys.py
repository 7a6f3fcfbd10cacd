"""Every AppKey of the simulator app."""

from __future__ import annotations

from aiohttp import web

from simulator.runtime import Runtime

__all__ = ["RUNTIME"]

RUNTIME = web.AppKey("runtime", Runtime)
