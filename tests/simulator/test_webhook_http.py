"""The webhooks' small HTTP client against real servers: aiohttp's for what a gateway answers,
a raw socket server for what only a broken or unusual one does."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulator.app import create_app
from simulator.scenario import loads
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from simulator.webhook_http import WebhookHttp, WebhookHttpError


@pytest.fixture
async def client() -> AsyncIterator[WebhookHttp]:
    http = WebhookHttp()
    yield http
    await http.close()


async def _aiohttp_server(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_a_form_post_and_its_answer_and_the_connection_is_kept(
    client: WebhookHttp,
) -> None:
    seen: list[tuple[str, str, str, str]] = []

    async def hook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen.append((request.method, request.path_qs, await request.text(), str(peer)))
        return web.Response(text="<Response/>", content_type="text/xml")

    app = web.Application()
    app.router.add_route("*", "/hook", hook)
    server = await _aiohttp_server(app)
    try:
        url = str(server.make_url("/hook"))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        first = await client.request("POST", url, b"A=1&B=%2B2", headers, 5)
        second = await client.request("GET", url + "?A=1", None, {}, 5)
    finally:
        await server.close()
    assert (first.status, first.body) == (200, "<Response/>")
    assert second.status == 200
    assert [s[:3] for s in seen] == [("POST", "/hook", "A=1&B=%2B2"), ("GET", "/hook?A=1", "")]
    assert seen[0][3] == seen[1][3]  # the same connection, kept alive


async def test_a_chunked_answer_and_one_that_closes(client: WebhookHttp) -> None:
    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=202)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b"<Resp", b"onse/>"):
            await response.write(part)
        await response.write_eof()
        return response

    async def closing(request: web.Request) -> web.Response:
        return web.Response(status=503, text="busy", headers={"Connection": "close"})

    app = web.Application()
    app.router.add_post("/chunked", chunked)
    app.router.add_post("/closing", closing)
    server = await _aiohttp_server(app)
    try:
        got = await client.request("POST", str(server.make_url("/chunked")), b"", {}, 5)
        busy = await client.request("POST", str(server.make_url("/closing")), b"", {}, 5)
        again = await client.request("POST", str(server.make_url("/chunked")), b"", {}, 5)
    finally:
        await server.close()
    assert (got.status, got.body) == (202, "<Response/>")
    assert (busy.status, busy.body) == (503, "busy")
    assert again.status == 202


class RawServer:
    """A raw socket server for what only a broken or unusual one does; closes what it opened."""

    def __init__(
        self, answer: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
    ) -> None:
        self._answer = answer
        self.writers: list[asyncio.StreamWriter] = []
        self.url = ""

    async def __aenter__(self) -> RawServer:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.writers.append(writer)
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                await self._answer(reader, writer)

        self._server = await asyncio.start_server(serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/hook"
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()
        await self._server.wait_closed()
        for writer in self.writers:
            writer.transport.abort()
        for writer in self.writers:
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    return await reader.readexactly(length)


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # reads until the client gives up and closes


async def test_a_kept_connection_the_server_closed_is_replaced(client: WebhookHttp) -> None:
    served = 0

    async def answer_once_then_hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal served
        await _read_request(reader)
        served += 1
        # keep-alive promised, then closed: the next request on it finds it gone
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    async with RawServer(answer_once_then_hang_up) as server:
        first = await client.request("POST", server.url, b"x", {}, 5)
        await asyncio.sleep(0.05)
        second = await client.request("POST", server.url, b"y", {}, 5)
    assert (first.status, second.status, served) == (200, 200, 2)


async def test_a_request_whose_bytes_were_written_is_not_sent_again(client: WebhookHttp) -> None:
    """The server took the second request and hung up without an answer: it may have acted on
    it, so the client fails that request rather than send it again on a new connection."""
    bodies: list[bytes] = []

    async def answer_one_then_take_one_and_hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        bodies.append(await _read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        bodies.append(await _read_request(reader))
        writer.close()

    async with RawServer(answer_one_then_take_one_and_hang_up) as server:
        assert (await client.request("POST", server.url, b"first", {}, 5)).status == 200
        with pytest.raises(OSError):
            await client.request("POST", server.url, b"second", {}, 5)
        await asyncio.sleep(0.05)
    assert bodies == [b"first", b"second"]


async def test_no_answer_in_time_and_a_non_http_answer_are_errors(client: WebhookHttp) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()
        writer.close()

    async with RawServer(_never_answer) as slow, RawServer(garbage) as bad:
        with pytest.raises(TimeoutError):
            await client.request("POST", slow.url, b"x", {}, 0.2)
        with pytest.raises(WebhookHttpError):
            await client.request("POST", bad.url, b"x", {}, 5)
        bad_url = bad.url
    with pytest.raises(OSError):  # nothing listens there any more
        await client.request("POST", bad_url, b"x", {}, 5)


def _leaks(main: Callable[[], Awaitable[None]]) -> list[str]:
    """Runs `main` in an event loop of its own, closes the loop without asyncio.run's clean-up
    (no cancelling of what is left), collects garbage: what was left unclosed says so then."""
    found: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: found.append(f"unraisable: {u.exc_value!r} in {u.object!r}")
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda _loop, context: found.append(context["message"]))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                loop.run_until_complete(main())
            finally:
                loop.close()
            del loop
            gc.collect()
        found += [f"{w.category.__name__}: {w.message}" for w in caught]
    finally:
        sys.unraisablehook = hook
    return found


def test_close_ends_every_connection_before_the_loop_closes() -> None:
    """Kept alive, closed by the server while idle, in use on a server that never answers,
    cancelled mid-request: after close() nothing is left for the loop's end or the collector."""

    async def main() -> None:
        async def hook(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        async def answer_then_hang_up_idle(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            await _read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()

        app = web.Application()
        app.router.add_post("/hook", hook)
        aio = await _aiohttp_server(app)
        http = WebhookHttp()
        async with RawServer(answer_then_hang_up_idle) as idle, RawServer(_never_answer) as mute:
            kept = await http.request("POST", str(aio.make_url("/hook")), b"a", {}, 5)
            hung_up = await http.request("POST", idle.url, b"b", {}, 5)
            assert (kept.status, hung_up.status) == (200, 200)
            cancelled = asyncio.ensure_future(http.request("POST", mute.url, b"c", {}, 30))
            in_use = asyncio.ensure_future(http.request("POST", mute.url, b"d", {}, 30))
            await asyncio.sleep(0.1)  # both written, waiting for an answer that never comes
            cancelled.cancel()
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            await http.close()
            with pytest.raises(OSError):  # its connection was closed under it
                await asyncio.wait_for(in_use, 2)
            with pytest.raises(WebhookHttpError):  # closed: no new connection
                await http.request("POST", idle.url, b"e", {}, 5)
        await aio.close()

    assert _leaks(main) == []


def test_the_simulator_stopped_with_a_callback_in_flight_leaves_nothing_open() -> None:
    """What CI once caught in a later test: the simulator stopped while a status callback
    waits on a receiver that never answers (and one kept connection to one that did)."""

    async def main() -> None:
        async with RawServer(_never_answer) as mute:
            runner = web.AppRunner(
                create_app(
                    loads("test_numbers: true\nlatency: {sent: 0, delivered: 0}\n", "z.yaml")
                )
            )
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            basic = base64.b64encode(f"{DEFAULT_ACCOUNT_SID}:{DEFAULT_AUTH_TOKEN}".encode())
            form = {"To": "+14165550124", "From": "+15005550006", "Body": "Hi"}
            async with aiohttp.ClientSession(
                headers={"Authorization": f"Basic {basic.decode()}"}
            ) as session:
                created = await session.post(
                    f"http://127.0.0.1:{port}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json",
                    data={**form, "StatusCallback": mute.url},
                )
                assert created.status == 201
                created.release()
            await asyncio.sleep(0.2)  # the callbacks are written, no answer comes
            assert mute.writers
            await runner.cleanup()

    assert _leaks(main) == []
