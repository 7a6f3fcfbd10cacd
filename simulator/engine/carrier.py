"""The carrier: accepts messages, decides their fate from the scenario, and returns the timed
events that carry the fate out. Pure: the caller passes simulated `now` and schedules events."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from simulator.engine.fate import Fate, decide, plan_callbacks, plan_steps
from simulator.engine.handsets import classify
from simulator.engine.magic import MAGIC_FROM, MAGIC_TO, MAGIC_VALID_FROM
from simulator.engine.numbers import NumberBook
from simulator.engine.records import (
    CallbackPost,
    Event,
    HandsetReply,
    MessageRecord,
    NumberRecord,
    Release,
    StatusChange,
)
from simulator.engine.settings import SettingsTimeline
from simulator.engine.spam import SpamHistory
from simulator.engine.throughput import SenderQueues
from simulator.errors import TwilioError
from simulator.scenario.carrier_model import HandsetKind, HandsetRule, Idempotency, Scenario
from telecom.keywords import HELP_REPLY, Keyword, keyword_of
from telecom.numbers import InvalidNumber, country_of, parse_e164
from telecom.segments import segment
from telecom.wire import API_VERSION, dlr_done_date

__all__ = ["Carrier", "MessageRequest"]

_LANDLINES = (HandsetKind.LANDLINE, HandsetKind.NON_SMS)
_PRICE_PER_SEGMENT = {"US": 0.0079, "CA": 0.0079}
_OTHER_PRICE = 0.04


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """A Messages.json create, with Twilio's parameter names already read."""

    to: str
    from_: str
    body: str
    status_callback: str = ""
    messaging_service_sid: str = ""
    send_at: float | None = None  # simulated time, for ScheduleType=fixed
    validity: float = 36000.0
    idempotency_key: str | None = None


