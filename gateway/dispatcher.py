"""The dispatcher: a background task that hands due messages to the carrier.

Each round reads what is due, paces it per sending number, claims it (a lease, in one short
transaction) and sends each claimed message in its own task; the outcome is written in another
short transaction. No transaction is open during a carrier call. The activity id is the
`Idempotency-Key`, so a message whose outcome was lost (crash, timeout) is sent again after the
lease or a restart and the carrier returns the first message instead of sending twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import datetime, timedelta

from gateway import dates
from gateway.breaker import Breaker
from gateway.carrier import CarrierClient
from gateway.config import Config
from gateway.errors import CarrierRejected, CarrierUnavailable
from gateway.lifecycle import accepted, failed_locally, rejected
from gateway.logs import ACTIVITY_ID
from gateway.metrics import Metrics
from gateway.models import DueSms
from gateway.pacing import Pacer, backoff
from gateway.pricing import cost_of
from gateway.sms_rules import dispatch_blocker
from gateway.store import Store
from telecom import Reason, country_of

__all__ = ["Dispatcher"]

log = logging.getLogger("gateway.dispatcher")

_SWEEP = 100  # due messages looked at per round while the breaker is open (oldest first)


class Dispatcher:
    def __init__(self, store: Store, carrier: CarrierClient, config: Config,
                 metrics: Metrics | None = None) -> None:
        self._store = store
        self._carrier = carrier
        self._config = config
        self._status_callback = f"{config.public_url}/carrier/status"
        self._pacer = Pacer(config.messages_per_second, config.poll_interval)
        self._lease = timedelta(seconds=config.carrier_timeout * 2 + 5)
        self._wake = asyncio.Event()
        self._in_flight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._metrics = metrics or Metrics()
        self.breaker = Breaker(config.breaker_threshold, config.breaker_cooldown)
        self._stopping: float | None = None  # when shutdown began (monotonic)
        self._closing = False
        self._between_rounds = asyncio.Event()  # clear while a round claims and starts sends
        self._between_rounds.set()
        self._show_breaker()

    def stop_taking(self) -> None:
        """Shutdown began: claim nothing more; what is in flight goes on."""
        if self._stopping is None:
            self._stopping = time.monotonic()

    async def drain(self, grace: float) -> int:
        """Wait for in-flight sends to finish and record their outcome, until `grace` seconds
        after shutdown began (the HTTP side's wait counts against the same budget); returns
        how many were still running (cancelled with the task: their claim is released at the
        next start and they are sent again under the same Idempotency-Key)."""
        self.stop_taking()
        began = self._stopping if self._stopping is not None else time.monotonic()
        # a round that began before the signal may still be claiming: let it start its sends
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._between_rounds.wait(),
                                   max(0.0, began + grace - time.monotonic()))
        timeout = began + grace - time.monotonic()
        if self._tasks and timeout > 0:
            await asyncio.wait(list(self._tasks), timeout=timeout)
        # End run() by its own loop: on 3.11, cancelling a task inside asyncio.wait_for can be
        # swallowed when the awaited event fires at the same moment, and the loop would go on.
        self._closing = True
        self._wake.set()
        return len(self._tasks)

    def _show_breaker(self) -> None:
        carrier = self._config.carrier_url
        self._metrics.breaker_state.labels(carrier).set(int(self.breaker.state))

    def wake(self) -> None:
        """Look for due work now instead of at the next poll (a message was just accepted)."""
        self._wake.set()

    async def run(self) -> None:
        await self._store.release_claims()
        try:
            while not self._closing:
                self._between_rounds.clear()
                try:
                    await self._round()
                except Exception:  # a failed round must not end the dispatcher
                    log.exception("dispatch round failed")
                finally:
                    self._between_rounds.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._config.poll_interval)
                self._wake.clear()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _round(self) -> None:
        now, tick = dates.now(), time.monotonic()
        # while the breaker is open, due messages wait unclaimed: no attempt is spent on them
        closed = self.breaker.room(tick)
        room = min(self._config.max_in_flight - len(self._in_flight), closed)
        self._show_breaker()
        if self._stopping is not None or (room <= 0 and closed > 0):
            return
        if room > 0:
            due = await self._store.due_sms(dates.iso(now), room, self._pacer.burst,
                                            frozenset(self._pacer.waiting(tick)))
        else:  # the breaker is open: nothing is sent, but the oldest still expire on time
            due = await self._store.due_sms(dates.iso(now), _SWEEP, _SWEEP, frozenset())
        # What changed since a message was accepted may end it without a carrier call; the
        # decision is recorded only for messages we claimed (on PostgreSQL another process may
        # be sending one right now), and such claims take no send slot.
        ended: dict[str, Reason] = {}
        ready: list[DueSms] = []
        for message in due:
            if (reason := dispatch_blocker(message, now, self._config.max_age)) is not None:
                ended[message.id] = reason
            elif room > 0 and self._pacer.take(message.local_phone, tick):
                ready.append(message)
        lease = dates.iso(now + self._lease)
        if ended:
            mine = await self._store.claim_sms(list(ended), dates.iso(now), lease, paced=False)
            await asyncio.gather(*(self._end(sms_id, ended[sms_id]) for sms_id in mine))
        claimed = set(await self._store.claim_sms([m.id for m in ready], dates.iso(now), lease))
        self.breaker.started(len(claimed))
        for message in ready:
            if message.id in claimed:
                self._in_flight.add(message.id)
                task = asyncio.create_task(self._send(message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _end(self, sms_id: str, reason: Reason) -> None:
        log.info("not sending %s: %s", sms_id, reason.value)
        self._metrics.dispatch_outcomes.labels(reason.value).inc()
        await self._store.record_refused(sms_id, failed_locally(reason), dates.iso(dates.now()))

    async def _send(self, message: DueSms) -> None:
        ACTIVITY_ID.set(message.id)  # this task's context: every line it logs names the message
        try:
            await self._attempt(message)
        except Exception:
            # the claim lapses and the message is sent again under the same Idempotency-Key
            log.exception("could not record the outcome of %s", message.id)
        finally:
            self._in_flight.discard(message.id)
            self.wake()

    async def _attempt(self, message: DueSms) -> None:
        metrics, started = self._metrics, time.monotonic()
        try:
            sent = await self._carrier.send_message(
                to=message.remote_phone, from_=message.local_phone, body=message.text,
                status_callback=self._status_callback, idempotency_key=message.id,
            )
        except CarrierRejected as exc:
            self._answered(started, "rejected")
            metrics.carrier_errors.labels("rejected", str(exc.code)).inc()
            log.info("carrier rejected %s: %s", message.id, exc)
            await self._store.record_refused(message.id, rejected(exc.code),
                                             dates.iso(dates.now()))
        except CarrierUnavailable as exc:
            metrics.carrier_latency.labels("unavailable").observe(time.monotonic() - started)
            metrics.carrier_errors.labels("unavailable", "").inc()
            opens = self.breaker.opens
            self.breaker.unavailable(time.monotonic())
            if self.breaker.opens > opens:
                log.warning("carrier unavailable %d times in a row: breaker open for %.0f s",
                            self.breaker.failures, self.breaker.cooldown)
                metrics.breaker_opens.labels(self._config.carrier_url).inc()
            self._show_breaker()
            await self._retry_or_expire(message, str(exc))
        else:
            self._answered(started, "accepted")
            due = datetime.fromisoformat(message.due_since)
            metrics.dispatch_delay.observe(max(0.0, (dates.now() - due).total_seconds()))
            metrics.dispatch_outcomes.labels("accepted").inc()
            # the carrier counts the segments it bills; the cost follows its count
            segments = sent.num_segments
            cost = None if segments is None else cost_of(
                self._config.rates, country_of(message.remote_phone), "outbound", segments)
            await self._store.record_accepted(
                message.id, sent.sid, accepted(sent.status, sent.error_code),
                dates.iso(dates.now()), segments=segments, cost=cost)

    def _answered(self, started: float, outcome: str) -> None:
        self._metrics.carrier_latency.labels(outcome).observe(time.monotonic() - started)
        if outcome == "rejected":
            self._metrics.dispatch_outcomes.labels("rejected").inc()
        self.breaker.answered()
        self._show_breaker()

    async def _retry_or_expire(self, message: DueSms, why: str) -> None:
        now = dates.now()
        age = (now - datetime.fromisoformat(message.due_since)).total_seconds()
        attempt = message.attempts + 1
        delay = backoff(attempt, self._config.retry_base, self._config.retry_max, random.random())
        if age + delay > self._config.max_age:
            log.warning("giving up on %s after %d attempts: %s", message.id, attempt, why)
            self._metrics.dispatch_outcomes.labels("expired").inc()
            await self._store.record_refused(message.id, failed_locally(Reason.EXPIRED),
                                             dates.iso(now))
            return
        log.info("carrier unavailable for %s (attempt %d), retry in %.1fs: %s",
                 message.id, attempt, delay, why)
        self._metrics.retries.inc()
        self._metrics.dispatch_outcomes.labels("retry").inc()
        await self._store.record_retry(message.id, attempt,
                                       dates.iso(now + timedelta(seconds=delay)))
