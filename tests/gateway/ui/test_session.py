"""The console's session over plain HTTP: the cookie's flags, CSRF on every form, the key in
no URL and no log line, another organization's lead, expiry, and `server.ui: false`."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from gateway.ui.session import SessionKeeper
from tests.gateway.harness import Harness
from tests.gateway.ui.console import Console


async def test_sign_in_sets_a_strict_http_only_expiring_cookie_and_logs_no_key(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    key = await harness.new_org()
    console = Console(harness)
    try:
        with caplog.at_level(logging.DEBUG):
            await console.get("/ui/login")
            async with console.session.post(
                f"{harness.url}/ui/login",
                allow_redirects=False,
                data={"api_key": key, "csrf": console.csrf},
            ) as response:
                assert response.status == 303
                assert response.headers["Location"] == "/ui/leads"
                cookie = response.cookies["smslab_session"]
                assert cookie["httponly"] and cookie["samesite"] == "Strict"
                assert int(cookie["max-age"]) == 8 * 3600 and cookie["path"] == "/ui/"
                assert key not in cookie.value and key not in response.headers["Location"]
            status, page = await console.get("/ui/leads")
            assert status == 200 and key not in page
        assert all(key not in r.getMessage() and key not in str(r.__dict__) for r in caplog.records)
    finally:
        await console.close()


async def test_every_form_needs_the_csrf_token(harness: Harness) -> None:
    key = await harness.new_org()
    console = Console(harness)
    try:
        await console.sign_in(key)
        for path in ("/ui/leads", "/ui/numbers/rent", "/ui/whitelist", "/ui/logout"):
            status, _page, _url = await console.post(path, {"name": "x"}, csrf=False)
            assert status == 403, path
            status, _page, _url = await console.post(
                path, {"csrf": "forged", "name": "x"}, csrf=False
            )
            assert status == 403, path
        status, _page = await console.get("/ui/leads")
        assert status == 200  # still signed in: the forged sign-out did nothing
        # nor can a sign-in be posted from elsewhere
        fresh = aiohttp.ClientSession()
        async with fresh.post(f"{harness.url}/ui/login", data={"api_key": key}) as response:
            assert response.status == 403
        await fresh.close()
    finally:
        await console.close()


async def test_another_organizations_lead_is_a_404(harness: Harness) -> None:
    ours, theirs = await harness.new_org("Ours"), await harness.new_org("Theirs")
    lead = await harness.lead_with(theirs, "+14155550123", name="Their lead")
    console = Console(harness)
    try:
        await console.sign_in(ours)
        for path in (f"/ui/leads/{lead['id']}", f"/ui/leads/{lead['id']}/live"):
            status, page = await console.get(path)
            assert status == 404 and "Their lead" not in page
        status, page, _url = await console.post(
            f"/ui/leads/{lead['id']}/sms", {"text": "hi", "to": "x|+14155550123"}
        )
        assert status == 404
    finally:
        await console.close()


async def test_signed_out_pages_send_you_to_sign_in(harness: Harness) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{harness.url}/ui/leads", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/ui/login"
        async with session.get(f"{harness.url}/ui/inbox/live") as response:
            assert response.status == 401


def test_a_session_expires_and_a_forged_one_is_refused() -> None:
    keeper = SessionKeeper(b"s" * 32, ttl=60)
    session, cookie = keeper.start("orga_1", now=1000)
    assert keeper.read(cookie, 1059) == session
    assert keeper.read(cookie, 1060) is None
    payload, _, mac = cookie.rpartition(".")
    assert keeper.read(payload.replace("orga_1", "orga_2") + "." + mac, 1001) is None
    keeper.end(session, 1001)
    assert keeper.read(cookie, 1002) is None


async def test_server_ui_false_serves_no_console(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path, ui=False)
    try:
        status, _body = await harness.request(None, "GET", "/ui/login")
        assert status == 404
    finally:
        await harness.close()
