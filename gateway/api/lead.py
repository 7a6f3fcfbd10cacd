"""`/api/v1/lead/`: leads, created with their contacts inline as Close allows."""

from __future__ import annotations

import dataclasses
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
    tz_of,
)
from gateway.api.contact import lead_with_opt_outs, parse_contact, render_contact
from gateway.api.idempotent import idempotent
from gateway.core import dates
from gateway.core.errors import NotFound, ValidationFailed
from gateway.core.ids import new_id
from gateway.core.models import Lead
from gateway.search import search_leads

__all__ = ["render_lead", "setup"]


def render_lead(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "organization_id": lead.organization_id,
        "name": lead.name,
        "display_name": lead.name or "",
        "description": lead.description,
        "status_label": "Potential",
        "contacts": [render_contact(c) for c in lead.contacts],
        "date_created": lead.date_created,
        "date_updated": lead.date_updated,
    }


def _text_fields(
    body: dict[str, Any], lead: Lead | None, errors: dict[str, str]
) -> tuple[str | None, str | None]:
    values = []
    for key in ("name", "description"):
        value = body.get(key, getattr(lead, key) if lead else None)
        if value is not None and not isinstance(value, str):
            errors[key] = "Must be a string."
            value = None
        values.append(value)
    return values[0], values[1]


async def _get(request: web.Request) -> Lead:
    lead = await store_of(request).get_lead(org_of(request), request.match_info["id"])
    if lead is None:
        raise NotFound("Lead not found.")
    return lead


async def list_leads(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    tz = tz_of(request)  # checked even when no query needs it: a bad header is a 400
    if request.query.get("query", "").strip():  # Close's search language: gateway/search/
        leads, total = await search_leads(
            store_of(request),
            org_of(request),
            request.query["query"],
            skip,
            limit,
            tz,
            config_of(request).default_region,
        )
    else:
        leads, total = await store_of(request).list_leads(org_of(request), skip, limit)
    return list_response(
        request,
        [render_lead(lead) for lead in leads],
        skip + len(leads) < total,
        total_results=total,
    )


async def get_lead(request: web.Request) -> web.Response:
    return render_one(request, render_lead(await _get(request)))


async def create_lead(request: web.Request) -> web.Response:
    body = await json_body(request)
    org_id, now = org_of(request), dates.iso(dates.now())
    errors: dict[str, str] = {}
    name, description = _text_fields(body, None, errors)
    lead_id = new_id("lead")
    raw_contacts = body.get("contacts")
    if raw_contacts is None:
        raw_contacts = []
    if not isinstance(raw_contacts, list):
        errors["contacts"] = "Must be a list of contacts."
        raw_contacts = []
    contacts = []
    for i, raw in enumerate(raw_contacts):
        if not isinstance(raw, dict):
            errors[f"contacts.{i}"] = "Must be a contact object."
            continue
        contacts.append(
            parse_contact(
                raw,
                org_id=org_id,
                lead_id=lead_id,
                region=config_of(request).default_region,
                now=now,
                errors=errors,
                where=f"contacts.{i}.",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    lead = Lead(lead_id, org_id, name, description, tuple(contacts), now, now)
    lead = await lead_with_opt_outs(store_of(request), lead)  # its phones may be suppressed
    response, answer = created(request, render_lead(lead))
    await store_of(request).insert_lead(lead, answer)
    return response


async def update_lead(request: web.Request) -> web.Response:
    lead = await _get(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    name, description = _text_fields(body, lead, errors)
    if errors:
        raise ValidationFailed(errors)
    updated = dataclasses.replace(
        lead, name=name, description=description, date_updated=dates.iso(dates.now())
    )
    await store_of(request).update_lead(updated)
    return render_one(request, render_lead(updated))


async def delete_lead(request: web.Request) -> web.Response:
    lead = await _get(request)
    await store_of(request).delete_lead(lead.organization_id, lead.id)
    return web.json_response({})


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/lead/", list_leads)
    add_route(router, "POST", f"{base}/lead/", idempotent(create_lead))
    add_route(router, "GET", f"{base}/lead/{{id}}/", get_lead)
    add_route(router, "PUT", f"{base}/lead/{{id}}/", update_lead)
    add_route(router, "DELETE", f"{base}/lead/{{id}}/", delete_lead)
