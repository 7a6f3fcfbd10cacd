"""`/api/v1/activity/sms/`: create (and send), list, get, update drafts, cancel, delete."""

from __future__ import annotations

import dataclasses
from datetime import timezone
from typing import Any

from aiohttp import web

from gateway.api.common import (
    add_route,
    config_of,
    created,
    json_body,
    list_response,
    multi_param,
    org_of,
    paging,
    render_one,
    store_of,
    tz_of,
)
from gateway.api.idempotent import idempotent
from gateway.api.sms_compose import Composer, values_of
from gateway.core import dates
from gateway.core.errors import BadRequest, NotFound
from gateway.core.ids import new_id
from gateway.core.models import Sms, SmsQuery
from gateway.keys import DISPATCHER
from telecom import country_of, format_international

__all__ = ["render_sms", "setup"]


def _phone_fields(prefix: str, phone: str | None) -> dict[str, Any]:
    return {
        f"{prefix}_phone": phone,
        f"{prefix}_phone_formatted": format_international(phone) if phone else None,
        f"{prefix}_country_iso": country_of(phone) if phone else None,
    }


def render_sms(s: Sms) -> dict[str, Any]:
    return {
        "id": s.id,
        "_type": "SMS",
        "organization_id": s.organization_id,
        "lead_id": s.lead_id,
        "contact_id": s.contact_id,
        "user_id": s.user_id,
        "user_name": None,
        "users": [],
        "created_by": None,
        "updated_by": None,
        "created_by_name": None,
        "updated_by_name": None,
        "date_created": s.date_created,
        "date_updated": s.date_updated,
        "activity_at": s.activity_at,
        "date_scheduled": s.date_scheduled,
        "date_sent": s.date_sent,
        "direction": s.direction,
        "status": s.status,
        "source": s.source,
        **_phone_fields("local", s.local_phone),
        **_phone_fields("remote", s.remote_phone),
        "text": s.text,
        "template_id": None,
        "attachments": [],
        "sequence_id": None,
        "sequence_name": None,
        "sequence_subscription_id": None,
        "cost": s.cost,
        "segments": s.segments,
        "encoding": s.encoding,
        "delivery_status": s.delivery_status,
        "error_code": s.error_code,
        "error_reason": s.error_reason,
        "error_message": s.error_message,
    }


def _composer(request: web.Request) -> Composer:
    return Composer(
        store_of(request), config_of(request), org_of(request), tz_of(request), dates.now()
    )


def _wake(request: web.Request, sms: Sms) -> None:
    dispatcher = request.app[DISPATCHER]
    if dispatcher is not None and sms.due_at is not None:
        dispatcher.wake()


async def _get(request: web.Request) -> Sms:
    sms = await store_of(request).get_sms(org_of(request), request.match_info["id"])
    if sms is None:
        raise NotFound("SMS activity not found.")
    return sms


async def create_sms(request: web.Request) -> web.Response:
    body = await json_body(request)
    sms = await _composer(request).build(body, None, new_id("acti"))
    response, answer = created(request, render_sms(sms))
    await store_of(request).insert_sms(sms, answer)  # durable before we answer
    _wake(request, sms)
    return response


async def get_sms(request: web.Request) -> web.Response:
    return render_one(request, render_sms(await _get(request)))


async def update_sms(request: web.Request) -> web.Response:
    current = await _get(request)
    body = await json_body(request)
    tz_of(request)  # a bad header is a 400 whichever way the edit goes
    store, now = store_of(request), dates.now()
    wanted = body.get("status", current.status)
    if current.status in ("scheduled", "outbox") and wanted == "draft":
        updated = dataclasses.replace(
            current, status="draft", due_at=None, due_since=None, date_updated=dates.iso(now)
        )
    elif current.status == "draft":
        updated = await _composer(request).build(
            {**values_of(current), **body}, current, current.id
        )
    else:
        raise BadRequest(
            "Only drafts can be modified; a scheduled or unsent SMS can be set"
            " back to draft to cancel it."
        )
    if not await store.update_sms(updated, current.status, dates.iso(now)):
        raise BadRequest("This SMS is already being sent and can no longer be changed.")
    _wake(request, updated)
    return render_one(request, render_sms(updated))


async def delete_sms(request: web.Request) -> web.Response:
    sms = await _get(request)
    await store_of(request).delete_sms(sms.organization_id, sms.id)
    return web.json_response({})


def _moment(request: web.Request, key: str, tz: timezone) -> str | None:
    raw = request.query.get(key)
    if raw is None:
        return None
    try:
        return dates.iso(dates.parse_moment(raw, tz))
    except ValueError as exc:
        raise BadRequest(f"{key}: {exc}") from None


async def list_sms(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    tz = tz_of(request)  # checked even without a date filter: a bad header is a 400
    query = SmsQuery(
        organization_id=org_of(request),
        ids=multi_param(request, "id__in"),
        lead_ids=multi_param(request, "lead_id"),
        contact_ids=multi_param(request, "contact_id"),
        statuses=multi_param(request, "status"),
        directions=multi_param(request, "direction"),
        created_gte=_moment(request, "date_created__gte", tz),
        created_gt=_moment(request, "date_created__gt", tz),
        created_lte=_moment(request, "date_created__lte", tz),
        created_lt=_moment(request, "date_created__lt", tz),
        skip=skip,
        limit=limit + 1,  # one more tells us whether there is a next page
    )
    found = await store_of(request).list_sms(query)
    return list_response(request, [render_sms(s) for s in found[:limit]], len(found) > limit)


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/activity/sms/", list_sms)
    add_route(router, "POST", f"{base}/activity/sms/", idempotent(create_sms))
    add_route(router, "GET", f"{base}/activity/sms/{{id}}/", get_sms)
    add_route(router, "PUT", f"{base}/activity/sms/{{id}}/", update_sms)
    add_route(router, "DELETE", f"{base}/activity/sms/{{id}}/", delete_sms)
