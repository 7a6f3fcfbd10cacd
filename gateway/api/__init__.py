"""The Close-compatible REST API under /api/v1/: one module per Close resource."""

from aiohttp import web

from gateway.api import (
    activity_sms,
    contact,
    inbox,
    lead,
    phone_number,
    sms_whitelist_request,
    usage,
)

__all__ = ["BASE", "setup_routes"]

BASE = "/api/v1"


def setup_routes(router: web.UrlDispatcher) -> None:
    for module in (phone_number, lead, contact, activity_sms, inbox, sms_whitelist_request, usage):
        module.setup(router, BASE)
