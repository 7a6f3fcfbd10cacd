"""Signed form POSTs to the customer's webhooks (status callbacks, inbound messages),
retried with exponential backoff on non-2xx answers, timeouts and connection errors."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from simulator.scenario.carrier_model import CallbackFaults
from telecom.signature import compute_signature

__all__ = ["Delivery", "WebhookSender"]

log = logging.getLogger("simulator.callbacks")


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    status: int | None  # the last HTTP status, None when no answer came
    body: str
    attempts: int


class WebhookSender:
    def __init__(self, session: aiohttp.ClientSession, concurrency: int = 64) -> None:
        self._session = session
        self._slots = asyncio.Semaphore(concurrency)

    async def send(
        self,
        url: str,
        params: dict[str, str],
        auth_token: str,
        faults: CallbackFaults,
        method: str = "POST",
    ) -> Delivery:
        if method == "GET":  # parameters travel in the URL, which is what gets signed
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
            params = {}
        headers = {"X-Twilio-Signature": compute_signature(url, params, auth_token)}
        if params:  # encoded once here: cheaper than aiohttp's FormData, and retries reuse it
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        form = urlencode(params) if params else None
        timeout = aiohttp.ClientTimeout(total=faults.timeout)
        status: int | None = None
        for attempt in range(1, faults.attempts + 1):
            try:
                async with (
                    self._slots,
                    self._session.request(
                        method, url, data=form, headers=headers, timeout=timeout
                    ) as response,
                ):
                    status = response.status
                    answer = await response.text()
                    if 200 <= status < 300:
                        return Delivery(True, status, answer, attempt)
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.info("webhook %s attempt %d failed: %s", url, attempt, exc)
            if attempt < faults.attempts:
                await asyncio.sleep(faults.backoff * 2 ** (attempt - 1))
        log.warning(
            "webhook %s gave up after %d attempts (last status %s)", url, faults.attempts, status
        )
        return Delivery(False, status, "", faults.attempts)
