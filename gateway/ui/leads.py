"""`/ui/leads` (search in Close's language, add a lead) and `/ui/leads/{id}` (contacts,
the SMS timeline with error labels, the composer), through the API's own handlers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from gateway.core.errors import BadRequest, ValidationFailed
from gateway.ui.api_call import call_api
from gateway.ui.guard import form_of, signed_in
from gateway.ui.render import fragment, live, page

__all__ = ["SEED_QUERIES", "setup"]

PAGE_SIZE = 25
# the four queries of Close's help article "Using SMS", offered as one-click examples
SEED_QUERIES = (
    ("Leads with more than 1 failed SMS", "failed_sms > 1"),
    ("Leads that have a failed SMS", "has:error_sms_messages"),
    ("Leads sent an SMS today that failed", "sms(created:today direction:outgoing status:error)"),
    ("Leads where the last sent SMS failed", "latest_sms_status:error"),
)
_POSITION = re.compile(r"\(at position (\d+)\)$")


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@signed_in
async def lead_list(request: web.Request) -> web.StreamResponse:
    query = request.query.get("query", "").strip()
    number = _page_number(request.query.get("page", "1"))
    params = {"_skip": str((number - 1) * PAGE_SIZE), "_limit": str(PAGE_SIZE)}
    if query:
        params["query"] = query
    error, position, leads, total, has_more = None, None, [], 0, False
    try:
        answer = await call_api(
            request, "GET", "/lead/", query=params, tz_offset=request.query.get("tz")
        )
        leads, total, has_more = (
            answer.data["data"],
            answer.data["total_results"],
            answer.data["has_more"],
        )
    except ValidationFailed as exc:  # the query (or the page) the API refused
        error = exc.field_errors.get("query") or str(exc)
        found = _POSITION.search(error)
        position = min(int(found.group(1)), len(query)) if found else None
    return page(
        request,
        "leads.html",
        status=400 if error else 200,
        query=query,
        leads=leads,
        total=total,
        number=number,
        has_more=has_more,
        error=error,
        position=position,
        seeds=SEED_QUERIES,
        page_url=_page_url(query),
        form={},
        form_errors={},
    )


def _page_url(query: str) -> str:
    return (
        "/ui/leads?"
        + urlencode({"query": query} if query else {})
        + ("&" if query else "")
        + "page="
    )


@signed_in
async def add_lead(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    phone = form.get("phone", "").strip()
    contact = {
        "name": form.get("contact_name", "").strip() or None,
        "phones": [{"phone": phone, "type": "mobile"}] if phone else [],
    }
    body = {"name": form.get("name", "").strip() or None, "contacts": [contact]}
    try:
        answer = await call_api(request, "POST", "/lead/", body)
    except ValidationFailed as exc:
        return page(
            request,
            "leads.html",
            status=400,
            query="",
            leads=[],
            total=0,
            number=1,
            has_more=False,
            error=None,
            position=None,
            seeds=SEED_QUERIES,
            page_url=_page_url(""),
            form=form,
            form_errors=_flat(exc),
        )
    raise web.HTTPSeeOther(f"/ui/leads/{quote(answer.data['id'])}")


def _flat(exc: ValidationFailed) -> dict[str, str]:
    """Field errors by the form's names (`contacts.0.phones.0.phone` is the phone box)."""
    flat = {}
    for key, why in exc.field_errors.items():
        flat[key.rsplit(".", 1)[-1] if key.startswith("contacts.") else key] = why
    if exc.errors:
        flat["form"] = "; ".join(exc.errors)
    return flat


async def _timeline(request: web.Request, lead_id: str) -> list[dict[str, Any]]:
    answer = await call_api(
        request, "GET", "/activity/sms/", query={"lead_id": lead_id, "_limit": "100"}
    )
    return list(answer.data["data"])


async def _sending_numbers(request: web.Request) -> list[dict[str, Any]]:
    """The organization's numbers that can send SMS at all; the page narrows them to those
    that can text the chosen phone's country (supports_sms_to_countries)."""
    answer = await call_api(request, "GET", "/phone_number/", query={"_limit": "100"})
    return [n for n in answer.data["data"] if n["type"] == "internal" and n["sms_enabled"]]


