"""`/api/v1/contact/`: contacts with Close-style phones (`[{phone, type}]`, stored E.164).

A phone's `outbound_sms_blocked` is read-only: it says whether the organization's suppression
list has the phone (only the recipient's keywords or `sms-gateway opt-out clear` change that).
A body that carries it is accepted and the field ignored, as Close ignores read-only fields, so
a client may PUT back what it read.
"""

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
)
from gateway.api.idempotent import idempotent
from gateway.core import dates
from gateway.core.errors import NotFound, ValidationFailed
from gateway.core.ids import new_id
from gateway.core.models import Contact, ContactPhone, Lead
from gateway.store import Store
from telecom import InvalidNumber, country_of, format_international, parse_e164

__all__ = ["lead_with_opt_outs", "parse_contact", "render_contact", "setup", "with_opt_outs"]


def render_contact(c: Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "organization_id": c.organization_id,
        "lead_id": c.lead_id,
        "name": c.name,
        "display_name": c.name or "",
        "title": c.title,
        "phones": [
            {
                "phone": p.phone,
                "phone_formatted": format_international(p.phone),
                "type": p.type,
                "country": country_of(p.phone),
                "outbound_sms_blocked": p.outbound_sms_blocked,
            }
            for p in c.phones
        ],
        "emails": [],
        "urls": [],
        "date_created": c.date_created,
        "date_updated": c.date_updated,
    }


def _phones(raw: Any, region: str, where: str, errors: dict[str, str]) -> tuple[ContactPhone, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors[where] = "Must be a list of {phone, type} objects."
        return ()
    phones = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            errors[f"{where}.{i}"] = "Must be an object with a phone."
            continue
        try:
            e164 = parse_e164(entry.get("phone"), region)
        except InvalidNumber:
            errors[f"{where}.{i}.phone"] = f"{entry.get('phone')!r} is not a valid phone number."
            continue
        kind = entry.get("type")
        if kind is not None and not isinstance(kind, str):
            errors[f"{where}.{i}.type"] = "Must be a string."
            continue
        # outbound_sms_blocked: read-only, ignored
        phones.append(ContactPhone(e164, kind or "office"))
    return tuple(phones)


def parse_contact(
    body: dict[str, Any],
    *,
    org_id: str,
    lead_id: str,
    region: str,
    now: str,
    errors: dict[str, str],
    where: str = "",
    existing: Contact | None = None,
) -> Contact:
    """A Contact from Close's body (merged onto `existing` for an update); problems go into
    `errors` under `where`-prefixed keys so a lead's inline contacts name the one at fault."""
    name = body.get("name", existing.name if existing else None)
    title = body.get("title", existing.title if existing else None)
    for key, value in (("name", name), ("title", title)):
        if value is not None and not isinstance(value, str):
            errors[f"{where}{key}"] = "Must be a string."
    phones = (
        _phones(body["phones"], region, f"{where}phones", errors)
        if "phones" in body
        else (existing.phones if existing else ())
    )
    return Contact(
        id=existing.id if existing else new_id("cont"),
        organization_id=org_id,
        lead_id=lead_id,
        name=name if isinstance(name, str) else None,
        title=title if isinstance(title, str) else None,
        phones=phones,
        date_created=existing.date_created if existing else now,
        date_updated=now,
    )


async def with_opt_outs(store: Store, contact: Contact) -> Contact:
    """`contact` with each phone's outbound_sms_blocked as the suppression list has it: the
    field is read-only, and what a client sent for it is ignored."""
    phones = [
        dataclasses.replace(
            phone,
            outbound_sms_blocked=await store.is_phone_blocked(contact.organization_id, phone.phone),
        )
        for phone in contact.phones
    ]
    return dataclasses.replace(contact, phones=tuple(phones))


async def lead_with_opt_outs(store: Store, lead: Lead) -> Lead:
    contacts = [await with_opt_outs(store, contact) for contact in lead.contacts]
    return dataclasses.replace(lead, contacts=tuple(contacts))


async def _get(request: web.Request) -> Contact:
    contact = await store_of(request).get_contact(org_of(request), request.match_info["id"])
    if contact is None:
        raise NotFound("Contact not found.")
    return contact


async def list_contacts(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    found = await store_of(request).list_contacts(
        org_of(request), request.query.get("lead_id"), skip, limit + 1
    )
    return list_response(request, [render_contact(c) for c in found[:limit]], len(found) > limit)


async def get_contact(request: web.Request) -> web.Response:
    return render_one(request, render_contact(await _get(request)))


async def create_contact(request: web.Request) -> web.Response:
    body = await json_body(request)
    store, org_id = store_of(request), org_of(request)
    now = dates.iso(dates.now())
    errors: dict[str, str] = {}
    lead_id = body.get("lead_id") or None  # "" is none, as for SMS
    if lead_id is not None and (
        not isinstance(lead_id, str) or await store.get_lead(org_id, lead_id) is None
    ):
        raise ValidationFailed({"lead_id": "Lead not found."})
    new_lead = None
    if lead_id is None:  # as Close does: a contact without a lead gets a lead of its own
        new_lead = Lead(
            new_id("lead"),
            org_id,
            body.get("name") if isinstance(body.get("name"), str) else None,
            None,
            (),
            now,
            now,
        )
        lead_id = new_lead.id
    contact = parse_contact(
        body,
        org_id=org_id,
        lead_id=lead_id,
        region=config_of(request).default_region,
        now=now,
        errors=errors,
    )
    if errors:
        raise ValidationFailed(errors)
    contact = await with_opt_outs(store, contact)  # a new contact may have a suppressed phone
    response, answer = created(request, render_contact(contact))
    if new_lead is not None:
        await store.insert_lead(dataclasses.replace(new_lead, contacts=(contact,)), answer)
    else:
        await store.insert_contact(contact, answer)
    return response


async def update_contact(request: web.Request) -> web.Response:
    existing = await _get(request)
    body = await json_body(request)
    errors: dict[str, str] = {}
    contact = parse_contact(
        body,
        org_id=existing.organization_id,
        lead_id=existing.lead_id,
        region=config_of(request).default_region,
        now=dates.iso(dates.now()),
        errors=errors,
        existing=existing,
    )
    if errors:
        raise ValidationFailed(errors)
    await store_of(request).update_contact(contact)
    return render_one(request, render_contact(await with_opt_outs(store_of(request), contact)))


async def delete_contact(request: web.Request) -> web.Response:
    contact = await _get(request)
    await store_of(request).delete_contact(contact.organization_id, contact.id)
    return web.json_response({})


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/contact/", list_contacts)
    add_route(router, "POST", f"{base}/contact/", idempotent(create_contact))
    add_route(router, "GET", f"{base}/contact/{{id}}/", get_contact)
    add_route(router, "PUT", f"{base}/contact/{{id}}/", update_contact)
    add_route(router, "DELETE", f"{base}/contact/{{id}}/", delete_contact)
