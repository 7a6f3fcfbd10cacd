"""Hardening: the token bucket (pure), 413 for oversize bodies, 429 with Retry-After and
RateLimit in Close's shape, honoured by Close's own client, and failed authentications
throttled per client address before the key lookup."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from gateway.edge.auth import create_organization
from gateway.edge.limits import RateLimiter
from gateway.edge.throttle import client_address
from gateway.keys import STORE
from tests.gateway.harness import Harness, in_thread
from tests.gateway.store_calls import count_store_calls


def test_bucket_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("k", 0.0) == pytest.approx(0.5)  # next token in half a second
    assert limiter.take("other", 0.0) == 0.0  # per key
    assert limiter.take("k", 0.5) == 0.0
    assert limiter.take("k", 0.5) == pytest.approx(0.5)
    assert limiter.take("k", 10.0) == 0.0  # refilled, up to the burst only
    assert [limiter.take("k", 10.0) for _ in range(3)][-1] == pytest.approx(0.5)


def test_a_token_given_back_and_the_table_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=2, max_keys=3)
    assert [limiter.take("k", 0.0) for _ in range(2)] == [0.0, 0.0]
    limiter.give_back("k")  # the request it was taken for succeeded
    assert limiter.take("k", 0.0) == 0.0
    assert limiter.take("k", 0.0) == pytest.approx(1.0)
    for n in range(10):
        limiter.take(f"address {n}", 0.0)
    assert len(limiter) == 3  # the least recently used went, full again if it comes back


def test_client_address_groups_an_ipv6_host_by_its_64() -> None:
    assert client_address("203.0.113.7") == "203.0.113.7"
    assert client_address("2001:db8:1:2:aaaa::1") == client_address("2001:db8:1:2::ffff")
    assert client_address("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_address("2001:db8:1:2::1") != client_address("2001:db8:1:3::1")
    assert client_address(None) == ""


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await Harness.start(tmp_path, rate_limit=1.0, rate_burst=2, max_body_bytes=2048)
    yield h
    await h.close()


async def test_oversize_body_is_413_in_closes_shape(limited: Harness) -> None:
    key = await limited.new_org()
    status, body = await limited.request(key, "POST", "/api/v1/lead/", json={"name": "x" * 5000})
    assert (status, list(body)) == (413, ["error"])

    # a body without Content-Length (chunked) is held to the same limit
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b'{"name": "' + b"y" * 500

    status, body = await limited.request(
        key, "POST", "/api/v1/lead/", data=chunks(), headers={"Content-Type": "application/json"}
    )
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


async def _get(session: aiohttp.ClientSession, url: str, key: str) -> tuple[int, dict[str, str]]:
    async with session.get(
        f"{url}/api/v1/lead/", headers={"Authorization": aiohttp.encode_basic_auth(key, "")}
    ) as r:
        await r.read()
        return r.status, dict(r.headers)


async def test_random_keys_are_throttled_before_the_lookup(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defaults (api.rate_limit off): a burst of random keys from one address is 429 after
    `api.auth_failure_burst` failures, and the store is asked about those only."""
    known = await harness.new_org()
    assert (await harness.request(known, "GET", "/api/v1/lead/"))[0] == 200  # now cached
    calls = count_store_calls(harness.app[STORE], monkeypatch)
    started = time.monotonic()
    answers = await asyncio.gather(
        *(
            _get(harness.session, harness.url, "api_" + secrets.token_urlsafe(32))
            for _ in range(300)
        )
    )
    allowed = 20 + (time.monotonic() - started) * 1.0 + 1  # the burst, then 1 per second
    statuses = [status for status, _ in answers]
    assert statuses.count(401) + statuses.count(429) == 300
    assert statuses.count(401) <= allowed and calls["organization_for_key"] <= allowed
    refused = next(headers for status, headers in answers if status == 429)
    assert int(refused["Retry-After"]) >= 1 and "RateLimit" in refused
    # a key the gateway knows is never held back, from the same address
    assert (await harness.request(known, "GET", "/api/v1/lead/"))[0] == 200
    # another address is a bucket of its own: a key never seen before is looked up
    _org, fresh = await create_organization(harness.app[STORE], "Elsewhere")
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as elsewhere:
        assert (await _get(elsewhere, harness.url, fresh))[0] == 200


async def test_concurrent_requests_with_a_new_key_share_one_lookup(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy client meets a fresh process (nothing cached): all its requests go through, on
    one lookup, however many come at once."""
    key = await harness.new_org()
    calls = count_store_calls(harness.app[STORE], monkeypatch)
    answers = await asyncio.gather(*(_get(harness.session, harness.url, key) for _ in range(60)))
    assert {status for status, _ in answers} == {200}
    assert calls["organization_for_key"] == 1
