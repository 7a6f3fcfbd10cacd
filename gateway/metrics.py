"""The gateway's Prometheus metrics: one `CollectorRegistry` per app (no global state, so tests
can build several apps), the events counted where they happen, and the database's view
(messages by status, reason and country, from counts the database keeps on write; queue depth;
unmatched callbacks) read at scrape time.

Every name starts with `smslab_`; `deploy/README-ops.md` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from telecom import country_of

__all__ = ["CONTENT_TYPE", "Metrics", "SmsCensusRow"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# seconds: a fast local carrier answers in milliseconds, a backlog waits minutes
_DELAY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# direction, status, error_reason, a sample remote phone of the group, count
SmsCensusRow = tuple[str, str, str | None, str | None, int]


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.messages = Gauge(
            "smslab_messages",
            "SMS activities in the database by direction, Close status,"
            " error reason and remote country",
            ["direction", "status", "reason", "country"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "smslab_queue_depth",
            "Outbound messages the dispatcher has yet to hand over:"
            " due now, or due later (scheduled, send_in, retry backoff)",
            ["state"],
            registry=registry,
        )
        self.unmatched_callbacks = Gauge(
            "smslab_unmatched_callbacks",
            "Stored status callbacks whose sid no message has"
            " (yet): orphans, or callbacks that overtook the create answer",
            registry=registry,
        )
        self.dispatch_delay = Histogram(
            "smslab_dispatch_delay_seconds",
            "From a message falling due to the carrier accepting it (retries included)",
            buckets=_DELAY_BUCKETS,
            registry=registry,
        )
        self.carrier_latency = Histogram(
            "smslab_carrier_latency_seconds",
            "Duration of carrier message-create calls",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.carrier_errors = Counter(
            "smslab_carrier_errors",
            "Carrier create calls that failed: rejected (final, by code) or unavailable (retried)",
            ["kind", "code"],
            registry=registry,
        )
        self.dispatch_outcomes = Counter(
            "smslab_dispatch_outcomes",
            "What the dispatcher did with a claimed message",
            ["outcome"],
            registry=registry,
        )
        self.retries = Counter(
            "smslab_dispatch_retries",
            "Messages put back for a later attempt (carrier unavailable)",
            registry=registry,
        )
        self.callbacks = Counter(
            "smslab_callbacks",
            "Signed status callbacks received, by carrier status",
            ["status"],
            registry=registry,
        )
        self.orphan_callbacks = Counter(
            "smslab_orphan_callbacks",
            "Status callbacks for a sid no message had when it arrived",
            registry=registry,
        )
        self.events_purged = Counter(
            "smslab_carrier_events_purged",
            "Stored carrier events (callbacks, inbound,"
            " whitelist decisions) deleted past carrier.events_retention_days; matched=no:"
            " orphans, whose sid no message ever had",
            ["matched"],
            registry=registry,
        )
        self.callback_lag = Histogram(
            "smslab_callback_lag_seconds",
            "From the carrier accepting a message to each of its status callbacks arriving",
            ["status"],
            buckets=_DELAY_BUCKETS,
            registry=registry,
        )
        self.breaker_state = Gauge(
            "smslab_carrier_breaker_state",
            "Circuit breaker: 0 closed, 1 half-open, 2 open",
            ["carrier"],
            registry=registry,
        )
        self.breaker_opens = Counter(
            "smslab_carrier_breaker_opens",
            "Times the carrier's circuit breaker opened",
            ["carrier"],
            registry=registry,
        )
        self.reconciled = Counter(
            "smslab_reconciled",
            "Statuses fetched from the carrier for messages whose final callback never came",
            ["status"],
            registry=registry,
        )
        self.lookups = Counter(
            "smslab_carrier_lookups",
            "Creates whose outcome was lost, looked up in the"
            " carrier's Messages list before any resend: found or missing",
            ["result"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "smslab_api_rate_limited", "API requests answered 429", registry=registry
        )
        self.auth_failures = Counter(
            "smslab_api_auth_failures",
            "API requests answered 401: no key, or one that matches nothing",
            registry=registry,
        )
        self.auth_throttled = Counter(
            "smslab_api_auth_throttled",
            "API requests answered 429 before their key was looked"
            " up: their address failed authentication too often",
            registry=registry,
        )
        self.too_large = Counter(
            "smslab_api_body_too_large", "API requests answered 413", registry=registry
        )

    def census(self, rows: Iterable[SmsCensusRow]) -> None:
        """Replace the message gauges with the database's counts."""
        totals: dict[tuple[str, str, str, str], int] = {}
        for direction, status, reason, sample, count in rows:
            country = (country_of(sample) if sample else None) or "unknown"
            labels = (direction, status, reason or "", country)
            totals[labels] = totals.get(labels, 0) + count
        self.messages.clear()
        for labels, count in totals.items():
            self.messages.labels(*labels).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
