"""Housekeeping: the background task that keeps what the database holds for operations bounded.

Every `events_purge_interval` seconds it folds the census deltas (PostgreSQL's /metrics counts,
migration 010) and purges the carrier events (every callback's raw payload) older than
`carrier.events_retention_days`, in batches of `_BATCH` rows, each its own transaction, so the
purge never holds the writer (or a lock) for long.

An event that has not matched a message yet (`applied` false: its callback overtook the create
answer) is still needed while that answer, or the lookup that replaces a lost one, can come:
until `dispatcher.max_age` plus one carrier timeout after it arrived. It is kept at least that
long whatever the retention; when it goes it was an orphan for good, and is counted so.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from gateway.config import Config
from gateway.core import dates
from gateway.metrics import Metrics
from gateway.store import Store

__all__ = ["Housekeeper", "purge_cutoffs"]

log = logging.getLogger("gateway.housekeeping")
_BATCH = 500


def purge_cutoffs(
    now: datetime, retention: float, max_age: float, carrier_timeout: float
) -> tuple[str, str]:
    """(applied events received before this go, unapplied ones before this)."""
    unapplied = max(retention, max_age + carrier_timeout)
    return (
        dates.iso(now - timedelta(seconds=retention)),
        dates.iso(now - timedelta(seconds=unapplied)),
    )


class Housekeeper:
    def __init__(self, store: Store, config: Config, metrics: Metrics) -> None:
        self._store = store
        self._config = config
        self._metrics = metrics

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:  # a failed round must not end housekeeping
                log.exception("housekeeping round failed")
            await asyncio.sleep(self._config.events_purge_interval)

    async def round(self) -> int:
        """Fold the census, purge what is past retention; returns the events purged."""
        await self._store.compact_census()
        config = self._config
        if config.events_retention <= 0:  # kept forever
            return 0
        applied_before, unapplied_before = purge_cutoffs(
            dates.now(), config.events_retention, config.max_age, config.carrier_timeout
        )
        purged = 0
        while True:
            deleted, orphans = await self._store.purge_carrier_events(
                applied_before, unapplied_before, _BATCH
            )
            self._metrics.events_purged.labels("yes").inc(deleted - orphans)
            self._metrics.events_purged.labels("no").inc(orphans)
            purged += deleted
            if deleted < _BATCH:
                break
            await asyncio.sleep(0)  # the API's writes go in between batches
        if purged:
            log.info("purged %d carrier events past retention", purged)
        return purged
