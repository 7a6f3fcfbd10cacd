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
from gateway.carrier import CarrierClient
from gateway.config import Config
from gateway.errors import CarrierRejected, CarrierUnavailable
from gateway.lifecycle import accepted, failed_locally, rejected
from gateway.models import DueSms
from gateway.pacing import Pacer, backoff
from gateway.store import Store
from telecom import Reason

__all__ = ["Dispatcher"]

log = logging.getLogger("gateway.dispatcher")


class Dispatcher:
    def __init__(self, store: Store, carrier: CarrierClient, config: Config) -> None:
        self._store = store
        self._carrier = carrier
        self._config = config
        self._status_callback = f"{config.public_url}/carrier/status"
        self._pacer = Pacer(config.messages_per_second, config.poll_interval)
        self._lease = timedelta(seconds=config.carrier_timeout * 2 + 5)
        self._wake = asyncio.Event()
        self._in_flight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Look for due work now instead of at the next poll (a message was just accepted)."""
        self._wake.set()

    async def run(self) -> None:
        await self._store.release_claims()
        try:
            while True:
                try:
                    await self._round()
                except Exception:  # a failed round must not end the dispatcher
                    log.exception("dispatch round failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._config.poll_interval)
                self._wake.clear()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _round(self) -> None:
        room = self._config.max_in_flight - len(self._in_flight)
        if room <= 0:
            return
        now, tick = dates.now(), time.monotonic()
        due = await self._store.due_sms(dates.iso(now), room, self._pacer.burst,
                                        frozenset(self._pacer.waiting(tick)))
        ready: list[DueSms] = []
        for message in due:
            if message.blocked:  # the recipient replied STOP after we accepted it
                await self._store.record_outcome(
                    message.id, failed_locally(Reason.OPTED_OUT), dates.iso(now))
            elif self._pacer.take(message.local_phone, tick):
                ready.append(message)
        claimed = set(await self._store.claim_sms(
            [m.id for m in ready], dates.iso(now), dates.iso(now + self._lease)))
        for message in ready:
            if message.id in claimed:
                self._in_flight.add(message.id)
                task = asyncio.create_task(self._send(message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _send(self, message: DueSms) -> None:
        try:
            await self._attempt(message)
        except Exception:
            # the claim lapses and the message is sent again under the same Idempotency-Key
            log.exception("could not record the outcome of %s", message.id)
        finally:
            self._in_flight.discard(message.id)
            self.wake()

    async def _attempt(self, message: DueSms) -> None:
        try:
            sent = await self._carrier.send_message(
                to=message.remote_phone, from_=message.local_phone, body=message.text,
                status_callback=self._status_callback, idempotency_key=message.id,
            )
        except CarrierRejected as exc:
            log.info("carrier rejected %s: %s", message.id, exc)
            await self._store.record_outcome(message.id, rejected(exc.code),
                                             dates.iso(dates.now()))
        except CarrierUnavailable as exc:
            await self._retry_or_expire(message, str(exc))
        else:
            await self._store.record_accepted(message.id, sent.sid, accepted(sent.status),
                                              dates.iso(dates.now()))

    async def _retry_or_expire(self, message: DueSms, why: str) -> None:
        now = dates.now()
        age = (now - datetime.fromisoformat(message.due_since)).total_seconds()
        attempt = message.attempts + 1
        delay = backoff(attempt, self._config.retry_base, self._config.retry_max, random.random())
        if age + delay > self._config.max_age:
            log.warning("giving up on %s after %d attempts: %s", message.id, attempt, why)
            await self._store.record_outcome(message.id, failed_locally(Reason.EXPIRED),
                                             dates.iso(now))
            return
        log.info("carrier unavailable for %s (attempt %d), retry in %.1fs: %s",
                 message.id, attempt, delay, why)
        await self._store.record_retry(message.id, attempt,
                                       dates.iso(now + timedelta(seconds=delay)))
