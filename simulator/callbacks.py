"""Signed form POSTs to the customer's webhooks (status callbacks, inbound messages),
retried with exponential backoff on non-2xx answers, timeouts and connection errors."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp

from simulator.scenario.carrier_model import CallbackFaults
from simulator.webhook_http import WebhookHttp
from telecom.signature import compute_signature
from telecom.wire import encode_form

__all__ = ["Delivery", "WebhookSender"]

log = logging.getLogger("simulator.callbacks")


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    status: int | None  # the last HTTP status, None when no answer came
    body: str
    attempts: int


class WebhookSender:
    """Plain `http` webhooks go through simulator.webhook_http (123-137 against aiohttp's
    219-342 us of CPU a request: loadtests/micro/webhook_sender.py); `https` and the rest
    through `session`. close() before the event loop ends: it ends the kept connections."""

    def __init__(self, session: aiohttp.ClientSession, concurrency: int = 64) -> None:
        self._session = session
        self._http = WebhookHttp(per_origin=concurrency)
        self._slots = asyncio.Semaphore(concurrency)

    async def close(self) -> None:
        """Ends the sender's own connections (the session is its owner's to close)."""
        await self._http.close()

    async def send(
        self,
        url: str,
        params: dict[str, str],
        auth_token: str,
        faults: CallbackFaults,
        method: str = "POST",
    ) -> Delivery:
        if method == "GET":  # parameters travel in the URL, which is what gets signed
            url = f"{url}{'&' if '?' in url else '?'}{encode_form(params)}"
            params = {}
        headers = {
            "User-Agent": "TwilioProxy/1.1",  # what Twilio's webhooks send
            "X-Twilio-Signature": compute_signature(url, params, auth_token),
        }
        if params:  # encoded once here: cheaper than aiohttp's FormData, and retries reuse it
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        form = encode_form(params).encode() if params else None
        status: int | None = None
        for attempt in range(1, faults.attempts + 1):
            try:
                async with self._slots:
                    status, answer = await self._request(method, url, form, headers, faults)
                if 200 <= status < 300:
                    return Delivery(True, status, answer, attempt)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.info("webhook %s attempt %d failed: %s", url, attempt, exc)
            if attempt < faults.attempts:
                await asyncio.sleep(faults.backoff * 2 ** (attempt - 1))
        log.warning(
            "webhook %s gave up after %d attempts (last status %s)", url, faults.attempts, status
        )
        return Delivery(False, status, "", faults.attempts)

    async def _request(
        self,
        method: str,
        url: str,
        form: bytes | None,
        headers: dict[str, str],
        faults: CallbackFaults,
    ) -> tuple[int, str]:
        if WebhookHttp.handles(url):
            answer = await self._http.request(method, url, form, headers, faults.timeout)
            return answer.status, answer.body
        timeout = aiohttp.ClientTimeout(total=faults.timeout)
        async with self._session.request(
            method, url, data=form, headers=headers, timeout=timeout
        ) as response:
            return response.status, await response.text()
