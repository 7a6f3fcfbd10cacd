"""Carrier intake: `POST /carrier/status` and `POST /carrier/inbound`, Twilio's webhooks, and
`POST /carrier/whitelist`, the whitelist decisions of the simulator's extension.

Each checks `X-Twilio-Signature` against the public URL the carrier was given plus the form,
with the carrier's auth token (403, and nothing read or stored, without a valid one), reads
only the fields it needs, stamps the receipt time and stores in one short transaction before
it answers. What a status means is decided by `gateway.core.lifecycle`, inside that transaction.
"""

from __future__ import annotations

import dataclasses
import logging

from aiohttp import web

from gateway.core import dates
from gateway.core.ids import new_id
from gateway.core.models import Contact, ContactPhone, InboundSms, Lead, Sms, StatusEvent
from gateway.core.pricing import cost_of
from gateway.core.whitelist import decision_of
from gateway.keys import CALLBACK_MATCH, CONFIG, LIVE_CONFIG, SIGNED_FORM, STORE
from gateway.logs import ACTIVITY_ID
from telecom import InvalidNumber, format_international, parse_e164, segment, validate_signature
from telecom.keywords import Keyword, keyword_of, opt_out_type

__all__ = ["setup", "signed_form"]

log = logging.getLogger("gateway.intake")
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


async def signed_form(request: web.Request) -> dict[str, str]:
    """The webhook's form, once its signature is checked (else 403). Checked once per request:
    `gateway.edge.ops_endpoints.callback_observer` asks first, before anything reads the
    database, so a forged request costs no query."""
    if SIGNED_FORM in request:
        return request[SIGNED_FORM]
    form = await request.post()
    params = [(k, v) for k, v in form.items() if isinstance(v, str)]
    url = request.app[CONFIG].public_url + request.rel_url.path_qs
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validate_signature(url, params, signature, request.app[CONFIG].carrier_auth_token):
        log.warning("rejected %s with a bad signature from %s", request.path, request.remote)
        raise web.HTTPForbidden(reason="Invalid X-Twilio-Signature")
    checked = request[SIGNED_FORM] = dict(params)
    return checked


async def status_callback(request: web.Request) -> web.Response:
    form = await signed_form(request)
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not status:
        raise web.HTTPBadRequest(reason="MessageSid and MessageStatus are required")
    raw_code = form.get("ErrorCode") or ""
    event = StatusEvent(
        sid, status, int(raw_code) if raw_code.isdigit() else None, dates.iso(dates.now()), form
    )
    found = request[CALLBACK_MATCH] = await request.app[STORE].record_status(event)
    if found is None:
        log.info("status %s for %s arrived before its create answer; kept for later", status, sid)
    else:  # the observer resets it when the request ends
        ACTIVITY_ID.set(found[0])
    return web.Response(status=200)


def _twiml() -> web.Response:
    return web.Response(text=_EMPTY_TWIML, content_type="text/xml")


async def inbound_message(request: web.Request) -> web.Response:
    form = await signed_form(request)
    store, config = request.app[STORE], request.app[LIVE_CONFIG].current  # SIGHUP: rates
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    try:
        sender = parse_e164(form.get("From", ""))
        receiver = parse_e164(form.get("To", ""))
    except InvalidNumber:
        log.warning("inbound %s with an unusable From/To: %r", sid, form)
        return _twiml()  # answering 200: a retry would not make the numbers valid
    number = await store.find_rented_number(receiver)
    if number is None or not sid:
        log.warning("inbound %s to %s, which no organization rents", sid, receiver)
        return _twiml()
    body = form.get("Body", "")
    seg = segment(body)
    now = dates.iso(dates.now())
    message = InboundSms(sid, sender, receiver, body, seg.segments, seg.encoding.value, now, form)
    org = number.organization_id
    sms = Sms(
        id=new_id("acti"),
        organization_id=org,
        lead_id=None,
        contact_id=None,
        direction="inbound",
        status="inbox",
        text=body,
        local_phone=receiver,
        remote_phone=sender,
        date_created=now,
        date_updated=now,
        activity_at=now,
        segments=seg.segments,
        encoding=seg.encoding.value,
        delivery_status="received",
        cost=cost_of(config.rates, number.country, "inbound", seg.segments),
        carrier_sid=sid,
    )
    # used only when no contact of this organization has the sender's phone
    lead_id, formatted = new_id("lead"), format_international(sender)
    contact = Contact(
        new_id("cont"), org, lead_id, formatted, None, (ContactPhone(sender, "mobile"),), now, now
    )
    new_lead = Lead(lead_id, org, formatted, None, (contact,), now, now)
    # Advanced Opt-Out names the keyword it acted on; without it, the same list decides
    keyword = opt_out_type(form.get("OptOutType")) or keyword_of(body)
    reply = None
    # The carrier answers HELP itself (and not to a phone that opted out); we never see that
    # answer, so record it from config to show the lead what the recipient was told.
    if keyword is Keyword.HELP and not await store.is_phone_blocked(org, sender):
        reply = _help_reply(sms, config.help_reply)
    await store.record_inbound(message, sms, new_lead, keyword, reply)
    return _twiml()


def _help_reply(inbound: Sms, text: str) -> Sms:
    """The carrier's automatic answer to `inbound`: from our number, free (Twilio does not
    charge for it), and final at once: the carrier sends no callback for it, and it goes to a
    handset that has just texted us."""
    seg = segment(text)
    return dataclasses.replace(
        inbound,
        id=new_id("acti"),
        direction="outbound",
        status="sent",
        text=text,
        source="External",
        date_sent=inbound.date_created,
        segments=seg.segments,
        encoding=seg.encoding.value,
        delivery_status="delivered",
        cost="0",
        carrier_sid=None,
    )


async def whitelist_callback(request: web.Request) -> web.Response:
    form = await signed_form(request)
    sid = form.get("WhitelistRequestSid")
    decision = decision_of(form.get("Status"))
    if not sid or decision is None:
        raise web.HTTPBadRequest(
            reason="WhitelistRequestSid and Status (approved or rejected) are required"
        )
    known = await request.app[STORE].record_whitelist_decision(
        sid, decision, form.get("Reason") or None, form, dates.iso(dates.now())
    )
    if not known:
        log.info("whitelist decision for %s arrived before its submission answer", sid)
    return web.Response(status=200)


def setup(router: web.UrlDispatcher) -> None:
    router.add_post("/carrier/status", status_callback)
    router.add_post("/carrier/inbound", inbound_message)
    router.add_post("/carrier/whitelist", whitelist_callback)
