"""The webhooks' small HTTP client against real servers: aiohttp's for what a gateway answers,
a raw socket server for what only a broken or unusual one does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

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


async def _raw_server(
    answer: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/hook"


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    await reader.readexactly(length)


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

    server, url = await _raw_server(answer_once_then_hang_up)
    async with server:
        first = await client.request("POST", url, b"x", {}, 5)
        await asyncio.sleep(0.05)
        second = await client.request("POST", url, b"y", {}, 5)
    assert (first.status, second.status, served) == (200, 200, 2)


async def test_no_answer_in_time_and_a_non_http_answer_are_errors(client: WebhookHttp) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await writer.drain()
        writer.close()

    slow, slow_url = await _raw_server(silent)
    bad, bad_url = await _raw_server(garbage)
    async with slow, bad:
        with pytest.raises(TimeoutError):
            await client.request("POST", slow_url, b"x", {}, 0.2)
        with pytest.raises(WebhookHttpError):
            await client.request("POST", bad_url, b"x", {}, 5)
        slow.close()
        bad.close()
    with pytest.raises(OSError):  # nothing listens there any more
        await client.request("POST", bad_url, b"x", {}, 5)
