"""Reconciliation: ask the carrier about messages whose final status never arrived.

Status callbacks can be lost for good: the gateway was down longer than the carrier kept
retrying, or a proxy dropped them. A message sent more than `reconcile_after` seconds ago
without a final delivery status is fetched from the carrier (`GET Messages/{sid}.json`) and
what it says goes through the same intake path as a callback (stored as a carrier event, then
the forward-only lifecycle), so a late real callback afterwards changes nothing.

Each sid is asked about at most once per `reconcile_after`; messages older than
`_GIVE_UP` are left alone (a carrier that never reports delivery would be asked forever).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from gateway.config import Config
from gateway.core import dates
from gateway.core.errors import CarrierError
from gateway.core.models import StatusEvent
from gateway.logs import ACTIVITY_ID
from gateway.metrics import Metrics
from gateway.store import Store
from gateway.workers.carrier_client import CarrierClient

__all__ = ["Reconciler"]

log = logging.getLogger("gateway.reconcile")
_GIVE_UP = timedelta(days=3)
_BATCH = 100


class Reconciler:
    def __init__(
        self, store: Store, carrier: CarrierClient, config: Config, metrics: Metrics
    ) -> None:
        self._store = store
        self._carrier = carrier
        self._after = config.reconcile_after
        self._interval = config.reconcile_interval
        self._metrics = metrics
        self._asked: dict[str, float] = {}  # sid -> when (monotonic)

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:  # a failed round must not end reconciliation
                log.exception("reconciliation round failed")
            await asyncio.sleep(self._interval)

    async def round(self) -> int:
        """Ask about one batch; returns how many the carrier answered about."""
        tick = time.monotonic()
        self._asked = {sid: at for sid, at in self._asked.items() if tick - at < self._after}
        now = dates.now()
        sids = await self._store.unsettled_sids(
            dates.iso(now - _GIVE_UP),
            dates.iso(now - timedelta(seconds=self._after)),
            _BATCH,
            frozenset(self._asked),
        )
        answered = 0
        for sid in sids:
            self._asked[sid] = tick
            try:
                status, code = await self._carrier.fetch_message_status(sid)
            except CarrierError as exc:
                log.warning(
                    "could not ask the carrier about %s: %s", sid, exc, extra={"carrier_sid": sid}
                )
                continue
            event = StatusEvent(
                sid,
                status,
                code,
                dates.iso(dates.now()),
                {"Source": "reconcile", "MessageSid": sid, "MessageStatus": status},
            )
            found = await self._store.record_status(event)
            token = ACTIVITY_ID.set(found[0] if found else None)
            try:
                log.info(
                    "reconciled %s: the carrier says %s", sid, status, extra={"carrier_sid": sid}
                )
            finally:
                ACTIVITY_ID.reset(token)
            self._metrics.reconciled.labels(status or "unknown").inc()
            answered += 1
        return answered
