"""Spam-whitelist requests (a simulator extension): a sender asks not to be filtered, and the
scenario's policy (or QA through the control API) decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulator.engine.numbers import NumberBook
from simulator.engine.records import WhitelistRecord, WhitelistVerdict
from simulator.errors import TwilioError
from simulator.scenario.carrier_model import WhitelistPolicy, WhitelistRule
from telecom.wire import new_sid

__all__ = ["CONTENT_TYPES", "WhitelistDesk"]

CONTENT_TYPES = frozenset(
    {
        "download_link",
        "appointment_reminder",
        "marketing",
        "notification",
        "two_factor",
        "customer_care",
        "other",
    }
)


class WhitelistDesk:
    def __init__(self, rule: WhitelistRule, numbers: NumberBook) -> None:
        self.rule = rule
        self.numbers = numbers
        self.requests: dict[str, WhitelistRecord] = {}

    def submit(
        self, account_sid: str, form: Mapping[str, str], examples: Sequence[str], now: float
    ) -> tuple[WhitelistRecord, list[WhitelistVerdict]]:
        number = self.numbers.by_phone.get(form.get("PhoneNumber", ""))
        if number is None or number.account_sid != account_sid:
            raise TwilioError(21606, "PhoneNumber must be an SMS number of this account")
        content_type = form.get("ContentType", "")
        if content_type not in CONTENT_TYPES:
            raise TwilioError(
                21620, f"ContentType must be one of {', '.join(sorted(CONTENT_TYPES))}"
            )
        if not 1 <= len(examples) <= 5:
            raise TwilioError(21620, "Give 1 to 5 Examples")
        opted_in = form.get("OptedIn", "").lower()
        if opted_in not in ("true", "false"):
            raise TwilioError(21620, "OptedIn must be true or false")
        record = WhitelistRecord(
            sid=new_sid("WL"),  # random: a reset must not hand out a sid a customer still holds
            account_sid=account_sid,
            phone_number=number.phone_number,
            website=form.get("Website", ""),
            content_type=content_type,
            examples=tuple(examples),
            opted_in=opted_in == "true",
            relationship=form.get("Relationship", ""),
            status_callback=form.get("StatusCallback", ""),
            status="submitted",
            created_at=now,
            updated_at=now,
        )
        self.requests[record.sid] = record
        return record, self._policy_verdict(record, now)

    def _policy_verdict(self, record: WhitelistRecord, now: float) -> list[WhitelistVerdict]:
        at = now + self.rule.delay
        policy = self.rule.policy
        if policy is WhitelistPolicy.MANUAL:
            return []
        if policy is WhitelistPolicy.APPROVE or (
            policy is WhitelistPolicy.REJECT_WITHOUT_OPT_IN and record.opted_in
        ):
            return [WhitelistVerdict(at, record.sid, "approved")]
        return [WhitelistVerdict(at, record.sid, "rejected", self.rule.reason)]

    def get(self, account_sid: str, sid: str) -> WhitelistRecord:
        record = self.requests.get(sid)
        if record is None or record.account_sid != account_sid:
            raise TwilioError(
                20404, f"The requested resource WhitelistRequests/{sid} was not found"
            )
        return record

    def decide(self, verdict: WhitelistVerdict, now: float) -> WhitelistRecord | None:
        """Apply a decision; a request already decided stays as it is (returns None)."""
        record = self.requests.get(verdict.sid)
        if record is None or record.status != "submitted":
            return None
        record.status, record.reason, record.updated_at = verdict.status, verdict.reason, now
        number = self.numbers.by_phone.get(record.phone_number)
        if number is not None and verdict.status == "approved":
            number.whitelisted = True
        return record

    @staticmethod
    def callback_params(record: WhitelistRecord) -> dict[str, str]:
        params = {
            "WhitelistRequestSid": record.sid,
            "AccountSid": record.account_sid,
            "PhoneNumber": record.phone_number,
            "Status": record.status,
        }
        if record.reason:
            params["Reason"] = record.reason
        return params
