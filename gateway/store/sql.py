"""Statements that are the same on both backends, written once for a search `Dialect`
(numbered placeholders: `?N` on SQLite, `$N` on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from gateway.core.lifecycle import Outcome
from gateway.search.compile import Dialect

__all__ = ["CENSUS", "end_unsent", "end_unsent_values", "purge_events"]

# smslab_messages from the counts migration 010 keeps on write: one row per group on SQLite,
# deltas to sum on PostgreSQL; (direction, status, error_reason, a sample phone, count)
CENSUS = (
    "SELECT direction, status, NULLIF(error_reason, ''), MIN(sample), SUM(n)"
    " FROM sms_census GROUP BY direction, status, error_reason, prefix"
    " HAVING SUM(n) <> 0"
)


def end_unsent(dialect: Dialect) -> str:
    """End a sending number's due, unclaimed messages with an outcome, at no cost (the
    carrier never saw them). Values: `end_unsent_values`."""
    p = dialect.placeholder.format
    return (
        f"UPDATE sms SET due_at = NULL, claimed_until = NULL, status = {p(1)},"
        f" delivery_status = {p(2)}, error_code = {p(3)}, error_reason = {p(4)},"
        f" error_message = {p(5)}, cost = NULL, date_updated = {p(6)}"
        f" WHERE organization_id = {p(7)} AND local_phone = {p(8)} AND due_at IS NOT NULL"
        f" AND carrier_sid IS NULL AND (claimed_until IS NULL OR claimed_until < {p(6)})"
    )


def end_unsent_values(outcome: Outcome, now: str, org_id: str, local_phone: str) -> tuple[Any, ...]:
    return (
        outcome.status,
        outcome.delivery_status,
        outcome.error_code,
        outcome.error_reason,
        outcome.error_message,
        now,
        org_id,
        local_phone,
    )


def purge_events(dialect: Dialect) -> str:
    """Delete one batch of the oldest carrier events: applied ones received before {1},
    unapplied ones (still waiting for their message's sid) before {2}; at most {3} rows.
    Returns each deleted event's kind and applied flag."""
    p = dialect.placeholder.format
    return (
        f"DELETE FROM carrier_events WHERE id IN (SELECT id FROM carrier_events"
        f" WHERE received_at < {p(1)} AND (applied = {dialect.true} OR received_at < {p(2)})"
        f" ORDER BY received_at LIMIT {p(3)}) RETURNING kind, applied"
    )
