"""Twilio's error shape for everything, Basic auth per account, and scenario outages."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from simulator.errors import TwilioError
from simulator.keys import RUNTIME
from simulator.scenario.carrier_model import OutageMode
from telecom.wire import API_VERSION, error_body

__all__ = ["auth_middleware", "error_middleware", "outage_middleware"]

log = logging.getLogger("simulator.api")
_PREFIX = f"/{API_VERSION}/Accounts/"
# The code an outage answers with its HTTP status: Twilio's own for these, else 20500
_OUTAGE_CODES = {429: 20429, 503: 20503, 504: 20504}


def _twilio_error(code: int, message: str, status: int) -> web.Response:
    return web.json_response(error_body(code, message, status), status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except TwilioError as exc:
        return _twilio_error(exc.code, exc.message, exc.status)
    except web.HTTPNotFound:
        return _twilio_error(20404, f"The requested resource {request.path} was not found", 404)
    except web.HTTPMethodNotAllowed:
        return _twilio_error(20004, f"Method {request.method} not allowed on {request.path}", 405)
    except web.HTTPException:
        raise
    except Exception:  # a bug: say so in Twilio's shape and keep serving
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _twilio_error(20500, "Internal Server Error", 500)


def _credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(_PREFIX):
        return await handler(request)
    account = request.path[len(_PREFIX) :].split("/", 1)[0].removesuffix(".json")
    tokens = request.app[RUNTIME].carrier.tokens
    credentials = _credentials(request.headers.get("Authorization", ""))
    if credentials is None or credentials[0] != account or tokens.get(account) != credentials[1]:
        return web.json_response(
            {
                **error_body(20003, "Authenticate", 401),
                "detail": "Your AccountSid or AuthToken was incorrect.",
            },
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
        )
    return await handler(request)


def _outage_error(status: int) -> web.Response:
    code = _OUTAGE_CODES.get(status, 20500)
    return _twilio_error(code, "Service Unavailable (carrier outage)", status)


@web.middleware
async def outage_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(_PREFIX):
        return await handler(request)
    runtime = request.app[RUNTIME]
    now = runtime.clock.now()
    settings = runtime.carrier.timeline.at(now)
    outage = settings.outage_at(now)
    if outage is None:
        return await handler(request)
    if outage.mode is OutageMode.ERROR:
        return _outage_error(outage.status)
    if outage.mode is OutageMode.RESET:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if outage.mode is OutageMode.TIMEOUT:
        await asyncio.sleep(runtime.clock.real_delay(settings.outage_until))
        return _twilio_error(20504, "Gateway Timeout (carrier outage)", 504)
    if outage.mode is OutageMode.ERROR_AFTER_CREATE:
        # The work is done (a create's message exists, its callbacks are scheduled) but the
        # answer is a 5xx: the client cannot tell this from ERROR and must retry under its
        # Idempotency-Key, getting the message as it is by then.
        with contextlib.suppress(TwilioError):  # a refusal created nothing; 5xx all the same
            await handler(request)
        return _outage_error(outage.status)
    # SLOW: the carrier does the work, then answers late. A client that gives up first has
    # still created the message: the "created, but the answer was lost" case that an
    # Idempotency-Key guards against.
    response = await handler(request)
    await asyncio.sleep(outage.delay)
    return response
