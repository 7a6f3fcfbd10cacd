"""`/ui/ops`: what /metrics says, for a person: messages by status, the queue, the carrier
breaker and latency, and this organization's recent failures by reason. Refreshes itself.

The counts and the breaker are the gateway's as a whole (as /metrics, which is public, shows
them); the failures listed are the session's organization's own, read through the API.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from gateway.core import dates
from gateway.keys import DISPATCHER, METRICS, STORE
from gateway.ui.api_call import call_api
from gateway.ui.guard import signed_in
from gateway.ui.render import fragment, live, page

__all__ = ["latency_summary", "setup"]


def latency_summary(samples: list[tuple[str, dict[str, str], float]]) -> dict[str, Any]:
    """Calls, mean and the p50/p95 bucket bounds of the carrier-latency histogram."""
    count = sum(v for name, _labels, v in samples if name.endswith("_count"))
    total = sum(v for name, _labels, v in samples if name.endswith("_sum"))
    buckets: dict[float, float] = {}
    for name, labels, value in samples:
        if name.endswith("_bucket"):
            le = float(labels["le"])
            buckets[le] = buckets.get(le, 0.0) + value

    def bound(share: float) -> float | None:
        return next((le for le in sorted(buckets) if count and buckets[le] >= share * count), None)

    return {
        "count": int(count),
        "mean": total / count if count else None,
        "p50": bound(0.5),
        "p95": bound(0.95),
    }


async def _ops(request: web.Request) -> dict[str, Any]:
    app = request.app
    census = await app[STORE].sms_census()
    by_status: Counter[str] = Counter()
    for direction, status, _reason, _phone, count in census:
        by_status[f"{direction} {status}"] += count
    due, later = await app[STORE].queue_depth(dates.iso(dates.now()))
    dispatcher = app[DISPATCHER]
    samples = [
        (s.name, s.labels, s.value)
        for metric in app[METRICS].carrier_latency.collect()
        for s in metric.samples
    ]
    failed = await call_api(
        request, "GET", "/activity/sms/", query={"status": "error", "_limit": "100"}
    )
    recent = failed.data["data"]
    return {
        "by_status": sorted(by_status.items()),
        "due": due,
        "later": later,
        "in_flight": dispatcher.in_flight if dispatcher else 0,
        "breaker": dispatcher.breaker.state.name.lower() if dispatcher else "off",
        "latency": latency_summary(samples),
        "reasons": Counter(s["error_reason"] or "unknown" for s in recent).most_common(),
        "recent": recent[:10],
    }


@signed_in
async def ops(request: web.Request) -> web.StreamResponse:
    return page(request, "ops.html", **await _ops(request))


@signed_in
async def ops_live(request: web.Request) -> web.StreamResponse:
    return live(fragment(request, "_ops.html", **await _ops(request)))


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/ui/ops", ops)
    router.add_get("/ui/ops/live", ops_live)
