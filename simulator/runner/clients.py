"""The runner's HTTP clients: the gateway's public Close API and the simulator's control API.
Nothing else in the runner speaks HTTP; both raise RunFailed for answers a run cannot use."""

from __future__ import annotations

from typing import Any

import aiohttp

from simulator.runner.outcome import SearchResult, UsageResult

__all__ = ["CarrierControl", "GatewayApi", "RunFailed"]

_SMS_FIELDS = (
    "id,lead_id,contact_id,direction,status,delivery_status,error_code,error_reason,"
    "text,local_phone,remote_phone,source,remote_country_iso,segments,cost,"
    "date_created,date_updated"
)
_NUMBER_FIELDS = "id,number,whitelisted,spam_flagged_count"


class RunFailed(Exception):
    """The run cannot go on: a setup request failed, or a server answered nonsense."""


class GatewayApi:
    def __init__(self, session: aiohttp.ClientSession, url: str, api_key: str) -> None:
        self._session = session
        self._base = url.rstrip("/") + "/api/v1/"
        self._headers = {"Authorization": aiohttp.encode_basic_auth(api_key, "")}
        self.page = 1000  # lowered to Close's default once a gateway refuses it

    async def call(
        self, method: str, path: str, body: Any = None, params: Any = None
    ) -> tuple[int, Any]:
        async with self._session.request(
            method, self._base + path, json=body, params=params, headers=self._headers
        ) as response:
            try:
                data = await response.json(content_type=None)
            except ValueError:
                data = await response.text()
            return response.status, data

    async def must(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        status, data = await self.call(method, path, body, params)
        if not 200 <= status < 300:
            raise RunFailed(f"{method} /api/v1/{path}: HTTP {status}: {data}")
        return data

    async def every(self, path: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a list resource, page after page."""
        items: list[Any] = []
        while True:
            query = {**(params or {}), "_skip": str(len(items)), "_limit": str(self.page)}
            status, data = await self.call("GET", path, params=query)
            if status == 400 and self.page > 100:  # max_limit: fall back to Close's default
                self.page = 100
                continue
            if status != 200:
                raise RunFailed(f"GET /api/v1/{path}: HTTP {status}: {data}")
            items.extend(data["data"])
            if not data.get("has_more") or not data["data"]:
                return items

    async def all_sms(self) -> list[dict[str, Any]]:
        return await self.every("activity/sms/", {"_fields": _SMS_FIELDS})

    async def any_unsent(self) -> bool:
        """Whether a message still waits to go out (outbox or scheduled)."""
        data = await self.must(
            "GET",
            "activity/sms/",
            params=[
                ("status", "outbox"),
                ("status", "scheduled"),
                ("_limit", "1"),
                ("_fields", "id"),
            ],
        )
        return bool(data["data"])

    async def lead_names(self) -> dict[str, str]:
        leads = await self.every("lead/", {"_fields": "id,name"})
        return {lead["id"]: lead.get("name") or "" for lead in leads}

    async def search(self, query: str, names: bool) -> SearchResult:
        status, data = await self.call(
            "GET",
            "lead/",
            params={
                "query": query,
                "_limit": "0" if not names else str(self.page),
                "_fields": "id,name",
            },
        )
        if status != 200 or not isinstance(data, dict) or "total_results" not in data:
            return SearchResult(None, error=f"HTTP {status}: {data}"[:200])
        found = []
        if names:
            found = await self.every("lead/", {"query": query, "_fields": "id,name"})
        return SearchResult(
            int(data["total_results"]), tuple(sorted(str(lead.get("name")) for lead in found))
        )

    async def phone_numbers(self) -> list[dict[str, Any]]:
        return await self.every("phone_number/", {"_fields": _NUMBER_FIELDS})

    async def whitelist_requests(self) -> list[dict[str, Any]]:
        return await self.every("sms_whitelist_request/")

    async def any_undecided(self) -> bool:
        """Whether a whitelist request still waits for the carrier's decision."""
        data = await self.must(
            "GET", "sms_whitelist_request/", params={"status": "submitted", "_limit": "1"}
        )
        return bool(data["data"])

    async def usage(self, start: str, end: str) -> UsageResult:
        """`GET /usage/sms/` from `start` to `end` (ISO datetimes), by country."""
        status, data = await self.call(
            "GET",
            "usage/sms/",
            params={"date_start": start, "date_end": end, "group_by": "country"},
        )
        if status != 200 or not isinstance(data, dict) or "totals" not in data:
            return UsageResult(error=f"HTTP {status}: {data}"[:200])
        return UsageResult(
            data["totals"], {str(row.get("country")): row for row in data.get("data", ())}
        )


class CarrierControl:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._base = url.rstrip("/") + "/_sim/"

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._session.request(method, self._base + path, **kwargs) as response:
            data = await response.json(content_type=None)
            if response.status != 200:
                raise RunFailed(f"{method} /_sim/{path}: HTTP {response.status}: {data}")
            return data

    async def health(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._json("GET", "health")
        return data

    async def oracle(self) -> list[dict[str, Any]]:
        return list((await self._json("GET", "messages"))["messages"])

    async def whitelist(self) -> list[dict[str, Any]]:
        return list((await self._json("GET", "whitelist"))["requests"])

    async def inbound(self, from_: str, to: str, text: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._json(
            "POST", "inbound", json={"from": from_, "to": to, "body": text}
        )
        return data

    async def load(self, text: str, filename: str) -> None:
        await self._json("PUT", "scenario", data=text.encode(), params={"filename": filename})
