"""A small HTTP/1.1 client for the webhooks: keep-alive connections per origin, one request at
a time on each, the answer read whole (Content-Length, chunked, or until close).

The webhook sender makes two or three requests per message to one origin (the gateway), and
aiohttp's client spent more CPU on each than the gateway spends answering it. Plain `http`
only: `https` and anything else go through aiohttp (simulator.callbacks).

Two promises, each with its test (tests/simulator/test_webhook_http.py):
- `close()` ends every connection, idle, in use or still being opened, and returns only once
  each is closed: none is left for the event loop's end (an unraisable ResourceWarning).
- A request is never sent twice: a kept connection found closed before a byte is written is
  replaced; once bytes are written, any failure is the caller's to retry or not.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["HttpAnswer", "WebhookHttp", "WebhookHttpError"]

_Origin = tuple[str, int]
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
_MAX_HEAD = 64 * 1024  # a webhook's answer has a few headers; anything past this is wrong
_MAX_BODY = 1024 * 1024


class WebhookHttpError(OSError):
    """The answer was not HTTP/1.x we could read (or the connection ended inside it)."""


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    body: str


class WebhookHttp:
    def __init__(self, per_origin: int = 64) -> None:
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._open: set[asyncio.StreamWriter] = set()  # every connection not yet closed
        self._connecting: set[asyncio.Task[_Connection]] = set()
        self._closing: set[asyncio.Future[None]] = set()  # closed, the socket not yet let go
        self._per_origin = per_origin
        self._closed = False

    @staticmethod
    def handles(url: str) -> bool:
        return url.startswith("http://")

    async def request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: float,
    ) -> HttpAnswer:
        """Raises OSError (WebhookHttpError included) or TimeoutError."""
        if self._closed:
            raise WebhookHttpError("the client is closed")
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc.rpartition('@')[2]}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None or method not in ("GET", "HEAD"):
            head.append(f"Content-Length: {len(body or b'')}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")
        async with asyncio.timeout(timeout):
            origin = (host, port)
            connection = self._kept(origin) or await self._connect(host, port)
            try:
                return await self._exchange(origin, connection, request, method)
            except asyncio.IncompleteReadError as exc:
                self._close(connection)
                raise WebhookHttpError("the connection closed inside the answer") from exc
            except BaseException:
                self._close(connection)
                raise

    def _kept(self, origin: _Origin) -> _Connection | None:
        """An idle connection still open; those the server closed meanwhile are dropped (no
        byte has been written on them for this request, so nothing is sent twice)."""
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not (connection[0].at_eof() or connection[1].is_closing()):
                return connection
            self._close(connection)
        return None

    async def _connect(self, host: str, port: int) -> _Connection:
        # a task of its own, adopted when done: close() can end a connection still being
        # opened, and one that completes as its caller is cancelled is closed, not dropped
        opening = asyncio.ensure_future(asyncio.open_connection(host, port))
        self._connecting.add(opening)
        opening.add_done_callback(self._adopt)
        try:
            return await opening
        except asyncio.CancelledError:  # cancelled as the connection came: ours to close
            if opening.done() and not opening.cancelled() and opening.exception() is None:
                self._close(opening.result())
            raise

    def _adopt(self, opening: asyncio.Task[_Connection]) -> None:
        self._connecting.discard(opening)
        if opening.cancelled() or opening.exception() is not None:
            return
        connection = opening.result()
        self._open.add(connection[1])
        if self._closed:
            self._close(connection)

    async def _exchange(
        self, origin: _Origin, connection: _Connection, request: bytes, method: str
    ) -> HttpAnswer:
        if self._closed:
            raise WebhookHttpError("the client is closed")
        reader, writer = connection
        writer.write(request)
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as exc:
            raise WebhookHttpError("answer headers too long") from exc
        if len(head) > _MAX_HEAD:
            raise WebhookHttpError("answer headers too long")
        status, fields = _parse_head(head)
        keep = fields.get("connection", "").lower() != "close"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in fields.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        elif "content-length" in fields:
            try:
                length = int(fields["content-length"])
            except ValueError:
                raise WebhookHttpError("bad Content-Length") from None
            if not 0 <= length <= _MAX_BODY:
                raise WebhookHttpError("answer body too long")
            body = await reader.readexactly(length)
        else:  # the body runs until the server closes
            body, keep = await _read_to_end(reader), False
        idle = self._idle.setdefault(origin, [])
        if keep and not self._closed and len(idle) < self._per_origin:
            idle.append(connection)
        else:
            self._close(connection)
        return HttpAnswer(status, body.decode("utf-8", "replace"))

    async def close(self) -> None:
        """Ends every connection, idle or in use (a request on one fails), and those being
        opened; returns once each is closed, so none outlives the event loop."""
        self._closed = True
        self._idle.clear()
        for opening in list(self._connecting):
            opening.cancel()
        # each adopts its connection when done (and closes it at once, as we are closed)
        await asyncio.gather(*self._connecting, return_exceptions=True)
        for writer in list(self._open):
            self._close((None, writer))
        while self._closing:
            await asyncio.gather(*self._closing)

    def _close(self, connection: tuple[asyncio.StreamReader | None, asyncio.StreamWriter]) -> None:
        """At once, unsent bytes dropped (a graceful close waits on a peer that may never read);
        the transport lets go of its socket a turn of the loop later: close() waits for that."""
        writer = connection[1]
        self._open.discard(writer)
        with contextlib.suppress(Exception):
            writer.transport.abort()
        closing = asyncio.ensure_future(_wait_closed(writer))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)


async def _wait_closed(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise WebhookHttpError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return int(code), fields


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise WebhookHttpError("bad chunk size") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the end
                pass
            return bytes(body)
        if len(body) + size > _MAX_BODY:
            raise WebhookHttpError("answer body too long")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while chunk := await reader.read(65536):
        body += chunk
        if len(body) > _MAX_BODY:
            raise WebhookHttpError("answer body too long")
    return bytes(body)
