"""A small HTTP/1.1 client for the webhooks: keep-alive connections per origin, one request at
a time on each, the answer read whole (Content-Length, chunked, or until close).

The webhook sender makes two or three requests per message to one origin (the gateway), and
aiohttp's client spent more CPU on each than the gateway spends answering it. Plain `http`
only: `https` and anything else go through aiohttp (simulator.callbacks).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
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
        self._per_origin = per_origin
        self._closed = False
        # dropped without close(): its kept-alive connections close with it, not at exit
        weakref.finalize(self, _close_all, self._idle)

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
            idle = self._idle.get(origin)
            if idle:
                connection = idle.pop()
                try:
                    return await self._exchange(origin, connection, request, method)
                except (OSError, asyncio.IncompleteReadError):
                    # a kept-alive connection the server had closed: once more on a new one
                    _close(connection)
                except BaseException:
                    _close(connection)
                    raise
            connection = await asyncio.open_connection(host, port)
            try:
                return await self._exchange(origin, connection, request, method)
            except asyncio.IncompleteReadError as exc:
                _close(connection)
                raise WebhookHttpError("the connection closed inside the answer") from exc
            except BaseException:
                _close(connection)
                raise

    async def _exchange(
        self, origin: _Origin, connection: _Connection, request: bytes, method: str
    ) -> HttpAnswer:
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
            body, keep = await reader.read(_MAX_BODY), False
        if keep and not self._closed:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self._per_origin:
                idle.append(connection)
            else:
                _close(connection)
        else:
            _close(connection)
        return HttpAnswer(status, body.decode("utf-8", "replace"))

    async def close(self) -> None:
        self._closed = True
        _close_all(self._idle)


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


def _close_all(idle: dict[_Origin, list[_Connection]]) -> None:
    for connections in idle.values():
        for connection in connections:
            _close(connection)
    idle.clear()


def _close(connection: _Connection) -> None:
    with contextlib.suppress(Exception):
        connection[1].close()
