"""Hardening: the token bucket (pure), 413 for oversize bodies and 429 with Retry-After and
RateLimit in Close's shape, honoured by Close's own client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.limits import RateLimiter
from tests.gateway.harness import Harness, in_thread


def test_bucket_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("k", 0.0) == pytest.approx(0.5)  # next token in half a second
    assert limiter.take("other", 0.0) == 0.0  # per key
    assert limiter.take("k", 0.5) == 0.0
    assert limiter.take("k", 0.5) == pytest.approx(0.5)
    assert limiter.take("k", 10.0) == 0.0  # refilled, up to the burst only
    assert [limiter.take("k", 10.0) for _ in range(3)][-1] == pytest.approx(0.5)


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, rate_limit=1.0, rate_burst=2, max_body_bytes=2048)
    yield h
    await h.close()


async def test_oversize_body_is_413_in_closes_shape(limited: Harness) -> None:
    key = await limited.new_org()
    status, body = await limited.request(key, "POST", "/api/v1/lead/",
                                         json={"name": "x" * 5000})
    assert (status, list(body)) == (413, ["error"])
    # a body without Content-Length (chunked) is held to the same limit
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b'{"name": "' + b"y" * 500

    status, body = await limited.request(key, "POST", "/api/v1/lead/", data=chunks(),
                                         headers={"Content-Type": "application/json"})
    assert (status, list(body)) == (413, ["error"])
    status, _ = await limited.request(key, "POST", "/api/v1/lead/", json={"name": "ok"})
    assert status == 200


async def test_429_with_retry_after_and_ratelimit(limited: Harness) -> None:
    key = await limited.new_org()
    assert (await limited.request(key, "GET", "/api/v1/lead/"))[0] == 200
    assert (await limited.request(key, "GET", "/api/v1/lead/"))[0] == 200
    async with limited.session.get(
        f"{limited.url}/api/v1/lead/",
        headers={"Authorization": __import__("aiohttp").encode_basic_auth(key, "")},
    ) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "1"
        assert response.headers["RateLimit"] == "limit=2, remaining=0, reset=1"
        assert "error" in await response.json()
    other = await limited.new_org("Other")
    assert (await limited.request(other, "GET", "/api/v1/lead/"))[0] == 200  # per key
    assert (await limited.request(None, "GET", "/healthz"))[0] == 200  # ops never limited


async def test_closes_client_waits_and_retries(limited: Harness) -> None:
    key = await limited.new_org()
    api = limited.close_api(key)
    started = time.monotonic()
    for _ in range(4):  # the burst is 2: calls 3 and 4 wait for the rate
        await in_thread(api.get, "lead")
    assert time.monotonic() - started >= 0.9
