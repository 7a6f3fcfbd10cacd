"""`/api/v1/inbox/`: inbound SMS of the organization, newest first."""

from __future__ import annotations

from aiohttp import web

from gateway.api.activity_sms import render_sms
from gateway.api.common import add_route, list_response, org_of, paging, store_of
from gateway.core.models import SmsQuery

__all__ = ["setup"]


async def list_inbox(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    found = await store_of(request).list_sms(
        SmsQuery(
            organization_id=org_of(request),
            statuses=("inbox",),
            directions=("inbound",),
            skip=skip,
            limit=limit + 1,
        )
    )
    return list_response(request, [render_sms(s) for s in found[:limit]], len(found) > limit)


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/inbox/", list_inbox)
