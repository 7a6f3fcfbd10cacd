"""The carrier client: Twilio's Messaging wire (2010-04-01), given base URL, sid, token, session.

Pointing the gateway at real Twilio is a config change. One method (`_call`) adds timing,
logging, auth and the error mapping, so every way a call can fail ends as one of three
exceptions: `CarrierRejected` (a 4xx Twilio error: final for that request),
`CarrierUnavailable` (5xx, 20429, 21611, timeout, connection trouble: try again later) or its
kind `CarrierMisconfigured` (401/403, a 404 on our account's own collection, an answer that is
not Twilio's JSON: wrong token or URL, nothing to do with the message).

`list_messages` is how a create whose answer was lost is looked up at a carrier that ignores
`Idempotency-Key` (real Twilio). It filters by To and From only: Twilio's `DateSent` filter
reads `date_sent`, which a `queued` (or `failed`) message does not have yet, so it would hide
exactly the message just created. The list is newest first; paging stops at a page that
reaches back before `since`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

from gateway.core.errors import CarrierMisconfigured, CarrierRejected, CarrierUnavailable
from telecom import parse_rfc2822
from telecom.wire import API_VERSION

__all__ = [
    "AvailableNumber",
    "BoughtNumber",
    "CarrierClient",
    "ListedMessage",
    "SentMessage",
    "WhitelistSubmission",
    "is_retryable",
]

log = logging.getLogger("gateway.carrier")

# 4xx codes that say "not now" rather than "never": too many requests, sender queue full
_RETRYABLE_CODES = frozenset({20429, 21611})
_LIST_PAGE = 100
_LIST_PAGES = 20  # a lookup reads at most this many pages; beyond, it is inconclusive


def is_retryable(http_status: int, code: int | None) -> bool:
    return http_status >= 500 or http_status == 429 or code in _RETRYABLE_CODES


@dataclass(frozen=True, slots=True)
class SentMessage:
    sid: str
    status: str
    num_segments: int | None
    error_code: int | None = None  # a repeated create answers the message as it is now


@dataclass(frozen=True, slots=True)
class ListedMessage:
    """One entry of the carrier's Messages list, as a lookup needs it."""

    sid: str
    status: str
    direction: str
    body: str
    date_created: datetime | None
    num_segments: int | None
    error_code: int | None = None

    def sent(self) -> SentMessage:
        """As a create's answer: its status may be final already (with its code)."""
        return SentMessage(self.sid, self.status or "queued", self.num_segments, self.error_code)


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
    def __init__(
        self,
        base_url: str,
        account_sid: str,
        auth_token: str,
        session: aiohttp.ClientSession,
        timeout: float = 10.0,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._root = f"{self._base}/{API_VERSION}/Accounts/{account_sid}"
        # BasicAuth is deprecated in aiohttp 3.14: send the header ourselves
        self._auth = {"Authorization": aiohttp.encode_basic_auth(account_sid, auth_token)}
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_message(
        self, *, to: str, from_: str, body: str, status_callback: str, idempotency_key: str
    ) -> SentMessage:
        data = await self._call(
            "POST",
            "Messages.json",
            form={"To": to, "From": from_, "Body": body, "StatusCallback": status_callback},
            headers={"Idempotency-Key": idempotency_key},
            collection=True,
        )
        if not isinstance(data.get("sid"), str):
            raise CarrierMisconfigured(_not_twilio("POST Messages.json", "a message without a sid"))
        return SentMessage(
            str(data["sid"]),
            str(data.get("status") or "queued"),
            _segments(data),
            _error_code(data),
        )

    async def list_messages(self, *, to: str, from_: str, since: datetime) -> list[ListedMessage]:
        """Messages from `from_` to `to`, newest first, back to about `since` (older ones may
        be included). Raises CarrierUnavailable when the list goes on past `_LIST_PAGES`."""
        found: list[ListedMessage] = []
        path = "Messages.json"
        params: dict[str, str] | None = {"To": to, "From": from_, "PageSize": str(_LIST_PAGE)}
        for _ in range(_LIST_PAGES):
            data = await self._call("GET", path, params=params, collection=True)
            entries = data.get("messages")
            if not isinstance(entries, list):
                raise CarrierMisconfigured(_not_twilio("GET Messages.json", "no messages list"))
            page = [_listed(entry) for entry in entries if isinstance(entry, dict)]
            found += page
            following = data.get("next_page_uri")
            if (
                not following
                or not page
                or any(m.date_created is not None and m.date_created < since for m in page)
            ):
                return found
            path, params = str(following), None  # verbatim, as Twilio's SDK follows it
        raise CarrierUnavailable(
            f"more than {_LIST_PAGES * _LIST_PAGE} messages from {from_}"
            f" to {to}: the lookup is inconclusive"
        )

    async def search_numbers(
        self, country: str, kind: str, area_code: str | None = None
    ) -> list[AvailableNumber]:
        """`kind` is Twilio's list name: Local or Mobile."""
        params = {"SmsEnabled": "true"}
        if area_code:
            params["AreaCode"] = area_code
        data = await self._call(
            "GET", f"AvailablePhoneNumbers/{country}/{kind}.json", params=params
        )
        found = []
        for entry in data.get("available_phone_numbers") or []:
            caps = {str(k).lower(): v for k, v in (entry.get("capabilities") or {}).items()}
            found.append(
                AvailableNumber(
                    str(entry["phone_number"]), bool(caps.get("sms")), entry.get("iso_country")
                )
            )
        return found

    async def buy_number(
        self, *, phone_number: str, sms_url: str, status_callback: str, friendly_name: str
    ) -> BoughtNumber:
        data = await self._call(
            "POST",
            "IncomingPhoneNumbers.json",
            form={
                "PhoneNumber": phone_number,
                "SmsUrl": sms_url,
                "SmsMethod": "POST",
                "StatusCallback": status_callback,
                "FriendlyName": friendly_name[:64],
            },
            collection=True,
        )
        return BoughtNumber(str(data["sid"]), str(data.get("phone_number") or phone_number))

    async def release_number(self, sid: str) -> None:
        await self._call("DELETE", f"IncomingPhoneNumbers/{sid}.json")

    async def fetch_message_status(self, sid: str) -> tuple[str, int | None]:
        """(status, error_code) of a message, as the carrier holds it now (reconciliation)."""
        data = await self._call("GET", f"Messages/{sid}.json")
        code = data.get("error_code")
        return str(data.get("status") or ""), code if isinstance(code, int) else None

    async def request_whitelist(
        self,
        *,
        phone_number: str,
        website: str,
        content_type: str,
        examples: tuple[str, ...],
        opted_in: bool,
        relationship: str,
        status_callback: str,
    ) -> WhitelistSubmission:
        """The simulator's SmsWhitelistRequests extension (Twilio has no such resource): the
        decision comes later, signed, to `status_callback`."""
        form = [
            ("PhoneNumber", phone_number),
            ("Website", website),
            ("ContentType", content_type),
            *(("Examples", text) for text in examples),
            ("OptedIn", "true" if opted_in else "false"),
            ("Relationship", relationship),
            ("StatusCallback", status_callback),
        ]
        data = await self._call("POST", "SmsWhitelistRequests.json", form=form)
        return WhitelistSubmission(str(data["sid"]), str(data.get("status") or "submitted"))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | list[tuple[str, str]] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        collection: bool = False,
    ) -> dict[str, Any]:
        """`collection`: the path is our account's own list (Messages.json), which exists
        whenever the URL and account are right, so a 404 there is misconfiguration, not a
        missing record. A `path` starting with / is a page URI the carrier gave."""
        started = time.perf_counter()
        all_headers = {**self._auth, **(headers or {})}
        body = None
        if form is not None:
            # encoded here: aiohttp's FormData builds a multipart writer per request first
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            async with self._session.request(
                method,
                f"{self._base}{path}" if path.startswith("/") else f"{self._root}/{path}",
                data=body,
                params=params,
                headers=all_headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                text = await response.text()
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("carrier %s %s failed: %r", method, path, exc)
            raise CarrierUnavailable(f"carrier unreachable: {exc!r}") from exc
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("carrier %s %s -> %s in %.1f ms", method, path, status, elapsed)
        data = _json(text)
        what = f"{method} {path.split('?')[0]}"
        if status < 400:
            if data or status == 204:
                return data
            raise CarrierMisconfigured(_not_twilio(what, f"HTTP {status} {text[:80]!r}"))
        code = data.get("code") if isinstance(data.get("code"), int) else None
        message = str(data.get("message") or text[:200] or f"HTTP {status}")
        if is_retryable(status, code):
            raise CarrierUnavailable(f"carrier answered {status} ({code}): {message}")
        if status in (401, 403):
            raise CarrierMisconfigured(
                f"the carrier refused our credentials on {what} (HTTP {status}, code {code}:"
                f" {message}): check carrier.account_sid and carrier.auth_token"
            )
        if code is None:
            raise CarrierMisconfigured(_not_twilio(what, f"HTTP {status} {text[:80]!r}"))
        if status == 404 and collection:
            raise CarrierMisconfigured(
                f"the carrier has no {what} for our account (HTTP 404, code {code}: {message}):"
                " check carrier.url and carrier.account_sid"
            )
        raise CarrierRejected(code, message)


def _not_twilio(what: str, answer: str) -> str:
    return f"the carrier's answer to {what} is not Twilio's ({answer}): check carrier.url"


def _segments(data: dict[str, Any]) -> int | None:
    segments = str(data.get("num_segments") or "")
    return int(segments) if segments.isdigit() else None


def _error_code(data: dict[str, Any]) -> int | None:
    code = data.get("error_code")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _listed(entry: dict[str, Any]) -> ListedMessage:
    return ListedMessage(
        str(entry.get("sid") or ""),
        str(entry.get("status") or ""),
        str(entry.get("direction") or ""),
        str(entry.get("body") or ""),
        parse_rfc2822(entry.get("date_created")),
        _segments(entry),
        _error_code(entry),
    )


def _json(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
