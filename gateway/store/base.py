"""The storage contract: everything the gateway asks of a database, as async methods, with
what each promises. It holds for both backends, SQLite (`gateway.store.sqlite`: one process,
one writer thread with group commit) and PostgreSQL (`gateway.store.pg`: several gateway
processes share the database).

Every method that writes is one transaction (all it writes is stored or none of it, durable
once the call returns); none is ever held across a carrier call. Tenancy is part of every
read: a method given an organization id never returns another organization's rows, and a
write given one changes nothing of another's. Writes that race (the dispatcher's claims, the
carrier's statuses and inbound messages, whitelist decisions) are right however they
interleave: on SQLite because the one writer runs one write at a time, on PostgreSQL by row
locks, guarded UPDATEs and advisory locks. Methods that take `answer` (an Idempotency-Key's
first answer, gateway.core.idempotency) store it in the create's own transaction, and fail
with KeyInUse, creating nothing, if their claim on the key was taken over.

Where each is written: gateway.store.<concern> once for both (tenancy, keys, leads, sms,
suppressions, whitelist, usage, ops), sqlite_*/pg_* for the few that differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

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

if TYPE_CHECKING:  # gateway.search imports this module: no cycle at run time
    from gateway.search.compile import Compiled, Dialect

__all__ = ["Store"]


class Store(Protocol):
    search_dialect: Dialect  # what gateway.search compiles this store's queries for

    async def close(self) -> None:
        """Finish what is queued (SQLite: the writer's last group), then let go of the
        database."""
        ...

    # organizations and API keys (keys arrive hashed)
    async def create_organization(self, org: Organization, key_hash: str) -> None:
        """The organization with its first API key."""
        ...

    async def organization_for_key(self, key_hash: str) -> str | None:
        """The organization id the hashed key belongs to; None for an unknown key."""
        ...

    # client retries (gateway.core.idempotency)
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
    async def find_phone_number(self, org_id: str, number: str) -> PhoneNumber | None:
        """The organization's number with that E.164 text; internal wins when it holds the
        same number as internal and external."""
        ...

    async def find_rented_number(self, number: str) -> PhoneNumber | None:
        """The internal number with that E.164 text, whichever organization rents it (an
        inbound message's recipient)."""
        ...

    async def list_phone_numbers(
        self, org_id: str, number: str | None, skip: int, limit: int
    ) -> list[PhoneNumber]:
        """Oldest first; only `number` if given."""
        ...

    async def update_phone_number_label(
        self, org_id: str, number_id: str, label: str | None, now: str
    ) -> None: ...
    async def release_phone_number(
        self, org_id: str, number_id: str, ended: Outcome, now: str
    ) -> int:
        """Delete the number and, in the same transaction, end its due and unclaimed SMS
        (queued, scheduled, waiting for a retry) with `ended`, at no cost; returns how many it
        ended. A claimed one is a send in flight: its next claim finds the number gone."""
        ...

    # leads and contacts (a lead's contacts and a contact's phones come with it, in order)
    async def insert_lead(self, lead: Lead, answer: KeyAnswer | None = None) -> None:
        """The lead with its contacts and their phones."""
        ...

    async def get_lead(self, org_id: str, lead_id: str) -> Lead | None: ...
    async def get_leads(self, org_id: str, ids: Sequence[str]) -> list[Lead]:
        """Those of `ids` that are the organization's leads, in the order of `ids`."""
        ...

    async def list_leads(self, org_id: str, skip: int, limit: int) -> tuple[list[Lead], int]:
        """A page of leads, newest first, and how many the organization has."""
        ...

    async def search_leads(self, compiled: Compiled) -> list[tuple[Any, ...]]:
        """The rows of a query gateway.search compiled for `search_dialect` (it reads only;
        the compiler scoped it to one organization)."""
        ...

    async def update_lead(self, lead: Lead) -> None:
        """Name and description (contacts are written on their own)."""
        ...

    async def delete_lead(self, org_id: str, lead_id: str) -> None:
        """The lead, its SMS activities (as Close does), its contacts and their phones."""
        ...

    async def insert_contact(self, contact: Contact, answer: KeyAnswer | None = None) -> None: ...
    async def get_contact(self, org_id: str, contact_id: str) -> Contact | None: ...
    async def list_contacts(
        self, org_id: str, lead_id: str | None, skip: int, limit: int
    ) -> list[Contact]:
        """Oldest first; only `lead_id`'s if given."""
        ...

    async def update_contact(self, contact: Contact) -> None:
        """The contact and its phones, replaced as a whole."""
        ...

    async def delete_contact(self, org_id: str, contact_id: str) -> None: ...
    async def find_contact_by_phone(self, org_id: str, phone: str) -> Contact | None:
        """The first contact given that phone."""
        ...

    # the suppression list: opt-outs per organization and phone, whatever happens to
    # contacts; a contact phone's outbound_sms_blocked is read from it
    async def is_phone_blocked(self, org_id: str, phone: str) -> bool: ...
    async def suppress(self, suppression: Suppression) -> bool:
        """Add to the list (True), or keep the phone's first opt-out if it has one (False)."""
        ...

    async def list_suppressions(self, org_id: str, phone: str | None) -> list[Suppression]:
        """Oldest first; only `phone`'s if given."""
        ...

    async def clear_suppression(
        self, org_id: str, phone: str, cleared_by: str, why: str, now: str
    ) -> Suppression | None:
        """Take the phone off the list, recording who, why and when; the entry cleared, or
        None if the phone was not on it."""
        ...

    async def list_suppression_clearings(
        self, org_id: str, phone: str | None
    ) -> list[SuppressionClearing]:
        """Oldest first; only `phone`'s if given."""
        ...

    # SMS activities
    async def insert_sms(self, sms: Sms, answer: KeyAnswer | None = None) -> None: ...
    async def get_sms(self, org_id: str, sms_id: str) -> Sms | None: ...
    async def list_sms(self, query: SmsQuery) -> list[Sms]:
        """Newest first, filtered and paged as `query` says."""
        ...

    async def update_sms(self, sms: Sms, expected_status: str, now: str) -> bool:
        """Write `sms` only if it still has `expected_status` and the dispatcher has not
        claimed it; False otherwise (it is being sent, or was)."""
        ...

    async def delete_sms(self, org_id: str, sms_id: str) -> None: ...

    # the dispatcher's side
    async def release_claims(self) -> None:
        """At start-up: release the claims no live process holds (SQLite: all of them, one
        gateway per file; PostgreSQL: those of processes whose claim token's lock is gone)."""
        ...

    async def due_sms(
        self, now: str, limit: int, per_number: int, skip_numbers: frozenset[str]
    ) -> list[DueSms]:
        """Due, unclaimed messages, oldest first: at most `per_number` per sending number,
        none from `skip_numbers` (senders waiting on their pace): one busy number must not
        fill the round and hold up everyone else."""
        ...

    async def claim_sms(
        self, ids: list[str], now: str, lease_until: str, paced: bool = True
    ) -> list[str]:
        """Lease those of `ids` that are still due and unclaimed; returns the claimed ids. No
        two claimers ever hold one message. With `paced`, a shared per-number pace
        (PostgreSQL, several processes) may hold some back; claims that end a message without
        a carrier call pass paced=False."""
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
        callbacks that arrived before the sid are replayed through the lifecycle. Only the
        first answer counts (a message with a sid keeps it)."""
        ...

    async def record_outcome(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """The message's outcome, no longer due nor claimed."""
        ...

    async def record_refused(self, sms_id: str, outcome: Outcome, now: str) -> None:
        """Like record_outcome for a message the carrier never took (rejected at create,
        expired, opted out meanwhile): it costs nothing."""
        ...

    async def record_retry(
        self, sms_id: str, attempts: int, due_at: str, unsent: bool = False
    ) -> None:
        """Due again at `due_at`, unclaimed; `unsent`: the only create ever made for it
        certainly did not create a message (the carrier refused our credentials), so no
        lookup is owed."""
        ...

    async def expire_unclaimed(
        self, due_before: str, now: str, outcome: Outcome, keep_claimed_before: bool
    ) -> int:
        """End as `outcome` every unclaimed message due since before `due_before` (while the
        breaker keeps the dispatcher from claiming); `keep_claimed_before` spares those whose
        create may have reached the carrier. Returns how many."""
        ...

    # carrier intake
    async def record_status(self, event: StatusEvent) -> tuple[str, str | None] | None:
        """Keep the raw status callback and move its message forward through the lifecycle
        (a late, duplicate or out-of-order status changes nothing). Answers what it matched,
        as `sent_by_sid` would have before the write: (activity id, date_sent); None when no
        message has the sid yet: record_accepted replays it then."""
        ...

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

    # spam whitelist requests
    async def insert_whitelist_request(
        self, req: WhitelistRequest, stale_before: str
    ) -> str | None:
        """Insert unless the number has an open request; returns that request's id. A
        submitted request with no carrier sid older than `stale_before` was cut off by a
        crash mid-submission: it no longer blocks a new one."""
        ...

    async def get_whitelist_request(
        self, org_id: str, request_id: str
    ) -> WhitelistRequest | None: ...
    async def list_whitelist_requests(
        self, org_id: str, phone_number_id: str | None, status: str | None, skip: int, limit: int
    ) -> list[WhitelistRequest]:
        """Newest first; only the number's, or those with `status`, if given."""
        ...

    async def delete_whitelist_request(self, org_id: str, request_id: str) -> None: ...
    async def record_whitelist_submitted(
        self, request_id: str, carrier_sid: str, now: str, answer: KeyAnswer | None = None
    ) -> None:
        """The carrier's sid for the request; then a decision that overtook the submission's
        answer (kept by record_whitelist_decision) is applied."""
        ...

    async def record_whitelist_decision(
        self,
        carrier_sid: str,
        decision: str,
        reason: str | None,
        payload: dict[str, str],
        received_at: str,
    ) -> bool:
        """Keep the raw callback and decide the request if it is still submitted (a
        duplicate or a second decision changes nothing). False when no request has the sid
        yet: record_whitelist_submitted applies it later."""
        ...

    async def phone_number_flags(
        self, org_id: str, numbers: Sequence[PhoneNumber]
    ) -> dict[str, tuple[bool, int]]:
        """number id -> (whitelisted, how many of its SMS the carrier flagged as spam), for
        the organization's internal numbers among `numbers` (others are (False, 0))."""
        ...

    # usage and cost
    async def usage_counts(
        self, org_id: str, start: str, end: str, group_by: str, tz_minutes: int = 0
    ) -> list[UsageCount]:
        """Carrier traffic billed in [start, end) (outbound when the carrier took it, inbound
        when it arrived), counted by direction, key (`group_by`: country, number, or day in
        the caller's time zone, `tz_minutes` east of UTC) and cost."""
        ...

    # operations: /metrics, /readyz, housekeeping, reconcile
    async def sms_census(self) -> list[tuple[str, str, str | None, str | None, int]]:
        """(direction, status, error_reason, a sample remote phone, count), split by the
        first four digits of the remote phone (enough to tell its country); from the counts
        migration 010 keeps on write: a few rows, whatever the table holds."""
        ...

    async def compact_census(self) -> None:
        """Fold migration 010's counts: PostgreSQL's writers keep deltas; SQLite has nothing
        to do."""
        ...

    async def queue_depth(self, now: str) -> tuple[int, int]:
        """Outbound messages not handed over yet: (due now, due later)."""
        ...

    async def unmatched_callbacks(self) -> int:
        """Carrier events still waiting for their message's sid."""
        ...

    async def sent_by_sid(self, carrier_sid: str) -> tuple[str, str | None] | None:
        """(activity id, date_sent) of the message the carrier knows as `carrier_sid`."""
        ...

    async def check_writable(self) -> None:
        """Raises if the database cannot be written now (SQLite: the writer's last group, or
        one empty group when idle; PostgreSQL: a standby or read-only server, asked by a
        read)."""
        ...

    async def purge_carrier_events(
        self, applied_before: str, unapplied_before: str, limit: int
    ) -> tuple[int, int]:
        """Delete one batch (at most `limit`) of the oldest carrier events past retention:
        applied ones received before `applied_before`, unapplied ones before
        `unapplied_before`. Returns (deleted, of which never matched a message)."""
        ...

    async def unsettled_sids(
        self, sent_after: str, sent_before: str, limit: int, skip: frozenset[str]
    ) -> list[str]:
        """Carrier sids of outbound messages sent in (sent_after, sent_before) that still
        have no final delivery status, oldest first, none of `skip`."""
        ...
