"""`signed_in`: what every console page but sign-in passes through.

It reads the session cookie (no session: to /ui/login), puts the session's organization on
the request where the API's handlers look for it, checks the CSRF token of every POST, and
turns the API's errors into pages (another organization's lead is this organization's 404).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.core.errors import ApiError, NotFound
from gateway.keys import ORGANIZATION
from gateway.ui.api_call import keep_pristine
from gateway.ui.keys import CSRF_TOKEN, KEEPER, SESSION
from gateway.ui.render import page
from gateway.ui.session import COOKIE

__all__ = ["Page", "form_of", "signed_in"]

Page = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted form's text fields (the browser's CRLF newlines as the LF the user typed)."""
    form = await request.post()
    return {k: v.replace("\r\n", "\n") for k, v in form.items() if isinstance(v, str)}


def signed_in(handler: Page) -> Page:
    async def guarded(request: web.Request) -> web.StreamResponse:
        keeper = request.app[KEEPER]
        session = keeper.read(request.cookies.get(COOKIE), time.time())
        if session is None:
            if request.method == "GET" and not request.path.endswith("/live"):
                raise web.HTTPSeeOther("/ui/login")
            raise web.HTTPUnauthorized(text="Signed out: sign in again.")
        keep_pristine(request)
        request[SESSION] = session
        request[ORGANIZATION] = session.organization_id
        request[CSRF_TOKEN] = keeper.csrf_token(session)
        if request.method == "POST":
            form = await form_of(request)
            if not keeper.csrf_ok(session, form.get("csrf")):
                return page(
                    request,
                    "error.html",
                    status=403,
                    title="Forbidden",
                    message="This form has expired or did not come from the console;"
                    " reload the page and try again.",
                )
        try:
            return await handler(request)
        except NotFound as exc:
            return page(request, "error.html", status=404, title="Not found", message=str(exc))
        except ApiError as exc:
            return page(
                request,
                "error.html",
                status=exc.status,
                title="Could not do that",
                message=str(exc),
            )

    return guarded
