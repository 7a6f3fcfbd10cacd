"""Extension: /2010-04-01/Accounts/{AccountSid}/SmsWhitelistRequests — ask the carrier not to
spam-filter a sender. Twilio has no such resource; the shape follows Twilio's conventions."""

from __future__ import annotations

from aiohttp import web

from simulator.api.forms import read_form
from simulator.api.paging import page
from simulator.api.render import whitelist_json
from simulator.keys import RUNTIME
from telecom.wire import API_VERSION

__all__ = ["routes"]

routes = web.RouteTableDef()
_BASE = f"/{API_VERSION}/Accounts/{{account}}/SmsWhitelistRequests"


@routes.post(_BASE + ".json")
async def submit(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    posted = await read_form(request)
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    examples = [v for v in posted.getall("Examples", []) if isinstance(v, str)]
    record, verdicts = runtime.whitelist.submit(
        request.match_info["account"], form, examples, runtime.clock.now()
    )
    runtime.schedule(verdicts)
    return web.json_response(whitelist_json(record, runtime.clock.wall), status=201)


@routes.get(_BASE + ".json")
async def list_requests(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    account = request.match_info["account"]
    records = [r for r in runtime.whitelist.requests.values() if r.account_sid == account]
    return web.json_response(
        page(
            request.path,
            request.query,
            records,
            "sms_whitelist_requests",
            lambda r: r.sid,
            lambda r: whitelist_json(r, runtime.clock.wall),
        )
    )


@routes.get(_BASE + "/{sid}.json")
async def fetch(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    record = runtime.whitelist.get(request.match_info["account"], request.match_info["sid"])
    return web.json_response(whitelist_json(record, runtime.clock.wall))
