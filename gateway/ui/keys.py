"""The console's typed keys on the Application and on Requests."""

from __future__ import annotations

from aiohttp import web

from gateway.ui.session import Session, SessionKeeper

__all__ = ["CSRF_TOKEN", "KEEPER", "SESSION"]

KEEPER = web.AppKey("ui_sessions", SessionKeeper)
SESSION = web.RequestKey("ui_session", Session)
CSRF_TOKEN = web.RequestKey("ui_csrf", str)
