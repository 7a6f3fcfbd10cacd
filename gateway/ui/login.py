"""Sign in with an organization's API key (a form field, never a URL), sign out."""

from __future__ import annotations

import secrets
import time

from aiohttp import web

from gateway.edge.auth import hash_key
from gateway.keys import STORE
from gateway.ui.guard import form_of, signed_in
from gateway.ui.keys import KEEPER, SESSION
from gateway.ui.render import page
from gateway.ui.session import COOKIE

__all__ = ["setup"]

_NONCE = "smslab_login"  # the sign-in form's CSRF cookie (double submit: no session yet)


def _cookie(
    response: web.StreamResponse, name: str, value: str, max_age: int, secure: bool
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/ui/", httponly=True, samesite="Strict", secure=secure
    )


def _form(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    nonce = secrets.token_urlsafe(16)
    response = page(
        request,
        "login.html",
        status=status,
        error=error,
        login_csrf=request.app[KEEPER].login_token(nonce),
    )
    _cookie(response, _NONCE, nonce, 600, request.secure)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    keeper = request.app[KEEPER]
    if keeper.read(request.cookies.get(COOKIE), time.time()) is not None:
        raise web.HTTPSeeOther("/ui/leads")
    return _form(request)


async def login(request: web.Request) -> web.StreamResponse:
    keeper = request.app[KEEPER]
    form = await form_of(request)
    nonce = request.cookies.get(_NONCE, "")
    if not nonce or form.get("csrf") != keeper.login_token(nonce):
        return _form(request, 403, "The sign-in form expired; please try again.")
    key = form.get("api_key", "").strip()
    org_id = await request.app[STORE].organization_for_key(hash_key(key)) if key else None
    if org_id is None:
        return _form(request, 401, "That API key is not valid.")
    _session, cookie = keeper.start(org_id, time.time())
    response = web.HTTPSeeOther("/ui/leads")
    _cookie(response, COOKIE, cookie, keeper.ttl, request.secure)
    response.del_cookie(_NONCE, path="/ui/")
    raise response


@signed_in
async def logout(request: web.Request) -> web.StreamResponse:
    request.app[KEEPER].end(request[SESSION], time.time())
    response = web.HTTPSeeOther("/ui/login")
    response.del_cookie(COOKIE, path="/ui/")
    raise response


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/ui/login", login_form)
    router.add_post("/ui/login", login)
    router.add_post("/ui/logout", logout)