async def _lead_page(
    request: web.Request,
    lead_id: str,
    status: int = 200,
    composer: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> web.Response:
    lead = (await call_api(request, "GET", f"/lead/{quote(lead_id)}/")).data
    timeline = await _timeline(request, lead_id)
    phones = [{"contact": c, **p} for c in lead["contacts"] for p in c["phones"]]
    return page(
        request,
        "lead.html",
        status=status,
        lead=lead,
        timeline=timeline,
        phones=phones,
        numbers=await _sending_numbers(request),
        composer=composer or {},
        errors=errors or {},
    )


@signed_in
async def lead_page(request: web.Request) -> web.StreamResponse:
    composer = {}
    if reply := request.query.get("reply"):  # from the inbox: answer on the same pair
        sms = (await call_api(request, "GET", f"/activity/sms/{quote(reply)}/")).data
        composer = {
            "to": f"{sms['contact_id'] or ''}|{sms['remote_phone']}",
            "local_phone": sms["local_phone"] or "",
        }
    return await _lead_page(request, request.match_info["lead_id"], composer=composer)


@signed_in
async def lead_live(request: web.Request) -> web.StreamResponse:
    lead_id = request.match_info["lead_id"]
    await call_api(request, "GET", f"/lead/{quote(lead_id)}/")  # 404 for another's lead
    return live(
        fragment(
            request, "_timeline.html", timeline=await _timeline(request, lead_id), lead_id=lead_id
        )
    )


def composed(form: dict[str, str], lead_id: str) -> dict[str, Any]:
    """The composer's form as the API's create body: send now, in N seconds, or at a time."""
    contact_id, _, remote = form.get("to", "").partition("|")
    body: dict[str, Any] = {
        "lead_id": lead_id,
        "text": form.get("text", ""),
        "local_phone": form.get("local_phone") or None,
        "remote_phone": remote or None,
        "contact_id": contact_id or None,
        "status": "outbox",
    }
    when = form.get("when", "now")
    if when == "delay":
        raw = form.get("send_in", "").strip()
        body["send_in"] = int(raw) if raw.isdigit() else raw
    elif when == "schedule":
        body["status"] = "scheduled"
        body["date_scheduled"] = form.get("date_scheduled") or None
    return body


@signed_in
async def send_sms(request: web.Request) -> web.StreamResponse:
    lead_id = request.match_info["lead_id"]
    form = await form_of(request)
    try:
        await call_api(
            request,
            "POST",
            "/activity/sms/",
            composed(form, lead_id),
            tz_offset=form.get("tz_offset") or None,
        )
    except ValidationFailed as exc:
        errors = dict(exc.field_errors)
        if exc.errors:
            errors["form"] = "; ".join(exc.errors)
        return await _lead_page(request, lead_id, 400, form, errors)
    raise web.HTTPSeeOther(f"/ui/leads/{quote(lead_id)}")


@signed_in
async def cancel_sms(request: web.Request) -> web.StreamResponse:
    """Undo a delayed send or cancel a scheduled one: the API's "back to draft"."""
    sms_id = request.match_info["sms_id"]
    sms = (await call_api(request, "GET", f"/activity/sms/{quote(sms_id)}/")).data
    try:
        await call_api(request, "PUT", f"/activity/sms/{quote(sms_id)}/", {"status": "draft"})
    except BadRequest as exc:  # already on its way to the carrier
        return await _lead_page(request, sms["lead_id"], 409, errors={"form": str(exc)})
    raise web.HTTPSeeOther(f"/ui/leads/{quote(sms['lead_id'])}")


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/ui/leads", lead_list)
    router.add_post("/ui/leads", add_lead)
    router.add_get("/ui/leads/{lead_id}", lead_page)
    router.add_get("/ui/leads/{lead_id}/live", lead_live)
    router.add_post("/ui/leads/{lead_id}/sms", send_sms)
    router.add_post("/ui/sms/{sms_id}/cancel", cancel_sms)
