"""`/api/v1/phone_number/`: list, get, label, release, rent (`request/internal/`), external."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
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
from gateway.core.errors import (
    BadRequest,
    CarrierDown,
    CarrierRejected,
    CarrierUnavailable,
    NotFound,
    RentFailed,
    ValidationFailed,
)
from gateway.core.ids import new_id
from gateway.core.lifecycle import failed_locally
from gateway.core.models import PhoneNumber
from gateway.keys import CARRIER
from gateway.workers.carrier_client import AvailableNumber
from telecom import InvalidNumber, Reason, country_of, format_international, parse_e164

__all__ = ["matches_prefix", "render_phone_number", "search_plan", "setup"]

_NANP = frozenset({"US", "CA"})
_PREFIX = re.compile("[0-9]{0,5}")  # ASCII digits: str.isdigit() also takes "²" and "٣"
_UNAVAILABLE = "The carrier is unavailable at the moment; please try again later."


def search_plan(country: str, prefix: str) -> list[tuple[str, str | None]]:
    """Which of the carrier's lists to search, in order, and the AreaCode to ask for.

    NANP numbers are all "Local" at Twilio (mobile and fixed share ranges); elsewhere fixed
    lines cannot text, so mobile numbers come first.
    """
    if country in _NANP:
        area = prefix[:3] if len(prefix) >= 3 else None
        return [("Local", area), ("Mobile", area)]
    return [("Mobile", None), ("Local", None)]


def matches_prefix(number: str, prefix: str) -> bool:
    """The national number starts with the prefix (area code, or a mobile range like 74)."""
    if not prefix:
        return True
    national = str(phonenumbers.parse(number, None).national_number)
    return national.startswith(prefix)


def render_phone_number(
    n: PhoneNumber, whitelisted: bool = False, spam_flagged_count: int = 0
) -> dict[str, Any]:
    internal = n.type == "internal"
    return {
        "id": n.id,
        "organization_id": n.organization_id,
        "number": n.number,
        "number_formatted": format_international(n.number),
        "label": n.label,
        "type": n.type,
        "country": n.country,
        "is_group_number": False,
        "user_id": None,
        "participants": [],
        "phone_numbers": [],
        "phone_numbers_formatted": [],
        "sms_enabled": n.sms_enabled,
        "mms_enabled": False,
        "supports_sms_to_countries": list(n.supports_sms_to_countries),
        "supports_mms_to_countries": [],
        "forward_to": None,
        "forward_to_formatted": None,
        "forward_to_enabled": False,
        "voicemail_greeting_url": None,
        "press_1_to_accept": False,
        "is_premium": False,
        "is_verified": internal,
        "was_ported": False,
        "carrier": "twilio" if internal else None,
        "carrier_type": None,
        "date_created": n.date_created,
        "date_updated": n.date_updated,
        # beyond Close: an approved whitelist request, and how many of its SMS the carrier
        # flagged as spam (so a user knows when to file one)
        "whitelisted": whitelisted,
        "spam_flagged_count": spam_flagged_count,
    }


async def _rendered(request: web.Request, numbers: list[PhoneNumber]) -> list[dict[str, Any]]:
    flags = await store_of(request).phone_number_flags(org_of(request), numbers)
    return [render_phone_number(n, *flags.get(n.id, (False, 0))) for n in numbers]


async def _render(request: web.Request, number: PhoneNumber, status: int = 200) -> web.Response:
    [rendered] = await _rendered(request, [number])
    return render_one(request, rendered, status=status)


async def _insert(request: web.Request, number: PhoneNumber) -> web.Response:
    """Store a new number with its answer (rendered first: the answer is stored with it)."""
    [rendered] = await _rendered(request, [number])
    response, answer = created(request, rendered, status=201)
    await store_of(request).insert_phone_number(number, answer)
    return response


async def _get(request: web.Request) -> PhoneNumber:
    number = await store_of(request).get_phone_number(org_of(request), request.match_info["id"])
    if number is None:
        raise NotFound("Phone number not found.")
    return number


async def list_numbers(request: web.Request) -> web.Response:
    skip, limit = paging(request)
    wanted = request.query.get("number")
    if wanted:
        try:
            wanted = parse_e164(wanted, config_of(request).default_region)
        except InvalidNumber:
            return list_response(request, [], False)
    numbers = await store_of(request).list_phone_numbers(org_of(request), wanted, skip, limit + 1)
    return list_response(request, await _rendered(request, numbers[:limit]), len(numbers) > limit)


async def get_number(request: web.Request) -> web.Response:
    return await _render(request, await _get(request))


async def update_number(request: web.Request) -> web.Response:
    number = await _get(request)
    body = await json_body(request)
    if "label" in body:
        label = body["label"]
        if label is not None and not isinstance(label, str):
            raise ValidationFailed({"label": "Must be a string."})
        await store_of(request).update_phone_number_label(
            number.organization_id, number.id, label, dates.iso(dates.now())
        )
    return await _render(request, await _get(request))


async def delete_number(request: web.Request) -> web.Response:
    number = await _get(request)
    if number.type == "internal" and number.carrier_sid:
        try:
            await request.app[CARRIER].release_number(number.carrier_sid)
        except CarrierRejected as exc:
            if exc.code != 20404:  # already gone at the carrier: release is done
                raise BadRequest(
                    f"The carrier refused to release the number: {exc.message}"
                ) from exc
        except CarrierUnavailable as exc:
            raise CarrierDown(_UNAVAILABLE) from exc
    # its SMS still waiting to go out can no longer be sent from it (nor, once someone else
    # rents it, should they): they end now, without a carrier call
    ended = await store_of(request).release_phone_number(
        number.organization_id,
        number.id,
        failed_locally(Reason.NUMBER_RELEASED),
        dates.iso(dates.now()),
    )
    return web.json_response({"ended_sms": ended})


async def add_external(request: web.Request) -> web.Response:
    """An external number (a user's own phone): shown and usable as caller id, never SMS."""
    body = await json_body(request)
    config = config_of(request)
    try:
        e164 = parse_e164(body.get("number"), config.default_region)
    except InvalidNumber as exc:
        raise ValidationFailed({"number": str(exc)}) from None
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        raise ValidationFailed({"label": "Must be a string."})
    now = dates.iso(dates.now())
    number = PhoneNumber(
        new_id("phon"),
        org_of(request),
        e164,
        label,
        "external",
        country_of(e164),
        False,
        (),
        None,
        now,
        now,
    )
    return await _insert(request, number)


def _rent_request(body: dict[str, Any], countries: list[str]) -> tuple[str, str, str | None]:
    errors = {}
    country = body.get("country")
    if not country:
        errors["country"] = "This field is required."
    elif not isinstance(country, str) or country.upper() not in countries:
        errors["country"] = (
            f"SMS phone numbers can be rented in {', '.join(countries)} only (got {country!r})."
        )
    prefix = body.get("prefix")
    if prefix is None:
        prefix = ""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        errors["prefix"] = "A prefix is up to 5 digits, without the country code."
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        errors["label"] = "Must be a string."
    if errors:
        raise ValidationFailed(errors)
    return str(country).upper(), prefix, label


async def _candidates(request: web.Request, country: str, prefix: str) -> list[AvailableNumber]:
    carrier = request.app[CARRIER]
    for kind, area_code in search_plan(country, prefix):
        try:
            found = await carrier.search_numbers(country, kind, area_code)
        except CarrierRejected:  # e.g. 21452 nothing in that area code, or no such list
            continue
        except CarrierUnavailable as exc:
            raise CarrierDown(_UNAVAILABLE) from exc
        usable = [n for n in found if n.sms and matches_prefix(n.phone_number, prefix)]
        if usable:
            return usable
    return []


async def request_internal(request: web.Request) -> web.Response:
    config = config_of(request)
    country, prefix, label = _rent_request(await json_body(request), sorted(config.countries))
    store = store_of(request)
    # a number our database still gives to an organization is not for sale, whatever the
    # carrier says (its state can diverge: a reset simulator, a release done out of band)
    candidates = [
        c
        for c in await _candidates(request, country, prefix)
        if await store.find_rented_number(c.phone_number) is None
    ]
    if not candidates:
        where = f" with prefix {prefix}" if prefix else ""
        raise RentFailed(f"No SMS-capable phone numbers are available in {country}{where}.")
    public = config.public_url
    bought = None
    for candidate in candidates[:3]:  # someone may buy it between our search and our order
        try:
            bought = await request.app[CARRIER].buy_number(
                phone_number=candidate.phone_number,
                sms_url=f"{public}/carrier/inbound",
                status_callback=f"{public}/carrier/status",
                friendly_name=label or candidate.phone_number,
            )
            break
        except CarrierRejected as exc:
            if exc.code not in (21421, 21422):
                raise RentFailed(exc.message) from exc
        except CarrierUnavailable as exc:
            raise CarrierDown(_UNAVAILABLE) from exc
    if bought is None:
        raise RentFailed("The numbers found were taken before we could rent one; try again.")
    now = dates.iso(dates.now())
    number = PhoneNumber(
        new_id("phon"),
        org_of(request),
        bought.phone_number,
        label,
        "internal",
        country,
        True,
        config.countries[country],
        bought.sid,
        now,
        now,
    )
    return await _insert(request, number)


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/phone_number/", list_numbers)
    add_route(router, "POST", f"{base}/phone_number/", idempotent(add_external))
    # at most two searches and three purchases (_candidates, request_internal)
    add_route(
        router,
        "POST",
        f"{base}/phone_number/request/internal/",
        idempotent(request_internal, carrier_calls=5),
    )
    add_route(router, "GET", f"{base}/phone_number/{{id}}/", get_number)
    add_route(router, "PUT", f"{base}/phone_number/{{id}}/", update_number)
    add_route(router, "DELETE", f"{base}/phone_number/{{id}}/", delete_number)
