"""Every typed key the gateway keeps on its Application and Requests (no globals)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.config import Config
from gateway.config_reload import LiveConfig
from gateway.core.idempotency import KeyClaim
from gateway.metrics import Metrics
from gateway.store import Store
from gateway.workers.carrier_client import CarrierClient
from gateway.workers.dispatcher import Dispatcher

__all__ = [
    "API_KEY_CACHE",
    "CALLBACK_MATCH",
    "CARRIER",
    "CONFIG",
    "DISPATCHER",
    "GATEWAY",
    "KEY_CLAIM",
    "LIVE_CONFIG",
    "METRICS",
    "OPS_URL",
    "ORGANIZATION",
    "SHUTTING_DOWN",
    "SIGNED_FORM",
    "STORE",
]

CONFIG = web.AppKey("config", Config)
STORE = web.AppKey("store", Store)
CARRIER = web.AppKey("carrier", CarrierClient)
# None when config holds the dispatcher back (tests that fill the outbox before a restart)
DISPATCHER = web.AppKey[Dispatcher | None]("dispatcher")
API_KEY_CACHE = web.AppKey("api_key_cache", dict[str, str])  # key hash -> organization id
LIVE_CONFIG = web.AppKey("live_config", LiveConfig)  # CONFIG plus what SIGHUP reloaded
METRICS = web.AppKey("metrics", Metrics)
SHUTTING_DOWN = web.AppKey("shutting_down", asyncio.Event)  # set when SIGTERM/stop begins
OPS_URL = web.AppKey("ops_url", str)  # where the ops listener listens, once started
GATEWAY = web.AppKey("gateway", web.Application)  # on the ops listener's app: the gateway

ORGANIZATION = web.RequestKey("organization_id", str)
# set on a creating POST sent with an Idempotency-Key (gateway.api.idempotent)
KEY_CLAIM = web.RequestKey("idempotency_claim", KeyClaim)
# a carrier webhook's form once its X-Twilio-Signature checked out (edge.webhooks.signed_form)
SIGNED_FORM = web.RequestKey("signed_form", dict[str, str])
# a status callback's message as `Store.record_status` matched it, (activity id, date_sent);
# None for an unknown sid (counted by edge.ops_endpoints.callback_observer)
CALLBACK_MATCH = web.RequestKey[tuple[str, str | None] | None]("callback_match")
