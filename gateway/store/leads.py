"""Leads, contacts and contact phones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.core.idempotency import KeyAnswer
from gateway.core.models import Contact, Lead
from gateway.search.compile import Compiled
from gateway.store.db import Binds, Db, Row, Stmt
from gateway.store.keys import answer_stmts
from gateway.store.rows import contacts_from_rows, leads_from_rows, suppressed

__all__ = ["LeadQueries", "contact_stmts", "lead_stmts"]

_CONTACT_COLUMNS = "id, organization_id, lead_id, name, title, date_created, date_updated"
_LEAD_COLUMNS = "id, organization_id, name, description, date_created, date_updated"


def contact_stmts(contact: Contact) -> list[Stmt]:
    """Insert or replace a contact and its phones. A phone's outbound_sms_blocked is not
    written: it is read from the suppression list."""
    return [
        Stmt(
            f"INSERT INTO contacts ({_CONTACT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (id) DO UPDATE SET lead_id = excluded.lead_id, name = excluded.name,"
            " title = excluded.title, date_updated = excluded.date_updated",
            (
                contact.id,
                contact.organization_id,
                contact.lead_id,
                contact.name,
                contact.title,
                contact.date_created,
                contact.date_updated,
            ),
        ),
        Stmt("DELETE FROM contact_phones WHERE contact_id = $1", (contact.id,)),
        Stmt(
            "INSERT INTO contact_phones (contact_id, organization_id, position, phone, type)"
            " VALUES ($1, $2, $3, $4, $5)",
            [
                (contact.id, contact.organization_id, i, p.phone, p.type)
                for i, p in enumerate(contact.phones)
            ],
            many=True,
        ),
    ]


def lead_stmts(lead: Lead) -> list[Stmt]:
    """Insert a lead with its contacts and their phones."""
    insert = Stmt(
        f"INSERT INTO leads ({_LEAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)",
        (
            lead.id,
            lead.organization_id,
            lead.name,
            lead.description,
            lead.date_created,
            lead.date_updated,
        ),
    )
    return [insert, *(stmt for contact in lead.contacts for stmt in contact_stmts(contact))]


class LeadQueries(Db):
    async def _contacts(self, where: str, params: Sequence[Any], tail: str = "") -> list[Contact]:
        # contacts and their phones in one query
        seq = self.search_dialect.sequence
        return contacts_from_rows(
            await self._all(
                "SELECT c.*, p.phone, p.type AS phone_type,"
                f" {suppressed('p.organization_id', 'p.phone')} AS outbound_sms_blocked FROM"
                f" (SELECT {_CONTACT_COLUMNS}, {seq} AS seq FROM contacts WHERE {where}"
                f"  ORDER BY date_created, {seq} {tail}) AS c"
                " LEFT JOIN contact_phones p ON p.contact_id = c.id"
                " ORDER BY c.date_created, c.seq, p.position",
                params,
            )
        )

    async def _with_contacts(self, rows: Sequence[Row]) -> list[Lead]:
        """Lead rows with their contacts (one query for all of them)."""
        if not rows:
            return []
        dialect = self.search_dialect
        ids = [row["id"] for row in rows]
        return leads_from_rows(
            rows,
            await self._contacts(
                f"lead_id {dialect.in_list.format('$1')}", [dialect.list_value(ids)]
            ),
        )

    async def search_leads(self, compiled: Compiled) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._all(compiled.sql, compiled.params)]

    async def get_leads(self, org_id: str, ids: Sequence[str]) -> list[Lead]:
        if not ids:
            return []
        dialect = self.search_dialect
        # SQLite's `+` keeps it on the primary key: left to itself it walks the organization's
        # index through every lead (200 ms at 100,000 leads) to find the hundred it was given
        rows = await self._all(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE id {dialect.in_list.format('$1')}"
            f" AND {dialect.unindexed.format('organization_id')} = $2",
            (dialect.list_value(ids), org_id),
        )
        by_id = {row["id"]: row for row in rows}
        return await self._with_contacts([by_id[i] for i in ids if i in by_id])

    async def insert_lead(self, lead: Lead, answer: KeyAnswer | None = None) -> None:
        await self._batch([*lead_stmts(lead), *answer_stmts(answer)])

    async def get_lead(self, org_id: str, lead_id: str) -> Lead | None:
        rows = await self._all(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE organization_id = $1 AND id = $2",
            (org_id, lead_id),
        )
        leads = await self._with_contacts(rows)
        return leads[0] if leads else None

    async def list_leads(self, org_id: str, skip: int, limit: int) -> tuple[list[Lead], int]:
        total = await self._one("SELECT count(*) FROM leads WHERE organization_id = $1", (org_id,))
        rows = await self._all(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE organization_id = $1"
            f" ORDER BY date_created DESC, {self.search_dialect.sequence} DESC"
            " LIMIT $2 OFFSET $3",
            (org_id, limit, skip),
        )
        return await self._with_contacts(rows), int(total[0]) if total else 0

    async def update_lead(self, lead: Lead) -> None:
        await self._write(
            "UPDATE leads SET name = $1, description = $2, date_updated = $3"
            " WHERE organization_id = $4 AND id = $5",
            (lead.name, lead.description, lead.date_updated, lead.organization_id, lead.id),
        )

    async def delete_lead(self, org_id: str, lead_id: str) -> None:
        # Close deletes a lead's activities with it; contacts and phones cascade
        await self._batch(
            [
                Stmt(
                    "DELETE FROM sms WHERE organization_id = $1 AND lead_id = $2", (org_id, lead_id)
                ),
                Stmt("DELETE FROM leads WHERE organization_id = $1 AND id = $2", (org_id, lead_id)),
            ]
        )

    async def insert_contact(self, contact: Contact, answer: KeyAnswer | None = None) -> None:
        await self._batch([*contact_stmts(contact), *answer_stmts(answer)])

    async def get_contact(self, org_id: str, contact_id: str) -> Contact | None:
        found = await self._contacts("organization_id = $1 AND id = $2", [org_id, contact_id])
        return found[0] if found else None

    async def list_contacts(
        self, org_id: str, lead_id: str | None, skip: int, limit: int
    ) -> list[Contact]:
        b = Binds()
        where = f"organization_id = {b(org_id)}"
        if lead_id:
            where += f" AND lead_id = {b(lead_id)}"
        page = f"LIMIT {b(limit)} OFFSET {b(skip)}"
        return await self._contacts(where, b.values, page)

    async def update_contact(self, contact: Contact) -> None:
        await self._batch(contact_stmts(contact))

    async def delete_contact(self, org_id: str, contact_id: str) -> None:
        await self._write(
            "DELETE FROM contacts WHERE organization_id = $1 AND id = $2", (org_id, contact_id)
        )

    async def find_contact_by_phone(self, org_id: str, phone: str) -> Contact | None:
        found = await self._contacts(
            "id = (SELECT contact_id FROM contact_phones WHERE organization_id = $1"
            f" AND phone = $2 ORDER BY {self.search_dialect.sequence} LIMIT 1)",
            [org_id, phone],
        )
        return found[0] if found else None
