"""A signed-in console session over plain HTTP (aiohttp's client keeps the cookies)."""

from __future__ import annotations

import re

import aiohttp

from tests.gateway.harness import Harness

__all__ = ["Console", "csrf_of"]

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html[:500]
    return found.group(1)


class Console:
    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    @property
    def url(self) -> str:
        return self.harness.url

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.url + path, allow_redirects=True) as response:
            text = await response.text()
            if 'name="csrf"' in text:
                self.csrf = csrf_of(text)
            return response.status, text

    async def post(
        self, path: str, form: dict[str, str], csrf: bool = True
    ) -> tuple[int, str, str]:
        """Status, body and the final URL (after the redirect a successful form answers)."""
        data = {**({"csrf": self.csrf} if csrf else {}), **form}
        async with self.session.post(self.url + path, data=data) as response:
            text = await response.text()
            if 'name="csrf"' in text:
                self.csrf = csrf_of(text)
            return response.status, text, str(response.url)

    async def sign_in(self, key: str) -> tuple[int, str, str]:
        await self.get("/ui/login")
        return await self.post("/ui/login", {"api_key": key})

    async def close(self) -> None:
        await self.session.close()
