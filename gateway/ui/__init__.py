"""The web console under /ui/: server-rendered pages over the API's own handlers.

`setup(app)` mounts it (gateway.app does when `server.ui` is on). Pages: sign-in, leads and
search, a lead with its SMS timeline and composer, inbox, numbers, usage, whitelist, ops.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from gateway.config import Config
from gateway.ui import leads, login, ops, pages
from gateway.ui.keys import KEEPER
from gateway.ui.session import SessionKeeper

__all__ = ["setup"]

_STATIC = Path(__file__).parent / "static"


async def _home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/ui/leads")


def setup(app: web.Application, config: Config) -> None:
    # no configured secret: a random one, so sessions end when the process does
    secret = config.ui_secret.encode() if config.ui_secret else secrets.token_bytes(32)
    app[KEEPER] = SessionKeeper(secret, int(config.ui_session_ttl))
    router = app.router
    router.add_get("/ui", _home)
    router.add_get("/ui/", _home)
    login.setup(router)
    leads.setup(router)
    pages.setup(router)
    ops.setup(router)
    router.add_static("/ui/static/", _STATIC, append_version=False)