class Carrier:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.tokens = {account.sid: account.auth_token for account in scenario.accounts}
        self.timeline = SettingsTimeline(scenario)
        self.numbers = NumberBook(scenario.test_numbers)
        self.messages: dict[str, MessageRecord] = {}
        self._idempotency: dict[tuple[str, str], str] = {}
        self._honour_keys = scenario.idempotency is Idempotency.HONOUR
        self._occurrences: Counter[str] = Counter()
        self._queues = SenderQueues()
        self._spam = SpamHistory()
        self.opt_outs: set[tuple[str, str]] = set()  # (handset, our number)

    # -- outbound ---------------------------------------------------------------------------

    def create(
        self, account_sid: str, request: MessageRequest, now: float
    ) -> tuple[MessageRecord, list[Event]]:
        if request.idempotency_key and self._honour_keys:
            sid = self._idempotency.get((account_sid, request.idempotency_key))
            if sid is not None:
                record = self.messages[sid]
                record.create_calls += 1
                return record, []
        to, sender = self._validate(account_sid, request, now)
        settings = self.timeline.at(now)
        segments = segment(request.body).segments
        if request.send_at is None:
            slot = self._queues.slot(sender, now, settings.throughput, segments)
        key = f"{self.scenario.seed}|{account_sid}|{sender}|{to}|{request.body}"
        self._occurrences[key] += 1
        key = f"{key}|{self._occurrences[key]}"
        record = MessageRecord(
            sid="SM" + hashlib.sha256(key.encode()).hexdigest()[:32],
            account_sid=account_sid,
            from_=sender,
            to=to,
            body=request.body,
            direction="outbound-api",
            status="queued",
            created_at=now,
            updated_at=now,
            num_segments=segments,
            # the message's own only: a number's StatusCallback is Twilio's voice setting
            status_callback=request.status_callback,
            messaging_service_sid=request.messaging_service_sid or None,
            idempotency_key=request.idempotency_key,
            send_at=request.send_at,
        )
        self.messages[record.sid] = record
        if request.idempotency_key:
            self._idempotency[account_sid, request.idempotency_key] = record.sid
        if request.send_at is not None:
            record.status = "scheduled"
            return record, [Release(request.send_at, record.sid)]
        return record, self._launch(record, slot, now, request.validity, random.Random(key))

    def _validate(self, account_sid: str, request: MessageRequest, now: float) -> tuple[str, str]:
        """Create-time checks in Twilio's order; returns (To, From) in E.164."""
        if not request.to:
            raise TwilioError(21604)
        if not request.from_ and not request.messaging_service_sid:
            raise TwilioError(21603)
        if not request.body:
            raise TwilioError(21602)
        if len(request.body) > 1600:
            raise TwilioError(21617)
        magic = self.scenario.test_numbers
        if magic and request.from_ in MAGIC_FROM:
            raise TwilioError(MAGIC_FROM[request.from_])
        if magic and request.to in MAGIC_TO:
            code = MAGIC_TO[request.to]
            raise TwilioError(code, self._to_message(code, request.to))
        try:
            to = parse_e164(request.to)
        except InvalidNumber:
            raise TwilioError(21211, self._to_message(21211, request.to)) from None
        sender = self._sender(account_sid, request)
        if to == sender:
            raise TwilioError(21266, f"'To' and 'From' numbers cannot be the same: {to}")
        if country_of(to) not in self.timeline.at(now).countries:
            raise TwilioError(21408, self._to_message(21408, to))
        kind, _ = classify(to, self.scenario.handsets)
        if self._opted_out(to, sender):
            raise TwilioError(21610)
        if kind in _LANDLINES and self.scenario.landline_at_create:
            raise TwilioError(21614, f"'To' number {to} is not a valid mobile number")
        return to, sender

    @staticmethod
    def _to_message(code: int, to: str) -> str:
        if code == 21211:
            return f"The 'To' number {to} is not a valid phone number."
        if code == 21408:
            return (
                "Permission to send an SMS has not been enabled for the region indicated by "
                f"the 'To' number: {to}."
            )
        return TwilioError(code).message

    def _sender(self, account_sid: str, request: MessageRequest) -> str:
        if self.scenario.test_numbers and request.from_ == MAGIC_VALID_FROM:
            return MAGIC_VALID_FROM
        if not request.from_:  # a Messaging Service picks one of the account's SMS numbers
            pool = [n for n in self.numbers.owned(account_sid) if n.sms]
            if not pool:
                raise TwilioError(21606, "The Messaging Service has no SMS-capable sender")
            return pool[0].phone_number
        number = self.numbers.by_phone.get(request.from_)
        if number is None or number.account_sid != account_sid or not number.sms:
            raise TwilioError(
                21606,
                f"The 'From' phone number {request.from_} is not a valid, SMS-capable inbound "
                "phone number or short code for your account.",
            )
        return number.phone_number

    def _launch(
        self, record: MessageRecord, start: float, now: float, validity: float, rng: random.Random
    ) -> list[Event]:
        """Decide the fate of a message leaving the queue at `start` and plan its events."""
        settings = self.timeline.at(now)
        kind, rule = classify(record.to, self.scenario.handsets)
        sender = self.numbers.by_phone.get(record.from_ or "")
        whitelisted = sender is not None and sender.whitelisted
        spam_hit = (
            None
            if whitelisted
            else self._spam.judge(settings.spam_filters, record.from_ or "", record.body, now)
        )
        if start - now > validity:
            fate = Fate("failed", 30036, "expired")
            start = now + validity
        else:
            fate = decide(settings, kind, spam_hit, rng)
        record.fate = fate
        steps = plan_steps(fate, start, settings, rng)
        events: list[Event] = [
            StatusChange(s.at, record.sid, s.status, s.error_code) for s in steps
        ]
        if record.status_callback:
            events += [
                CallbackPost(p.at, record.sid, p.status, p.error_code)
                for p in plan_callbacks(steps, self.scenario.callbacks, rng)
            ]
        events += self._reply(record, rule, fate, steps[-1].at)
        self._spam.forget_before(now - 3600.0)
        return events

    @staticmethod
    def _reply(
        record: MessageRecord, rule: HandsetRule | None, fate: Fate, delivered_at: float
    ) -> list[Event]:
        if rule is None or rule.reply is None or fate.status != "delivered" or not record.from_:
            return []
        return [
            HandsetReply(delivered_at + rule.reply.delay, record.to, record.from_, rule.reply.text)
        ]

    def release(self, sid: str, now: float) -> list[Event]:
        """A scheduled message's SendAt arrived: queue it and decide its fate now."""
        record = self.messages.get(sid)
        if record is None or record.status != "scheduled":
            return []  # canceled or deleted meanwhile
        record.status, record.updated_at = "queued", now
        settings = self.timeline.at(now)
        try:
            slot = self._queues.slot(
                record.from_ or "", now, settings.throughput, record.num_segments
            )
        except TwilioError:
            record.fate = Fate("failed", 30001, "queue overflow")
            return [
                StatusChange(now, sid, "failed", 30001),
                CallbackPost(now, sid, "failed", 30001),
            ]
        events = self._launch(record, slot, now, 36000.0, random.Random(sid))
        return [CallbackPost(now, sid, "queued"), *events] if record.status_callback else events

    def change_status(self, event: StatusChange, now: float) -> None:
        record = self.messages.get(event.sid)
        if record is None or record.final:
            return
        record.status, record.error_code, record.updated_at = event.status, event.error_code, now
        if event.status != "failed" and record.sent_at is None:  # it left the carrier: charged
            record.sent_at = now
            rate = _PRICE_PER_SEGMENT.get(country_of(record.to) or "", _OTHER_PRICE)
            record.price = f"-{rate * record.num_segments:.5f}"

    def get(self, account_sid: str, sid: str) -> MessageRecord:
        record = self.messages.get(sid)
        if record is None or record.account_sid != account_sid:
            raise TwilioError(20404, f"The requested resource Messages/{sid} was not found")
        return record

    def cancel(self, account_sid: str, sid: str, now: float) -> tuple[MessageRecord, list[Event]]:
        record = self.get(account_sid, sid)
        if record.status != "scheduled":
            raise TwilioError(
                21220, f"Message {sid} is {record.status}: only a scheduled message can be canceled"
            )
        record.status, record.updated_at = "canceled", now
        record.fate = Fate("canceled", None, "canceled")
        return record, [CallbackPost(now, sid, "canceled")] if record.status_callback else []

    def delete(self, account_sid: str, sid: str) -> None:
        record = self.get(account_sid, sid)
        if record.status in ("queued", "sending", "sent") and record.direction != "inbound":
            raise TwilioError(20009, f"Cannot delete message {sid}: it is still being delivered")
        del self.messages[sid]

    # -- inbound ----------------------------------------------------------------------------

    def receive(
        self, handset: str, to: str, body: str, now: float
    ) -> tuple[MessageRecord, NumberRecord]:
        """A handset texts one of our numbers. STOP and START change what it may receive;
        HELP (or INFO) is answered at once with Twilio's default help reply, as Twilio does,
        unless the handset opted out of that number."""
        number = self.numbers.by_phone.get(to)
        if number is None:
            raise TwilioError(20404, f"No account owns the number {to}")
        keyword = keyword_of(body)
        if keyword is Keyword.OPT_OUT:
            self.opt_outs.add((handset, to))
        elif keyword is Keyword.OPT_IN:
            self.opt_outs.discard((handset, to))
        record = self._record(number.account_sid, handset, to, body, "inbound", "received", now)
        if keyword is Keyword.HELP and not self._opted_out(handset, to):
            reply = self._record(
                number.account_sid, to, handset, HELP_REPLY, "outbound-reply", "delivered", now
            )
            reply.fate = Fate("delivered", None, "help reply")
        return record, number

    def _opted_out(self, handset: str, number: str) -> bool:
        kind, _ = classify(handset, self.scenario.handsets)
        return kind is HandsetKind.OPTED_OUT or (handset, number) in self.opt_outs

    def _record(
        self,
        account_sid: str,
        from_: str,
        to: str,
        body: str,
        direction: str,
        status: str,
        now: float,
    ) -> MessageRecord:
        """A message that does not go through create: an inbound one, or the carrier's own
        reply (sent at once, free, with no status callback)."""
        tag = "in" if direction == "inbound" else direction  # inbound sids as they always were
        key = f"{self.scenario.seed}|{tag}|{from_}|{to}|{body}"
        self._occurrences[key] += 1
        record = MessageRecord(
            sid="SM" + hashlib.sha256(f"{key}|{self._occurrences[key]}".encode()).hexdigest()[:32],
            account_sid=account_sid,
            from_=from_,
            to=to,
            body=body,
            direction=direction,
            status=status,
            created_at=now,
            updated_at=now,
            num_segments=segment(body).segments,
            sent_at=now,
        )
        self.messages[record.sid] = record
        return record

    def inbound_params(self, record: MessageRecord) -> dict[str, str]:
        """Twilio's inbound webhook parameters (empty geo fields as empty strings), with
        `OptOutType` for a keyword as Advanced Opt-Out sends it."""
        keyword = keyword_of(record.body)
        return ({"OptOutType": keyword.value} if keyword else {}) | {
            "MessageSid": record.sid,
            "SmsSid": record.sid,
            "SmsMessageSid": record.sid,
            "AccountSid": record.account_sid,
            "From": record.from_ or "",
            "To": record.to,
            "Body": record.body,
            "NumMedia": "0",
            "NumSegments": str(record.num_segments),
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
            "FromCountry": country_of(record.from_ or "") or "",
            "ToCountry": country_of(record.to) or "",
            "FromCity": "",
            "FromState": "",
            "FromZip": "",
            "ToCity": "",
            "ToState": "",
            "ToZip": "",
        }

    @staticmethod
    def status_params(record: MessageRecord, post: CallbackPost, done: datetime) -> dict[str, str]:
        """Twilio's status callback parameters; `done` is the wall time of the status."""
        params = {
            "MessageSid": record.sid,
            "SmsSid": record.sid,
            "MessageStatus": post.status,
            "SmsStatus": post.status,
            "AccountSid": record.account_sid,
            "From": record.from_ or "",
            "To": record.to,
            "ApiVersion": API_VERSION,
        }
        if post.error_code is not None:
            params["ErrorCode"] = str(post.error_code)
        if post.status in ("delivered", "undelivered"):  # the handset's delivery receipt
            params["RawDlrDoneDate"] = dlr_done_date(done)
        return params
