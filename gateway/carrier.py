"""The carrier client: Twilio's Messaging wire (2010-04-01), given base URL, sid, token, session.

Pointing the gateway at real Twilio is a config change. One method (`_call`) adds timing,
logging, auth and the error mapping, so every way a call can fail ends as one of two
exceptions: `CarrierRejected` (a 4xx Twilio error: final for that request) or
`CarrierUnavailable` (5xx, 20429, 21611, timeout, connection trouble: try again later).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from gateway.errors import CarrierRejected, CarrierUnavailable

__all__ = [
    "AvailableNumber",
    "BoughtNumber",
    "CarrierClient",
    "SentMessage",
    "WhitelistSubmission",
    "is_retryable",
]

log = logging.getLogger("gateway.carrier")

# 4xx codes that say "not now" rather than "never": too many requests, sender queue full
_RETRYABLE_CODES = frozenset({20429, 21611})


def is_retryable(http_status: int, code: int | None) -> bool:
    return http_status >= 500 or http_status == 429 or code in _RETRYABLE_CODES


@dataclass(frozen=True, slots=True)
class SentMessage:
    sid: str
    status: str
    num_segments: int | None
    error_code: int | None = None  # a repeated create answers the message as it is now


@dataclass(frozen=True, slots=True)
class AvailableNumber:
    phone_number: str
    sms: bool
    iso_country: str | None


@dataclass(frozen=True, slots=True)
class BoughtNumber:
    sid: str
    phone_number: str


@dataclass(frozen=True, slots=True)
class WhitelistSubmission:
    sid: str
    status: str


class CarrierClient:
    def __init__(self, base_url: str, account_sid: str, auth_token: str,
                 session: aiohttp.ClientSession, timeout: float = 10.0) -> None:
        self._root = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        # BasicAuth is deprecated in aiohttp 3.14: send the header ourselves
        self._auth = {"Authorization": aiohttp.encode_basic_auth(account_sid, auth_token)}
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_message(self, *, to: str, from_: str, body: str, status_callback: str,
                           idempotency_key: str) -> SentMessage:
        data = await self._call(
            "POST", "Messages.json",
            form={"To": to, "From": from_, "Body": body, "StatusCallback": status_callback},
            headers={"Idempotency-Key": idempotency_key},
        )
        segments, code = data.get("num_segments"), data.get("error_code")
        return SentMessage(
            sid=str(data["sid"]),
            status=str(data.get("status") or "queued"),
            num_segments=int(str(segments)) if str(segments or "").isdigit() else None,
            error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        )

    async def search_numbers(self, country: str, kind: str,
                             area_code: str | None = None) -> list[AvailableNumber]:
        """`kind` is Twilio's list name: Local or Mobile."""
        params = {"SmsEnabled": "true"}
        if area_code:
            params["AreaCode"] = area_code
        data = await self._call("GET", f"AvailablePhoneNumbers/{country}/{kind}.json",
                                params=params)
        found = []
        for entry in data.get("available_phone_numbers") or []:
            caps = {str(k).lower(): v for k, v in (entry.get("capabilities") or {}).items()}
            found.append(AvailableNumber(str(entry["phone_number"]), bool(caps.get("sms")),
                                         entry.get("iso_country")))
        return found

    async def buy_number(self, *, phone_number: str, sms_url: str, status_callback: str,
                         friendly_name: str) -> BoughtNumber:
        data = await self._call("POST", "IncomingPhoneNumbers.json", form={
            "PhoneNumber": phone_number, "SmsUrl": sms_url, "SmsMethod": "POST",
            "StatusCallback": status_callback, "FriendlyName": friendly_name[:64],
        })
        return BoughtNumber(str(data["sid"]), str(data.get("phone_number") or phone_number))

    async def release_number(self, sid: str) -> None:
        await self._call("DELETE", f"IncomingPhoneNumbers/{sid}.json")

    async def fetch_message_status(self, sid: str) -> tuple[str, int | None]:
        """(status, error_code) of a message, as the carrier holds it now (reconciliation)."""
        data = await self._call("GET", f"Messages/{sid}.json")
        code = data.get("error_code")
        return str(data.get("status") or ""), code if isinstance(code, int) else None

    async def request_whitelist(self, *, phone_number: str, website: str, content_type: str,
                                examples: tuple[str, ...], opted_in: bool, relationship: str,
                                status_callback: str) -> WhitelistSubmission:
        """The simulator's SmsWhitelistRequests extension (Twilio has no such resource): the
        decision comes later, signed, to `status_callback`."""
        form = [("PhoneNumber", phone_number), ("Website", website),
                ("ContentType", content_type), *(("Examples", text) for text in examples),
                ("OptedIn", "true" if opted_in else "false"), ("Relationship", relationship),
                ("StatusCallback", status_callback)]
        data = await self._call("POST", "SmsWhitelistRequests.json", form=form)
        return WhitelistSubmission(str(data["sid"]), str(data.get("status") or "submitted"))

    async def _call(self, method: str, path: str, *,
                    form: dict[str, str] | list[tuple[str, str]] | None = None,
                    params: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> dict[str, Any]:
        started = time.perf_counter()
        all_headers = {**self._auth, **(headers or {})}
        body = None
        if form is not None:
            # encoded here: aiohttp's FormData builds a multipart writer per request first
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            async with self._session.request(
                method, f"{self._root}/{path}", data=body, params=params,
                headers=all_headers, timeout=self._timeout,
            ) as response:
                status = response.status
                text = await response.text()
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("carrier %s %s failed: %r", method, path, exc)
            raise CarrierUnavailable(f"carrier unreachable: {exc!r}") from exc
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("carrier %s %s -> %s in %.1f ms", method, path, status, elapsed)
        data = _json(text)
        if status < 400:
            return data
        code = data.get("code") if isinstance(data.get("code"), int) else None
        message = str(data.get("message") or text[:200] or f"HTTP {status}")
        if is_retryable(status, code):
            raise CarrierUnavailable(f"carrier answered {status} ({code}): {message}")
        raise CarrierRejected(code, message)


def _json(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
