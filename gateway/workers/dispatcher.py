"""The dispatcher: a background task that hands due messages to the carrier.

Each round reads what is due, paces it per sending number, claims it (a lease, in one short
transaction) and sends each claimed message in its own task; the outcome is written in another
short transaction. No transaction is open during a carrier call. The activity id is the
`Idempotency-Key`, so a message whose outcome was lost (crash, timeout) is sent again after the
lease or a restart and the carrier returns the first message instead of sending twice.

A carrier that ignores the key (real Twilio: `carrier.deduplicates_creates: false`) gets no
second create for a message claimed before (the claim is stored): it is first looked up in the
carrier's Messages list (same To, From and body, created since that first claim), and one
found there is recorded as accepted with its sid. A failed lookup is "carrier unavailable".

A misconfigured carrier (wrong token or URL, or not Twilio at all) fails every call alike: the
breaker opens at once, one line is logged, `/readyz` names the problem, the messages stay
queued; while it stays open, those older than `max_age` end `expired`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import datetime, timedelta

from gateway.config import Config
from gateway.core import dates
from gateway.core.breaker import Breaker, BreakerState
from gateway.core.errors import CarrierMisconfigured, CarrierRejected, CarrierUnavailable
from gateway.core.lifecycle import accepted, failed_locally, rejected
from gateway.core.models import DueSms, Suppression
from gateway.core.pacing import Pacer, backoff
from gateway.core.pricing import cost_of
from gateway.core.sms_rules import dispatch_blocker
from gateway.logs import ACTIVITY_ID
from gateway.metrics import Metrics
from gateway.store import Store
from gateway.workers.carrier_client import CarrierClient, ListedMessage, SentMessage
from telecom import Reason, country_of

__all__ = ["Dispatcher"]

log = logging.getLogger("gateway.dispatcher")
# The carrier's clock and ours differ a little, and Twilio's dates have whole seconds.
_CLOCK_SLACK = timedelta(seconds=60)
_EXPIRE_EVERY = 1.0  # seconds between sweeps for expired messages while the breaker is open

_CLOSING = 0.5  # seconds of the grace period kept for closing after the drain (at most)


class Dispatcher:
    def __init__(
        self, store: Store, carrier: CarrierClient, config: Config, metrics: Metrics | None = None
    ) -> None:
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
        # why the carrier refuses every call (wrong token or URL), until a call is answered
        self.carrier_problem: str | None = None
        self._swept = 0.0  # when _expire_waiting last ran (monotonic)
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
        # what is left after the drain (cancelling the sends that are cut off, closing the
        # carrier session and the database) must fit in the grace period too
        grace -= min(_CLOSING, grace / 10)
        # a round that began before the signal may still be claiming: let it start its sends
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                self._between_rounds.wait(), max(0.0, began + grace - time.monotonic())
            )
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

    @property
    def in_flight(self) -> int:
        """Carrier calls under way now (the console's ops page shows it)."""
        return len(self._in_flight)

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
                    await self._expire_waiting()
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
        # (and `_expire_waiting` still ends the ones that grow too old)
        room = min(self._config.max_in_flight - len(self._in_flight), self.breaker.room(tick))
        self._show_breaker()
        if room <= 0 or self._stopping is not None:
            return
        due = await self._store.due_sms(
            dates.iso(now), room, self._pacer.burst, frozenset(self._pacer.waiting(tick))
        )
        # What changed since a message was accepted may end it without a carrier call; the
        # decision is recorded only for messages we claimed (on PostgreSQL another process may
        # be sending one right now), and such claims take no send slot. One that an earlier
        # create may have left at the carrier is looked up first (`_attempt`): ending it here
        # could contradict what the carrier did with it.
        ended: dict[str, Reason] = {}
        ready: list[DueSms] = []
        for message in due:
            reason = dispatch_blocker(message, now, self._config.max_age)
            if reason is not None and message.first_claimed_at is None:
                ended[message.id] = reason
            elif self._pacer.take(message.local_phone, tick, message.segments):
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
            reason = dispatch_blocker(message, dates.now(), self._config.max_age)
            sent = await self._look_up(message, ending=reason is not None)
            if sent is None and reason is not None:
                self._carrier_answered()  # the lookup was answered: a probe's end, too
                await self._end(message.id, reason)  # not at the carrier: ending it is safe
                return
            sent = sent or await self._carrier.send_message(
                to=message.remote_phone,
                from_=message.local_phone,
                body=message.text,
                status_callback=self._status_callback,
                idempotency_key=message.id,
            )
        except CarrierMisconfigured as exc:
            metrics.carrier_errors.labels("misconfigured", "").inc()
            self._misconfigured(str(exc))
            # claimed for the first time, and refused before any Messages resource saw it:
            # nothing of it can be at the carrier, so no lookup is owed
            await self._retry_or_expire(
                message, str(exc), quiet=True, unsent=message.first_claimed_at is None
            )
        except CarrierRejected as exc:
            self._answered(started, "rejected")
            metrics.carrier_errors.labels("rejected", str(exc.code)).inc()
            log.info("carrier rejected %s: %s", message.id, exc)
            await self._store.record_refused(message.id, rejected(exc.code), dates.iso(dates.now()))
            # the carrier's opt-out list has it: so must ours. After the refusal is recorded:
            # killed in between, the message keeps the carrier's own answer (21610), and the
            # next send to the phone meets 21610 again and suppresses it then
            if exc.code == 21610:
                await self._store.suppress(
                    Suppression(
                        message.organization_id,
                        message.remote_phone,
                        "21610",
                        message.local_phone,
                        dates.iso(dates.now()),
                    )
                )
        except CarrierUnavailable as exc:
            metrics.carrier_latency.labels("unavailable").observe(time.monotonic() - started)
            metrics.carrier_errors.labels("unavailable", "").inc()
            opens = self.breaker.opens
            self.breaker.unavailable(time.monotonic())
            if self.breaker.opens > opens:
                log.warning(
                    "carrier unavailable %d times in a row: breaker open for %.0f s",
                    self.breaker.failures,
                    self.breaker.cooldown,
                )
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
            cost = (
                None
                if segments is None
                else cost_of(
                    self._config.rates, country_of(message.remote_phone), "outbound", segments
                )
            )
            await self._store.record_accepted(
                message.id,
                sent.sid,
                accepted(sent.status, sent.error_code),
                dates.iso(dates.now()),
                segments=segments,
                cost=cost,
            )

    def _answered(self, started: float, outcome: str) -> None:
        self._metrics.carrier_latency.labels(outcome).observe(time.monotonic() - started)
        if outcome == "rejected":
            self._metrics.dispatch_outcomes.labels("rejected").inc()
        self._carrier_answered()

    def _carrier_answered(self) -> None:
        self.breaker.answered()
        if self.carrier_problem is not None:
            log.warning("the carrier answers again: %s is over", self.carrier_problem)
            self.carrier_problem = None
        self._show_breaker()

    async def _look_up(self, message: DueSms, ending: bool) -> SentMessage | None:
        """The message an earlier create of this one made at the carrier, if there is one;
        None when none can exist or none is there. Asked before a resend when the carrier
        ignores Idempotency-Key, and before ending (`ending`) whatever the carrier does: a
        message the carrier has must show what it became there, not our verdict."""
        if message.first_claimed_at is None or (
            self._config.carrier_deduplicates_creates and not ending
        ):
            return None
        since = datetime.fromisoformat(message.first_claimed_at) - _CLOCK_SLACK
        listed = await self._carrier.list_messages(
            to=message.remote_phone, from_=message.local_phone, since=since
        )
        for candidate in _oldest_first(listed, message.text, since):
            # the same text sent twice: a sid already recorded belongs to the other message
            owner = await self._store.sent_by_sid(candidate.sid)
            if owner is None or owner[0] == message.id:
                log.info(
                    "found %s at the carrier as %s: not sent again",
                    message.id,
                    candidate.sid,
                    extra={"carrier_sid": candidate.sid},
                )
                self._metrics.lookups.labels("found").inc()
                return candidate.sent()
        log.info("%s is not at the carrier: sending it", message.id)
        self._metrics.lookups.labels("missing").inc()
        return None

    def _misconfigured(self, why: str) -> None:
        """Open the breaker at once and say so once: every call fails alike until the
        configuration is fixed (and the gateway restarted)."""
        if self.breaker.trip(time.monotonic()):
            self._metrics.breaker_opens.labels(self._config.carrier_url).inc()
        if self.carrier_problem != why:
            log.error(
                "carrier misconfigured, messages stay queued (max_age %.0f s still applies): %s",
                self._config.max_age,
                why,
            )
            self.carrier_problem = why
        self._show_breaker()

    async def _expire_waiting(self) -> None:
        """While the breaker keeps messages unclaimed, `max_age` still ends them. Those whose
        create may have reached the carrier wait for a lookup (the breaker's next probe)."""
        tick = time.monotonic()
        if self.breaker.state is BreakerState.CLOSED or tick - self._swept < _EXPIRE_EVERY:
            return
        self._swept, now = tick, dates.now()
        ended = await self._store.expire_unclaimed(
            dates.iso(now - timedelta(seconds=self._config.max_age)),
            dates.iso(now),
            failed_locally(Reason.EXPIRED),
            True,
        )
        if ended:
            log.warning("%d messages expired while the carrier was unavailable", ended)
            self._metrics.dispatch_outcomes.labels("expired").inc(ended)

    async def _retry_or_expire(
        self, message: DueSms, why: str, *, quiet: bool = False, unsent: bool = False
    ) -> None:
        now = dates.now()
        age = (now - datetime.fromisoformat(message.due_since)).total_seconds()
        attempt = message.attempts + 1
        delay = backoff(attempt, self._config.retry_base, self._config.retry_max, random.random())
        max_age = self._config.max_age
        if age + delay > max_age and (unsent or age > 2 * max_age):
            log.warning("giving up on %s after %d attempts: %s", message.id, attempt, why)
            self._metrics.dispatch_outcomes.labels("expired").inc()
            await self._store.record_refused(
                message.id, failed_locally(Reason.EXPIRED), dates.iso(now)
            )
            return
        if age + delay > max_age:
            # this create may have reached the carrier (a timeout, a 5xx): its next claim looks
            # it up before ending it. Past twice max_age, unconfirmed, it expires all the same.
            log.info("%s is past max_age: it is looked up before it ends", message.id)
        else:  # quiet: the cause was logged once for all (a misconfigured carrier)
            log.log(
                logging.DEBUG if quiet else logging.INFO,
                "carrier unavailable for %s (attempt %d), retry in %.1fs: %s",
                message.id,
                attempt,
                delay,
                why,
            )
            self._metrics.retries.inc()
            self._metrics.dispatch_outcomes.labels("retry").inc()
        await self._store.record_retry(
            message.id, attempt, dates.iso(now + timedelta(seconds=delay)), unsent
        )


def _oldest_first(listed: list[ListedMessage], body: str, since: datetime) -> list[ListedMessage]:
    """The carrier's messages that an earlier create of ours with `body` may have made."""
    return sorted(
        (
            m
            for m in listed
            if m.direction == "outbound-api"
            and m.body == body
            and m.date_created is not None
            and m.date_created >= since
        ),
        key=lambda m: m.date_created or since,
    )
