"""The dispatcher's side of SMS activities in PostgreSQL: due messages, claims, and the writes
that apply the carrier's answers (the API's side is gateway.store.sms, written once).

Why this differs from SQLite (sqlite_sms): several gateway processes may share the database.
A claim locks its rows FOR UPDATE SKIP LOCKED and re-checks the lease on the row it locked,
so two dispatchers never both claim a message; everything that applies carrier statuses to a
message takes that message's carrier-sid lock (`lock_sid`) first, so a status callback and
the create answer that tells us the sid are applied one after the other even when they land
on different processes.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from gateway.core.lifecycle import Outcome, on_callback
from gateway.core.models import DueSms
from gateway.core.pacing import grant
from gateway.store.pg_db import CLAIM_LOCK_SPACE, PgDb
from gateway.store.rows import due_from_row, outcome_of, suppressed
from gateway.store.sms import OUTCOME_SET, outcome_values

__all__ = ["PgSmsQueries", "lock_sid", "move_forward"]

_OUTCOME = "status, delivery_status, error_code, error_reason, error_message"


async def lock_sid(db: asyncpg.Connection, carrier_sid: str) -> None:
    """Serialise, until the transaction ends, everyone applying statuses to `carrier_sid`."""
    await db.execute("SELECT pg_advisory_xact_lock(hashtext($1))", carrier_sid)


async def move_forward(
    db: asyncpg.Connection,
    sms_id: str,
    current: Outcome,
    steps: list[tuple[str, int | None]],
    now: str,
) -> None:
    """Apply carrier statuses through the lifecycle to a message this transaction locked."""
    target = current
    for status, code in steps:
        target = on_callback(target, status, code) or target
    if target != current:  # else a duplicate, late or out-of-order callback
        await db.execute(
            f"UPDATE sms SET {OUTCOME_SET}, date_updated = $6 WHERE id = $7",
            *outcome_values(target),
            now,
            sms_id,
        )


class PgSmsQueries(PgDb):
    # -- the dispatcher's side -------------------------------------------------------------

    async def release_claims(self) -> None:
        """Release the claims of processes that are gone (their token's lock went with their
        connection); a live process's claims are its own business."""
        await self._write(
            "UPDATE sms SET claimed_until = NULL, claimed_by = NULL"
            " WHERE claimed_until IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_locks AS l"
            "  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
            "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            "  AND l.classid::bigint = $1 AND l.objid::bigint = sms.claimed_by)",
            (CLAIM_LOCK_SPACE,),
        )

    async def due_sms(
        self, now: str, limit: int, per_number: int, skip_numbers: frozenset[str]
    ) -> list[DueSms]:
        # each sender's due rows numbered by a window function (SQLite walks the senders)
        rows = await self._all(
            "SELECT * FROM (SELECT id, organization_id, local_phone, remote_phone, text,"
            " due_since, attempts, segments, first_claimed_at, due_at, seq,"
            " ROW_NUMBER() OVER (PARTITION BY local_phone ORDER BY due_at, seq) AS nth,"
            f" {suppressed('sms.organization_id', 'sms.remote_phone')} AS blocked"
            " , EXISTS (SELECT 1 FROM phone_numbers n WHERE n.number = sms.local_phone"
            "  AND n.type = 'internal' AND n.organization_id = sms.organization_id) AS rented"
            " FROM sms WHERE due_at IS NOT NULL AND due_at <= $1"
            " AND (claimed_until IS NULL OR claimed_until < $1)"
            " AND local_phone <> ALL($2::text[])) AS due"
            " WHERE nth <= $3 ORDER BY due_at, seq LIMIT $4",
            (now, sorted(skip_numbers), per_number, limit),
        )
        return [due_from_row(r) for r in rows]

    async def claim_sms(
        self, ids: list[str], now: str, lease_until: str, paced: bool = True
    ) -> list[str]:
        """Claim what no one else holds; `paced` takes the senders' shared send slots (not for
        messages that are claimed only to be ended without a carrier call)."""
        if not ids:
            return []
        async with self._tx() as db:
            # SKIP LOCKED: rows another process is claiming right now are its, not ours, and
            # no claimer waits on another's messages; the lease is checked on the locked row
            rows = await self._all(
                "SELECT id, local_phone, segments FROM sms WHERE id = ANY($1::text[])"
                " AND due_at IS NOT NULL AND due_at <= $2"
                " AND (claimed_until IS NULL OR claimed_until < $2)"
                " ORDER BY due_at, seq FOR UPDATE SKIP LOCKED",
                (ids, now),
                db,
            )
            mine = [r["id"] for r in (await self._paced(db, rows, now) if paced else rows)]
            await db.execute(
                "UPDATE sms SET claimed_until = $1, claimed_by = $2,"
                " first_claimed_at = COALESCE(first_claimed_at, $4)"
                " WHERE id = ANY($3::text[])",
                lease_until,
                self._token,
                mine,
                now,
            )
        return mine

    async def _paced(
        self, db: asyncpg.Connection, rows: list[asyncpg.Record], now: str
    ) -> list[asyncpg.Record]:
        """The first of `rows` (oldest first) that their numbers' shared send slots allow,
        taking those slots (one per segment). The slot rows are locked in one order (by
        number), so claimers of the same numbers queue instead of deadlocking."""
        if self._pace is None or not rows:
            return rows
        wanted: dict[str, list[int]] = {}  # each message's segments, oldest first
        for row in rows:
            if row["local_phone"] is not None:  # no sender, no pace (the carrier refuses it)
                wanted.setdefault(row["local_phone"], []).append(row["segments"])
        numbers = sorted(wanted)
        await db.execute(
            "INSERT INTO sender_pace (local_phone, next_free)"
            " SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING",
            numbers,
        )
        slots = await db.fetch(
            "SELECT local_phone, next_free FROM sender_pace"
            " WHERE local_phone = ANY($1::text[]) ORDER BY local_phone"
            " FOR UPDATE",
            numbers,
        )
        moment = datetime.fromisoformat(now).timestamp()
        allowed: dict[str, int] = {}
        after: list[float] = []
        for slot in slots:
            number = slot["local_phone"]
            allowed[number], free = grant(slot["next_free"], moment, self._pace, wanted[number])
            after.append(free)
        await db.execute(
            "UPDATE sender_pace SET next_free = v.free"
            " FROM unnest($1::text[], $2::float8[]) AS v(number, free)"
            " WHERE local_phone = v.number",
            [s["local_phone"] for s in slots],
            after,
        )
        paced = []
        for row in rows:
            if row["local_phone"] is None:
                paced.append(row)
            elif allowed.get(row["local_phone"], 0) > 0:
                allowed[row["local_phone"]] -= 1
                paced.append(row)
        return paced

    async def record_accepted(
        self,
        sms_id: str,
        carrier_sid: str,
        outcome: Outcome,
        now: str,
        segments: int | None = None,
        cost: str | None = None,
    ) -> None:
        async with self._tx() as db:
            await lock_sid(db, carrier_sid)
            changed = await self._changes(
                "UPDATE sms SET carrier_sid = $1, date_sent = $2, due_at = NULL,"
                " claimed_until = NULL, claimed_by = NULL,"
                f" ({_OUTCOME}) = ($3, $4, $5, $6, $7), segments = COALESCE($8, segments),"
                " cost = COALESCE($9, cost), date_updated = $2"
                " WHERE id = $10 AND carrier_sid IS NULL",
                (carrier_sid, now, *outcome_values(outcome), segments, cost, sms_id),
                db,
            )
            if not changed:
                return  # deleted meanwhile, or already recorded
            # Callbacks that overtook the create answer: stored with applied = false by
            # record_status before the sid lock was ours; later ones wait for it and see the sid.
            events = await self._all(
                "UPDATE carrier_events SET applied = TRUE WHERE carrier_sid = $1"
                " AND NOT applied RETURNING id, status, error_code",
                (carrier_sid,),
                db,
            )
            known = await self.locked_outcome(db, carrier_sid) if events else None
            if known:
                events.sort(key=lambda e: e["id"])
                await move_forward(
                    db, *known[:2], [(e["status"], e["error_code"]) for e in events], now
                )

    async def expire_unclaimed(
        self, due_before: str, now: str, outcome: Outcome, keep_claimed_before: bool
    ) -> int:
        # SKIP LOCKED: a row another process is claiming is its decision, not ours
        return await self._changes(
            f"UPDATE sms SET due_at = NULL, ({_OUTCOME}) = ($1, $2, $3, $4, $5), cost = NULL,"
            " date_updated = $6 WHERE id IN (SELECT id FROM sms WHERE due_at IS NOT NULL"
            " AND due_since < $7 AND carrier_sid IS NULL"
            " AND (claimed_until IS NULL OR claimed_until < $6)"
            " AND NOT ($8 AND first_claimed_at IS NOT NULL) FOR UPDATE SKIP LOCKED)",
            (*outcome_values(outcome), now, due_before, keep_claimed_before),
        )

    async def locked_outcome(
        self, db: asyncpg.Connection, carrier_sid: str
    ) -> tuple[str, Outcome, str | None] | None:
        """(id, outcome, date_sent) of the message with `carrier_sid`, locked until the
        transaction ends."""
        row = await self._one(
            f"SELECT id, date_sent, {_OUTCOME} FROM sms WHERE carrier_sid = $1 FOR UPDATE",
            (carrier_sid,),
            db,
        )
        return (row["id"], outcome_of(row), row["date_sent"]) if row else None
