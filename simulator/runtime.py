"""The running carrier: the pure engine, a simulated clock, timers for its events, and the
webhook sender. Replaced whole when QA load another scenario or reset."""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from collections.abc import Coroutine, Iterable
from typing import Any

from simulator.callbacks import Delivery, WebhookSender
from simulator.clock import SimClock
from simulator.engine.carrier import Carrier, MessageRequest
from simulator.engine.records import (
    CallbackPost,
    Event,
    HandsetReply,
    MessageRecord,
    Release,
    StatusChange,
    WhitelistVerdict,
)
from simulator.engine.whitelist import WhitelistDesk
from simulator.errors import TwilioError
from simulator.scenario.carrier_model import Scenario

__all__ = ["Runtime"]

log = logging.getLogger("simulator.runtime")


def _twiml_replies(body: str) -> list[str]:
    """Texts of the <Message> verbs in a TwiML answer (an empty or foreign answer: none)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return []
    if root.tag != "Response":
        return []
    texts = []
    for verb in root.iter("Message"):
        inner = verb.find("Body")
        text = (inner.text if inner is not None else verb.text) or ""
        if text.strip():
            texts.append(text.strip())
    return texts


class Runtime:
    def __init__(self, scenario: Scenario, sender: WebhookSender) -> None:
        self.sender = sender
        self._timers: dict[int, tuple[asyncio.TimerHandle, int]] = {}  # key -> (timer, events)
        self._next_timer = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self.load(scenario)

    def load(self, scenario: Scenario) -> None:
        self.close()
        self.scenario = scenario
        self.clock = SimClock(scenario.time_scale)
        self.carrier = Carrier(scenario)
        self.whitelist = WhitelistDesk(scenario.whitelist, self.carrier.numbers)

    def close(self) -> None:
        for timer, _ in self._timers.values():
            timer.cancel()
        for task in self._tasks:
            task.cancel()
        self._timers.clear()
        self._tasks.clear()

    async def stop(self) -> None:
        """close(), and wait for the cancelled webhooks to end: none is left half-sent when
        the sender closes its connections."""
        tasks = list(self._tasks)
        self.close()
        await asyncio.gather(*tasks, return_exceptions=True)

    def token(self, account_sid: str) -> str:
        return self.carrier.tokens[account_sid]

    # -- scheduling -------------------------------------------------------------------------

    def schedule(self, events: Iterable[Event]) -> None:
        """One timer for the events due at the same moment (a message's are often all due at
        once), fired in the order given: a timer costs more than the event it carries."""
        loop = asyncio.get_running_loop()
        at_once: dict[float, list[Event]] = {}
        for event in events:
            at_once.setdefault(event.at, []).append(event)
        for at, group in at_once.items():
            self._next_timer += 1
            key = self._next_timer
            timer = loop.call_later(self.clock.real_delay(at), self._fire, key, group)
            self._timers[key] = (timer, len(group))

    @property
    def pending(self) -> int:
        """Events still to happen (timers not yet fired, webhooks in flight)."""
        return sum(size for _, size in self._timers.values()) + len(self._tasks)

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _fire(self, key: int, events: list[Event]) -> None:
        self._timers.pop(key, None)
        now = self.clock.now()
        for event in events:
            if isinstance(event, StatusChange):
                self.carrier.change_status(event, now)
            elif isinstance(event, CallbackPost):
                self._spawn(self._post_status(event))
            elif isinstance(event, Release):
                self.schedule(self.carrier.release(event.sid, now))
            elif isinstance(event, HandsetReply):
                self._spawn(self.inbound(event.from_, event.to, event.body))
            elif isinstance(event, WhitelistVerdict):
                self._spawn(self._post_whitelist(event))

    # -- webhooks ---------------------------------------------------------------------------

    async def _post_status(self, post: CallbackPost) -> None:
        record = self.carrier.messages.get(post.sid)
        if record is None or not record.status_callback:
            return
        record.callbacks.append((post.status, post.error_code))
        await self.sender.send(
            record.status_callback,
            self.carrier.status_params(record, post, self.clock.wall(post.at)),
            self.token(record.account_sid),
            self.scenario.callbacks,
        )

    async def _post_whitelist(self, verdict: WhitelistVerdict) -> None:
        record = self.whitelist.decide(verdict, self.clock.now())
        if record is not None and record.status_callback:
            await self.sender.send(
                record.status_callback,
                WhitelistDesk.callback_params(record),
                self.token(record.account_sid),
                self.scenario.callbacks,
            )

    async def inbound(
        self, handset: str, to: str, body: str
    ) -> tuple[MessageRecord, Delivery | None]:
        """A handset's message reaches our number's SmsUrl; TwiML <Message> answers are sent."""
        record, number = self.carrier.receive(handset, to, body, self.clock.now())
        if not number.sms_url:
            return record, None
        delivery = await self.sender.send(
            number.sms_url,
            self.carrier.inbound_params(record),
            self.token(number.account_sid),
            self.scenario.callbacks,
            method=number.sms_method,
        )
        for text in _twiml_replies(delivery.body):
            try:
                reply, events = self.carrier.create(
                    number.account_sid,
                    MessageRequest(to=handset, from_=to, body=text),
                    self.clock.now(),
                )
            except TwilioError as exc:
                log.info("TwiML reply to %s refused: %s", handset, exc)
                continue
            reply.direction = "outbound-reply"
            self.schedule(events)
        return record, delivery
