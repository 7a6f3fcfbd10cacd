"""The storage interface: everything the gateway asks of a database, as async methods.

SQLite fills it (`gateway.store.sqlite`), and PostgreSQL (`gateway.store.pg`, where several
gateway processes share the database: claims use FOR UPDATE SKIP LOCKED). Every method is
short: one transaction, or for carrier statuses a write guarded by the state it read (SQLite
retries if someone moved the message meanwhile; PostgreSQL locks the row); none is ever held
across a carrier call. Tenancy is part of every read: a method given an organization id never
returns another organization's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.core.idempotency import KeyAnswer, KeyClaim, StoredKey
from gateway.core.lifecycle import Outcome
from gateway.core.models import (
    Contact,
    DueSms,
    InboundSms,
    Lead,
    Organization,
    PhoneNumber,
    Sms,
    SmsQuery,
    StatusEvent,
    Suppression,
    SuppressionClearing,
)
from gateway.core.usage import UsageCount
from gateway.core.whitelist import WhitelistRequest
from telecom.keywords import Keyword

__all__ = ["Store"]


class Store(Protocol):
    async def close(self) -> None: ...

    # organizations and API keys (keys arrive hashed)
    async def create_organization(self, org: Organization, key_hash: str) -> None: ...
    async def organization_for_key(self, key_hash: str) -> str | None: ...

    # client retries (gateway.core.idempotency): a create given `answer` stores it in the create's
    # own transaction, and fails with KeyInUse, creating nothing, if its claim was taken over
    async def reserve_key(
        self, claim: KeyClaim, fingerprint: str, now: str, lease_until: str, expired_before: str
    ) -> StoredKey | None:
        """Reserve the claim's key for its owner until `lease_until` (None), unless another
        request holds it: then what is stored for it. A key created before `expired_before`
        is free again; so is an unanswered one whose lease ended, to a repeat of the same
        request. Purges a few expired keys on the way."""
        ...

    async def release_key(self, claim: KeyClaim) -> None:
        """Free an unanswered reservation (its create failed: a retry runs afresh)."""
        ...

    # phone numbers
    async def insert_phone_number(
        self, number: PhoneNumber, answer: KeyAnswer | None = None
    ) -> None: ...
    async def get_phone_number(self, org_id: str, number_id: str) -> PhoneNumber | None: ...
    async def find_phone_number(self, org_id: str, number: str) -> PhoneNumber | None: ...
    async def find_rented_number(self, number: str) -> PhoneNumber | None: ...
    async def list_phone_numbers(
        self, org_id: str, number: str | None, skip: int, limit: int
    ) -> list[PhoneNumber]: ...
    async def update_phone_number_label(
        self, org_id: str, number_id: str, label: str | None, now: str
    ) -> None: ...
    async def release_phone_number(
        self, org_id: str, number_id: str, ended: Outcome, now: str
    ) -> int:
        """Delete the number and, in the same transaction, end its due and unclaimed SMS
        (queued, scheduled, waiting for a retry) with `ended`; returns how many it ended."""
        ...

    # leads and contacts
    async def insert_lead(self, lead: Lead, answer: KeyAnswer | None = None) -> None: ...
    async def get_lead(self, org_id: str, lead_id: str) -> Lead | None: ...
    async def list_leads(self, org_id: str, skip: int, limit: int) -> tuple[list[Lead], int]: ...
    async def update_lead(self, lead: Lead) -> None: ...
    async def delete_lead(self, org_id: str, lead_id: str) -> None: ...
    async def insert_contact(self, contact: Contact, answer: KeyAnswer | None = None) -> None: ...
    async def get_contact(self, org_id: str, contact_id: str) -> Contact | None: ...
    async def list_contacts(
        self, org_id: str, lead_id: str | None, skip: int, limit: int
    ) -> list[Contact]: ...
    async def update_contact(self, contact: Contact) -> None: ...
    async def delete_contact(self, org_id: str, contact_id: str) -> None: ...
    async def find_contact_by_phone(self, org_id: str, phone: str) -> Contact | None: ...

    # the suppression list (gateway.store.sqlite_suppressions): opt-outs per organization and
    # phone, whatever happens to contacts; a contact phone's outbound_sms_blocked reads it
    async def is_phone_blocked(self, org_id: str, phone: str) -> bool: ...
    async def suppress(self, suppression: Suppression) -> bool:
        """Add to the list (True), or keep the phone's first opt-out if it has one (False)."""
        ...

    async def list_suppressions(self, org_id: str, phone: str | None) -> list[Suppression]: ...
    async def clear_suppression(
        self, org_id: str, phone: str, cleared_by: str, why: str, now: str
    ) -> Suppression | None:
        """Take the phone off the list, recording who, why and when; the entry cleared, or
        None if the phone was not on it."""
        ...

    async def list_suppression_clearings(
        self, org_id: str, phone: str | None
    ) -> list[SuppressionClearing]: ...

    # SMS activities
    async def insert_sms(self, sms: Sms, answer: KeyAnswer | None = None) -> None: ...
    async def get_sms(self, org_id: str, sms_id: str) -> Sms | None: ...
    async def list_sms(self, query: SmsQuery) -> list[Sms]: ...
    async def update_sms(self, sms: Sms, expected_status: str, now: str) -> bool:
        """Write `sms` only if it still has `expected_status` and the dispatcher has not
        claimed it; False otherwise (it is being sent, or was)."""
        ...

    async def delete_sms(self, org_id: str, sms_id: str) -> None: ...

    # the dispatcher's side
    async def release_claims(self) -> None: ...
    async def due_sms(
        self, now: str, limit: int, per_number: int, skip_numbers: frozenset[str]
    ) -> list[DueSms]:
        """Due, unclaimed messages, oldest first: at most `per_number` per sending number,
        none from `skip_numbers`."""
        ...

    async def claim_sms(
        self, ids: list[str], now: str, lease_until: str, paced: bool = True
    ) -> list[str]:
        """Lease those of `ids` that are still due and unclaimed; returns the claimed ids.
        With `paced`, a shared per-number pace (PostgreSQL, several processes) may hold some
        back; claims that end a message without a carrier call pass paced=False."""
        ...

    async def record_accepted(
        self,
        sms_id: str,
        carrier_sid: str,
        outcome: Outcome,
        now: str,
        segments: int | None = None,
        cost: str | None = None,
    ) -> None:
        """The carrier took the message: its sid, the outcome its answer implies (which may be
        final already), and its segment count and cost when the carrier told them; then the
        callbacks that arrived before the sid are replayed through the lifecycle."""
        ...

    async def record_outcome(self, sms_id: str, outcome: Outcome, now: str) -> None: ...
    async def record_retry(
        self, sms_id: str, attempts: int, due_at: str, unsent: bool = False
    ) -> None:
        """Due again at `due_at`; `unsent`: the only create ever made for it certainly did not
        create a message (the carrier refused our credentials), so no lookup is owed."""
        ...

    async def expire_unclaimed(
        self, due_before: str, now: str, outcome: Outcome, keep_claimed_before: bool
    ) -> int:
        """End as `outcome` every unclaimed message due since before `due_before` (while the
        breaker keeps the dispatcher from claiming); `keep_claimed_before` spares those whose
        create may have reached the carrier. Returns how many."""
        ...

    # operations (gateway.store.sqlite_ops): /metrics, /readyz, callback bookkeeping
    async def sms_census(self) -> list[tuple[str, str, str | None, str | None, int]]: ...
    async def queue_depth(self, now: str) -> tuple[int, int]: ...
    async def unmatched_callbacks(self) -> int: ...
    async def sent_by_sid(self, carrier_sid: str) -> tuple[str, str | None] | None: ...
    async def check_writable(self) -> None: ...
    # migration 010's counts: PostgreSQL folds its deltas, SQLite has nothing to do
    async def compact_census(self) -> None: ...
    # one batch: (events deleted, of which never matched a message)
    async def purge_carrier_events(
        self, applied_before: str, unapplied_before: str, limit: int
    ) -> tuple[int, int]: ...
    async def unsettled_sids(
        self, sent_after: str, sent_before: str, limit: int, skip: frozenset[str]
    ) -> list[str]: ...

    # carrier intake
    async def record_status(self, event: StatusEvent) -> bool: ...
    async def record_inbound(
        self,
        message: InboundSms,
        sms: Sms,
        new_lead: Lead,
        keyword: Keyword | None,
        reply: Sms | None = None,
    ) -> str:
        """Store `sms` (its organization already known from the receiving number), and the
        carrier's automatic `reply` to it if any, on the lead whose contact has the sender's
        phone, else on `new_lead` (inserted for an unknown sender); an opt-out keyword adds
        the sender to the suppression list, an opt-in keyword clears it (recorded as cleared
        by the recipient). Idempotent by carrier sid; returns the activity id."""
        ...

    # spam whitelist requests (gateway.store.sqlite_whitelist)
    async def insert_whitelist_request(
        self, req: WhitelistRequest, stale_before: str
    ) -> str | None:
        """Insert unless the number has an open request; returns that request's id."""
        ...

    async def get_whitelist_request(
        self, org_id: str, request_id: str
    ) -> WhitelistRequest | None: ...
    async def list_whitelist_requests(
        self, org_id: str, phone_number_id: str | None, status: str | None, skip: int, limit: int
    ) -> list[WhitelistRequest]: ...
    async def delete_whitelist_request(self, org_id: str, request_id: str) -> None: ...
    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None: ...
    async def record_whitelist_decision(
        self,
        carrier_sid: str,
        decision: str,
        reason: str | None,
        payload: dict[str, str],
        received_at: str,
    ) -> bool: ...
    async def phone_number_flags(
        self, org_id: str, numbers: Sequence[PhoneNumber]
    ) -> dict[str, tuple[bool, int]]:
        """number id -> (whitelisted, count of its SMS flagged as spam)."""
        ...

    # usage and cost (gateway.store.sqlite_usage)
    async def usage_counts(
        self, org_id: str, start: str, end: str, group_by: str, tz_minutes: int = 0
    ) -> list[UsageCount]: ...
    async def record_refused(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """Like record_outcome for a message the carrier never took: it costs nothing."""
        ...
