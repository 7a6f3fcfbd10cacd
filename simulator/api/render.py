"""Twilio's JSON for our records: field names, string-typed numbers, RFC 2822 GMT dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from simulator.engine.inventory import AvailableNumber
from simulator.engine.records import MessageRecord, NumberRecord, WhitelistRecord
from telecom.errors import lookup
from telecom.wire import API_VERSION, rfc2822

__all__ = ["available_json", "message_json", "number_json", "whitelist_json"]

Wall = Callable[[float], datetime]


def _accounts(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def _date(wall: Wall, at: float | None) -> str | None:
    return None if at is None else rfc2822(wall(at))


def message_json(record: MessageRecord, wall: Wall) -> dict[str, Any]:
    base = f"/{API_VERSION}/Accounts/{record.account_sid}/Messages/{record.sid}"
    entry = lookup(record.error_code) if record.error_code is not None else None
    return {
        "account_sid": record.account_sid,
        "api_version": API_VERSION,
        "body": record.body,
        "date_created": _date(wall, record.created_at),
        "date_sent": _date(wall, record.sent_at),
        "date_updated": _date(wall, record.updated_at),
        "direction": record.direction,
        "error_code": record.error_code,
        "error_message": entry.title if entry else None,
        "from": record.from_,
        "messaging_service_sid": record.messaging_service_sid,  # null when none was used
        "num_media": "0",
        "num_segments": str(record.num_segments),
        "price": record.price,
        "price_unit": "USD",
        "sid": record.sid,
        "status": record.status,
        "subresource_uris": {"media": f"{base}/Media.json", "feedback": f"{base}/Feedback.json"},
        "to": record.to,
        "uri": f"{base}.json",
    }


def number_json(record: NumberRecord, wall: Wall) -> dict[str, Any]:
    return {
        "account_sid": record.account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": API_VERSION,
        "beta": False,
        "bundle_sid": None,
        "capabilities": {"voice": True, "sms": record.sms, "mms": record.sms, "fax": False},
        "date_created": _date(wall, record.created_at),
        "date_updated": _date(wall, record.updated_at),
        "emergency_status": "Inactive",
        "friendly_name": record.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": record.phone_number,
        "sid": record.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": record.sms_method,
        "sms_url": record.sms_url,
        "status_callback": record.status_callback,
        "status_callback_method": "POST",
        "status": "in-use",
        "trunk_sid": None,
        "uri": f"{_accounts(record.account_sid)}/IncomingPhoneNumbers/{record.sid}.json",
        "voice_method": "POST",
        "voice_url": "",
        "whitelisted": record.whitelisted,  # extension: spam filters skip this sender
    }


def available_json(number: AvailableNumber) -> dict[str, Any]:
    return {
        "address_requirements": "none",
        "beta": False,
        "capabilities": {"voice": True, "sms": number.sms, "mms": number.sms, "fax": False},
        "friendly_name": number.friendly_name,
        "iso_country": number.country,
        "lata": None,
        "latitude": None,
        "locality": number.locality or None,
        "longitude": None,
        "phone_number": number.phone_number,
        "postal_code": None,
        "rate_center": None,
        "region": number.region or None,
    }


def whitelist_json(record: WhitelistRecord, wall: Wall) -> dict[str, Any]:
    return {
        "sid": record.sid,
        "account_sid": record.account_sid,
        "phone_number": record.phone_number,
        "website": record.website,
        "content_type": record.content_type,
        "examples": list(record.examples),
        "opted_in": record.opted_in,
        "relationship": record.relationship,
        "status": record.status,
        "reason": record.reason,
        "date_created": _date(wall, record.created_at),
        "date_updated": _date(wall, record.updated_at),
        "uri": f"{_accounts(record.account_sid)}/SmsWhitelistRequests/{record.sid}.json",
    }
