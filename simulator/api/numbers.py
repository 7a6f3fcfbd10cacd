"""AvailablePhoneNumbers (search) and IncomingPhoneNumbers (buy, fetch, list, update, release)."""

from __future__ import annotations

from aiohttp import web

from simulator.api.forms import form_int, read_form
from simulator.api.paging import page
from simulator.api.render import available_json, number_json
from simulator.engine.inventory import catalogue
from simulator.errors import TwilioError
from simulator.keys import RUNTIME
from telecom.wire import API_VERSION

__all__ = ["routes"]

routes = web.RouteTableDef()
_BASE = f"/{API_VERSION}/Accounts/{{account}}"
_KINDS = {"Local": "local", "Mobile": "mobile", "TollFree": "toll_free"}


@routes.get(_BASE + "/AvailablePhoneNumbers/{country}/{kind}.json")
async def available(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    country = request.match_info["country"].upper()
    kind = _KINDS.get(request.match_info["kind"])
    if kind is None:
        raise TwilioError(20404, f"Unknown number type {request.match_info['kind']!r}")
    if not catalogue(country, "local") and not catalogue(country, "mobile"):
        raise TwilioError(20404, f"The carrier has no numbers in {country}")
    limit = form_int(request.query, "PageSize", 30, 1, 1000, 20001)
    found = runtime.carrier.numbers.available(country, kind, request.query, limit)
    return web.json_response(
        {"available_phone_numbers": [available_json(n) for n in found], "uri": request.path_qs}
    )


async def _buy(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    form = await read_form(request)
    record = runtime.carrier.numbers.buy(request.match_info["account"], form, runtime.clock.now())
    return web.json_response(number_json(record, runtime.clock.wall), status=201)


routes.post(_BASE + "/IncomingPhoneNumbers.json")(_buy)
routes.post(_BASE + "/IncomingPhoneNumbers/Local.json")(_buy)
routes.post(_BASE + "/IncomingPhoneNumbers/Mobile.json")(_buy)


@routes.get(_BASE + "/IncomingPhoneNumbers.json")
async def list_numbers(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    numbers = runtime.carrier.numbers.owned(request.match_info["account"])
    wanted = request.query.get("PhoneNumber")
    if wanted:
        numbers = [n for n in numbers if n.phone_number == wanted]
    return web.json_response(
        page(
            request.path,
            request.query,
            numbers,
            "incoming_phone_numbers",
            lambda n: n.sid,
            lambda n: number_json(n, runtime.clock.wall),
        )
    )


@routes.get(_BASE + "/IncomingPhoneNumbers/{sid}.json")
async def fetch(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    record = runtime.carrier.numbers.get(request.match_info["account"], request.match_info["sid"])
    return web.json_response(number_json(record, runtime.clock.wall))


@routes.post(_BASE + "/IncomingPhoneNumbers/{sid}.json")
async def update(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    form = await read_form(request)
    record = runtime.carrier.numbers.update(
        request.match_info["account"], request.match_info["sid"], form, runtime.clock.now()
    )
    return web.json_response(number_json(record, runtime.clock.wall))


@routes.delete(_BASE + "/IncomingPhoneNumbers/{sid}.json")
async def release(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    runtime.carrier.numbers.release(request.match_info["account"], request.match_info["sid"])
    return web.Response(status=204)
