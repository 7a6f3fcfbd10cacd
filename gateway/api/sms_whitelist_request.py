"""`/api/v1/sms_whitelist_request/`: ask the carrier not to spam-filter a number; list, get.

Create validates the form (`gateway.core.whitelist`), reserves the number's one open request in the
store, then hands the request to the carrier; the decision arrives later at
`POST /carrier/whitelist` (`gateway.edge.webhooks`). No transaction is open during the carrier call:
the unique index on open requests is what keeps a second one out meanwhile.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from aiohttp import web

from gateway.api.common import (
    add_route,
    config_of,
    created,
    json_body,
    list_response,
    org_of,
    paging,
    render_one,
    store_of,
)
from gateway.api.idempotent import idempotent
from gateway.core import dates
from gateway.core.errors import (
    CarrierDown,
    CarrierRejected,
    CarrierUnavailable,
    NotFound,
    ValidationFailed,
)
from gateway.core.whitelist import WhitelistRequest, new_request_id, validate_form
from gateway.keys import CARRIER

__all__ = ["render_whitelist_request", "setup"]

_STATUSES = ("submitted", "approved", "rejected")


def render_whitelist_request(r: WhitelistRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "organization_id": r.organization_id,
        "phone_number_id": r.phone_number_id,
        "phone_number": r.phone_number,
        "website": r.website,
        "content_type": r.content_type,
        "examples": list(r.examples),
        "opted_in": r.opted_in,
        "relationship": r.relationship,
        "status": r.status,
        "reason": r.reason,
        "carrier_sid": r.carrier_sid,
        "date_created": r.date_created,
        "date_updated": r.date_updated,
        "date_decided": r.date_decided,
    }


def _open_error(request_id: str) -> ValidationFailed:
    return ValidationFailed(
        {
            "phone_number_id": "This phone number already has an open whitelist"
            f" request ({request_id}); wait for the"
            " carrier's decision."
        }
    )


async def create_request(request: web.Request) -> web.Response:
    body = await json_body(request)
    store, org, config = store_of(request), org_of(request), config_of(request)
    number_id = body.get("phone_number_id")
    number = await store.get_phone_number(org, number_id) if isinstance(number_id, str) else None
    form, errors = validate_form(body, number)
    if form is None:
        raise ValidationFailed(errors)
    now = dates.now()
    record = WhitelistRequest(
        id=new_request_id(),
        organization_id=org,
        phone_number_id=form.phone_number_id,
        phone_number=form.phone_number,
        website=form.website,
        content_type=form.content_type,
        examples=form.examples,
        opted_in=form.opted_in,
        relationship=form.relationship,
        status="submitted",
        date_created=dates.iso(now),
        date_updated=dates.iso(now),
    )
    # a reservation older than a carrier call's worst case was cut off by a crash
    stale = dates.iso(now - timedelta(seconds=config.carrier_timeout * 2 + 5))
    if blocking := await store.insert_whitelist_request(record, stale):
        raise _open_error(blocking)
    try:
        submitted = await request.app[CARRIER].request_whitelist(
            phone_number=form.phone_number,
            website=form.website,
            content_type=form.content_type,
            examples=form.examples,
            opted_in=form.opted_in,
            relationship=form.relationship,
            status_callback=f"{config.public_url}/carrier/whitelist",
        )
    except CarrierRejected as exc:
        await store.delete_whitelist_request(org, record.id)
        why = f"The carrier refused the request: {exc.message}"
        # 21606: the carrier does not know the number as one of the account's
        raise (
            ValidationFailed({"phone_number_id": why})
            if exc.code == 21606
            else ValidationFailed(errors=[why])
        ) from exc
    except CarrierUnavailable as exc:
        await store.delete_whitelist_request(org, record.id)
        raise CarrierDown(
            "The carrier is unavailable at the moment; please try again later."
        ) from exc
    done = dataclasses.replace(
        record, carrier_sid=submitted.sid, date_updated=dates.iso(dates.now())
    )
    # the answer is the request as submitted (a decision that overtook the carrier's answer
    # shows on the next read), so that a retry under the same Idempotency-Key gets it too
    response, answer = created(request, render_whitelist_request(done))
    await store.record_whitelist_submitted(record.id, submitted.sid, done.date_updated, answer)
    return response


async def _get(request: web.Request, request_id: str) -> WhitelistRequest:
    found = await store_of(request).get_whitelist_request(org_of(request), request_id)
    if found is None:
        raise NotFound("SMS whitelist request not found.")
    return found


async def get_request(request: web.Request) -> web.Response:
    return render_one(
        request, render_whitelist_request(await _get(request, request.match_info["id"]))
    )


async def list_requests(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    status = request.query.get("status")
    if status is not None and status not in _STATUSES:
        raise ValidationFailed({"status": f"Must be one of: {', '.join(_STATUSES)}."})
    found = await store_of(request).list_whitelist_requests(
        org_of(request), request.query.get("phone_number_id"), status, skip, limit + 1
    )
    return list_response(
        request, [render_whitelist_request(r) for r in found[:limit]], len(found) > limit
    )


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/sms_whitelist_request/", list_requests)
    add_route(
        router,
        "POST",
        f"{base}/sms_whitelist_request/",
        idempotent(create_request, carrier_calls=1),
    )
    add_route(router, "GET", f"{base}/sms_whitelist_request/{{id}}/", get_request)
