"""Leads, contacts and contact phones in PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg

from gateway.core.idempotency import KeyAnswer
from gateway.core.models import Contact, Lead
from gateway.store.pg_db import PgDb
from gateway.store.pg_keys import answer_key
from gateway.store.rows import contacts_from_rows, leads_from_rows, suppressed

__all__ = ["PgLeadQueries", "insert_lead_row", "write_contact"]

_CONTACT_COLUMNS = "id, organization_id, lead_id, name, title, date_created, date_updated"
_LEAD_COLUMNS = "id, organization_id, name, description, date_created, date_updated"


async def insert_lead_row(db: asyncpg.Connection, lead: Lead) -> None:
    await db.execute(
        f"INSERT INTO leads ({_LEAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)",
        lead.id,
        lead.organization_id,
        lead.name,
        lead.description,
        lead.date_created,
        lead.date_updated,
    )


async def write_contact(db: asyncpg.Connection, contact: Contact) -> None:
    """A phone's outbound_sms_blocked is not written: it is read from the suppression list."""
    await db.execute(
        f"INSERT INTO contacts ({_CONTACT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (id) DO UPDATE SET lead_id = excluded.lead_id, name = excluded.name,"
        " title = excluded.title, date_updated = excluded.date_updated",
        contact.id,
        contact.organization_id,
        contact.lead_id,
        contact.name,
        contact.title,
        contact.date_created,
        contact.date_updated,
    )
    await db.execute("DELETE FROM contact_phones WHERE contact_id = $1", contact.id)
    await db.executemany(
        "INSERT INTO contact_phones (contact_id, organization_id, position, phone, type)"
        " VALUES ($1, $2, $3, $4, $5)",
        [
            (contact.id, contact.organization_id, i, p.phone, p.type)
            for i, p in enumerate(contact.phones)
        ],
    )


class PgLeadQueries(PgDb):
    async def _contacts(self, where: str, params: list[Any], tail: str = "") -> list[Contact]:
        # contacts and their phones in one query
        return contacts_from_rows(
            await self._all(
                "SELECT c.*, p.phone, p.type AS phone_type,"
                f" {suppressed('p.organization_id', 'p.phone')} AS outbound_sms_blocked FROM"
                f" (SELECT {_CONTACT_COLUMNS}, seq FROM contacts WHERE {where}"
                f"  ORDER BY date_created, seq {tail}) AS c"
                " LEFT JOIN contact_phones p ON p.contact_id = c.id"
                " ORDER BY c.date_created, c.seq, p.position",
                params,
            )
        )

    async def _leads(self, rows: list[Any]) -> list[Lead]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        return leads_from_rows(rows, await self._contacts("lead_id = ANY($1::text[])", [ids]))

    async def insert_lead(self, lead: Lead, answer: KeyAnswer | None = None) -> None:
        async with self._tx() as db:
            await insert_lead_row(db, lead)
            for contact in lead.contacts:
                await write_contact(db, contact)
            await answer_key(db, answer)

    async def get_lead(self, org_id: str, lead_id: str) -> Lead | None:
        rows = await self._all(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE organization_id = $1 AND id = $2",
            (org_id, lead_id),
        )
        leads = await self._leads(rows)
        return leads[0] if leads else None

    async def list_leads(self, org_id: str, skip: int, limit: int) -> tuple[list[Lead], int]:
        total = await self._one("SELECT count(*) FROM leads WHERE organization_id = $1", (org_id,))
        rows = await self._all(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE organization_id = $1"
            " ORDER BY date_created DESC, seq DESC LIMIT $2 OFFSET $3",
            (org_id, limit, skip),
        )
        return await self._leads(rows), int(total[0]) if total else 0

    async def update_lead(self, lead: Lead) -> None:
        await self._write(
            "UPDATE leads SET name = $1, description = $2, date_updated = $3"
            " WHERE organization_id = $4 AND id = $5",
            (lead.name, lead.description, lead.date_updated, lead.organization_id, lead.id),
        )

    async def delete_lead(self, org_id: str, lead_id: str) -> None:
        async with self._tx() as db:
            # Close deletes a lead's activities with it; contacts and phones cascade
            await db.execute(
                "DELETE FROM sms WHERE organization_id = $1 AND lead_id = $2", org_id, lead_id
            )
            await db.execute(
                "DELETE FROM leads WHERE organization_id = $1 AND id = $2", org_id, lead_id
            )

    async def insert_contact(self, contact: Contact, answer: KeyAnswer | None = None) -> None:
        async with self._tx() as db:
            await write_contact(db, contact)
            await answer_key(db, answer)

    async def get_contact(self, org_id: str, contact_id: str) -> Contact | None:
        found = await self._contacts("organization_id = $1 AND id = $2", [org_id, contact_id])
        return found[0] if found else None

    async def list_contacts(
        self, org_id: str, lead_id: str | None, skip: int, limit: int
    ) -> list[Contact]:
        return await self._contacts(
            "organization_id = $1 AND ($2::text IS NULL OR lead_id = $2)",
            [org_id, lead_id or None, limit, skip],
            "LIMIT $3 OFFSET $4",
        )

    async def update_contact(self, contact: Contact) -> None:
        async with self._tx() as db:
            await write_contact(db, contact)

    async def delete_contact(self, org_id: str, contact_id: str) -> None:
        await self._write(
            "DELETE FROM contacts WHERE organization_id = $1 AND id = $2", (org_id, contact_id)
        )

    async def find_contact_by_phone(self, org_id: str, phone: str) -> Contact | None:
        found = await self._contacts(
            "id = (SELECT contact_id FROM contact_phones WHERE organization_id = $1"
            " AND phone = $2 ORDER BY seq LIMIT 1)",
            [org_id, phone],
        )
        return found[0] if found else None
