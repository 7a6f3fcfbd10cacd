"""The accounts' phone numbers: search what is for sale, buy, update, release."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from simulator.engine.inventory import AvailableNumber, catalogue
from simulator.engine.magic import PURCHASE_AREA_CODES, PURCHASE_NUMBERS
from simulator.engine.records import NumberRecord
from simulator.errors import TwilioError
from telecom.numbers import InvalidNumber, NumberKind, country_of, number_kind, parse_e164
from telecom.wire import new_sid

__all__ = ["NumberBook"]

_UPDATABLE = {
    "FriendlyName": "friendly_name",
    "SmsUrl": "sms_url",
    "SmsMethod": "sms_method",
    "StatusCallback": "status_callback",
}


def _matches_contains(number: str, pattern: str) -> bool:
    """Twilio's Contains: digits and letters, `*` any one digit (we ignore letters' keypad)."""
    digits = number.lstrip("+")
    pattern = pattern.lstrip("+")
    width = len(pattern)
    return any(
        all(p == "*" or p == d for p, d in zip(pattern, digits[i : i + width], strict=True))
        for i in range(len(digits) - width + 1)
    )


class NumberBook:
    def __init__(self, test_numbers: bool) -> None:
        self.test_numbers = test_numbers
        self.by_sid: dict[str, NumberRecord] = {}
        self.by_phone: dict[str, NumberRecord] = {}

    def available(
        self, country: str, kind: str, query: Mapping[str, str], limit: int
    ) -> list[AvailableNumber]:
        area = query.get("AreaCode", "")
        contains = query.get("Contains", "")
        sms_only = query.get("SmsEnabled", "").lower() == "true"
        found = []
        for candidate in catalogue(country, kind):
            if candidate.phone_number in self.by_phone:
                continue
            if area and not candidate.phone_number.startswith(f"+1{area}"):
                continue
            if contains and not _matches_contains(candidate.phone_number, contains):
                continue
            if sms_only and not candidate.sms:
                continue
            found.append(candidate)
            if len(found) >= limit:
                break
        return found

    def _resolve_purchase(self, form: Mapping[str, str]) -> str:
        number, area = form.get("PhoneNumber", ""), form.get("AreaCode", "")
        if self.test_numbers and number in PURCHASE_NUMBERS:
            code = PURCHASE_NUMBERS[number]
            if code is not None:
                raise TwilioError(code)
            return number
        if self.test_numbers and area in PURCHASE_AREA_CODES:
            outcome = PURCHASE_AREA_CODES[area]
            if isinstance(outcome, int):
                raise TwilioError(outcome)
            return outcome
        if number:
            try:
                return parse_e164(number)
            except InvalidNumber:
                raise TwilioError(21421, f"PhoneNumber {number} is invalid") from None
        if area:
            for kind in ("local", "mobile"):
                for country in ("US", "CA"):
                    choice = self.available(country, kind, {"AreaCode": area}, 1)
                    if choice:
                        return choice[0].phone_number
            raise TwilioError(21452)
        raise TwilioError(21422, "A PhoneNumber or AreaCode is required")

    def buy(self, account_sid: str, form: Mapping[str, str], now: float) -> NumberRecord:
        number = self._resolve_purchase(form)
        if number in self.by_phone:
            raise TwilioError(21422, f"PhoneNumber {number} is not available")
        kind = number_kind(number)
        sold = next(
            (
                n
                for k in ("local", "mobile")
                for n in catalogue(country_of(number) or "", k)
                if n.phone_number == number
            ),
            None,
        )
        sms = sold.sms if sold else kind is not NumberKind.LANDLINE
        record = NumberRecord(
            sid=new_sid("PN", hashlib.sha256(f"{account_sid}|{number}".encode()).hexdigest()[:32]),
            account_sid=account_sid,
            phone_number=number,
            friendly_name=form.get("FriendlyName") or (sold.friendly_name if sold else number),
            country=country_of(number) or "US",
            sms=sms,
            created_at=now,
            updated_at=now,
        )
        self._apply(record, form, now)
        self.by_sid[record.sid] = record
        self.by_phone[number] = record
        return record

    def _apply(self, record: NumberRecord, form: Mapping[str, str], now: float) -> None:
        for param, attr in _UPDATABLE.items():
            if param in form:
                setattr(record, attr, form[param])
        if record.sms_method.upper() not in ("GET", "POST"):
            raise TwilioError(21606, f"SmsMethod must be GET or POST, got {record.sms_method!r}")
        record.sms_method = record.sms_method.upper()
        record.updated_at = now

    def get(self, account_sid: str, sid: str) -> NumberRecord:
        record = self.by_sid.get(sid)
        if record is None or record.account_sid != account_sid:
            raise TwilioError(
                20404, f"The requested resource IncomingPhoneNumbers/{sid} was not found"
            )
        return record

    def update(
        self, account_sid: str, sid: str, form: Mapping[str, str], now: float
    ) -> NumberRecord:
        record = self.get(account_sid, sid)
        self._apply(record, form, now)
        return record

    def release(self, account_sid: str, sid: str) -> None:
        record = self.get(account_sid, sid)
        del self.by_sid[sid]
        del self.by_phone[record.phone_number]

    def owned(self, account_sid: str) -> list[NumberRecord]:
        return [n for n in self.by_sid.values() if n.account_sid == account_sid]
