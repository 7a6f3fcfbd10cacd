"""/2010-04-01/Accounts/{AccountSid}/Messages: create, fetch, list, update (cancel, redact),
delete."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aiohttp import web

from simulator.api.forms import form_date, form_int, read_form
from simulator.api.paging import page
from simulator.api.render import message_json
from simulator.engine.carrier import MessageRequest
from simulator.engine.records import MessageRecord
from simulator.errors import TwilioError
from simulator.keys import RUNTIME
from telecom.wire import API_VERSION

__all__ = ["routes"]

routes = web.RouteTableDef()
_BASE = f"/{API_VERSION}/Accounts/{{account}}"
_MIN_SCHEDULE, _MAX_SCHEDULE = 300.0, 35 * 86400.0


def _send_at(form: Mapping[str, str], runtime_now: datetime, sim_time: float) -> float | None:
    if not form.get("SendAt") and form.get("ScheduleType") != "fixed":
        return None
    if not form.get("MessagingServiceSid"):
        raise TwilioError(35118, "MessagingServiceSid is required to schedule a message")
    if form.get("ScheduleType") != "fixed" or not form.get("SendAt"):
        raise TwilioError(35114, "Scheduling needs ScheduleType=fixed and SendAt")
    ahead = (form_date(form["SendAt"], "SendAt") - runtime_now).total_seconds()
    if not _MIN_SCHEDULE <= ahead <= _MAX_SCHEDULE:
        raise TwilioError(35114, "SendAt must be between 300 seconds and 35 days in the future")
    return sim_time + ahead


@routes.post(_BASE + "/Messages.json")
async def create(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    form = await read_form(request)
    now = runtime.clock.now()
    message = MessageRequest(
        to=form.get("To", ""),
        from_=form.get("From", ""),
        body=form.get("Body", ""),
        status_callback=form.get("StatusCallback", ""),
        messaging_service_sid=form.get("MessagingServiceSid", ""),
        send_at=_send_at(form, runtime.clock.wall(now), now),
        validity=form_int(form, "ValidityPeriod", 36000, 1, 36000, 90007),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    record, events = runtime.carrier.create(request.match_info["account"], message, now)
    runtime.schedule(events)
    return web.json_response(message_json(record, runtime.clock.wall), status=201)


@routes.get(_BASE + "/Messages/{sid}.json")
async def fetch(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    record = runtime.carrier.get(request.match_info["account"], request.match_info["sid"])
    return web.json_response(message_json(record, runtime.clock.wall))


def _sent_filter(query: dict[str, str]) -> list[tuple[str, datetime]]:
    bounds = []
    for key, op in (("DateSent", "="), ("DateSent<", "<"), ("DateSent>", ">")):
        if query.get(key):
            bounds.append((op, form_date(query[key], key)))
    return bounds


def _matches(
    record: MessageRecord,
    query: dict[str, str],
    sent: datetime | None,
    bounds: list[tuple[str, datetime]],
) -> bool:
    if query.get("To") and record.to != query["To"]:
        return False
    if query.get("From") and record.from_ != query["From"]:
        return False
    for op, moment in bounds:
        if sent is None:
            return False
        date_only = moment.hour == moment.minute == moment.second == 0
        if op == "=" and (sent.date() != moment.date() if date_only else sent != moment):
            return False
        if op == "<" and not sent < moment:
            return False
        if op == ">" and not sent > moment:
            return False
    return True


@routes.get(_BASE + "/Messages.json")
async def list_messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    account = request.match_info["account"]
    query = dict(request.query)
    bounds = _sent_filter(query)
    wall = runtime.clock.wall
    records = [
        r
        for r in reversed(runtime.carrier.messages.values())
        if r.account_sid == account
        and _matches(r, query, wall(r.sent_at) if r.sent_at is not None else None, bounds)
    ]
    return web.json_response(
        page(
            request.path,
            query,
            records,
            "messages",
            lambda r: r.sid,
            lambda r: message_json(r, wall),
        )
    )


@routes.post(_BASE + "/Messages/{sid}.json")
async def update(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    account, sid = request.match_info["account"], request.match_info["sid"]
    form = await read_form(request)
    status = form.get("Status")
    if status is not None:
        if status != "canceled":
            raise TwilioError(21220, f"Status can only be set to canceled, not {status!r}")
        record, events = runtime.carrier.cancel(account, sid, runtime.clock.now())
        runtime.schedule(events)
    elif form.get("Body") == "":
        record = runtime.carrier.get(account, sid)
        record.body = ""  # redaction
    else:
        raise TwilioError(20001, "Give Status=canceled or an empty Body to redact")
    return web.json_response(message_json(record, runtime.clock.wall))


@routes.delete(_BASE + "/Messages/{sid}.json")
async def delete(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    runtime.carrier.delete(request.match_info["account"], request.match_info["sid"])
    return web.Response(status=204)
