"""Leads, contacts and contact phones in SQLite."""

from __future__ import annotations

import sqlite3
from typing import Any

from gateway.core.idempotency import KeyAnswer
from gateway.core.models import Contact, Lead
from gateway.store.rows import contacts_from_rows, leads_from_rows, suppressed
from gateway.store.sqlite_db import SqliteDb, fetch_all, fetch_one
from gateway.store.sqlite_keys import answer_key

__all__ = ["LeadQueries", "write_contact"]

_CONTACT_COLUMNS = "id, organization_id, lead_id, name, title, date_created, date_updated"


def _marks(values: list[str] | tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def write_contact(db: sqlite3.Connection, contact: Contact) -> None:
    """Insert or replace a contact and its phones (part of a writer op). A phone's
    outbound_sms_blocked is not written: it is read from the suppression list."""
    db.execute(
        f"INSERT INTO contacts ({_CONTACT_COLUMNS}) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT(id) DO UPDATE SET lead_id = excluded.lead_id, name = excluded.name,"
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
    )
    db.execute("DELETE FROM contact_phones WHERE contact_id = ?", (contact.id,))
    db.executemany(
        "INSERT INTO contact_phones (contact_id, organization_id, position, phone, type)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (contact.id, contact.organization_id, i, p.phone, p.type)
            for i, p in enumerate(contact.phones)
        ],
    )


def _insert_lead(db: sqlite3.Connection, lead: Lead, answer: KeyAnswer | None) -> None:
    db.execute(
        "INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?)",
        (
            lead.id,
            lead.organization_id,
            lead.name,
            lead.description,
            lead.date_created,
            lead.date_updated,
        ),
    )
    for contact in lead.contacts:
        write_contact(db, contact)
    answer_key(db, answer)


def _delete_lead(db: sqlite3.Connection, org_id: str, lead_id: str) -> None:
    # Close deletes a lead's activities with it; contacts and phones cascade
    db.execute("DELETE FROM sms WHERE organization_id = ? AND lead_id = ?", (org_id, lead_id))
    db.execute("DELETE FROM leads WHERE organization_id = ? AND id = ?", (org_id, lead_id))


def _contacts(
    db: sqlite3.Connection, where: str, params: list[Any], tail: str = ""
) -> list[Contact]:
    # contacts and their phones in one query
    rows = fetch_all(
        db,
        "SELECT c.*, p.phone, p.type AS phone_type,"
        f" {suppressed('p.organization_id', 'p.phone')} AS outbound_sms_blocked FROM"
        f" (SELECT {_CONTACT_COLUMNS}, rowid AS rid FROM contacts WHERE {where}"
        f"  ORDER BY date_created, rowid {tail}) AS c"
        " LEFT JOIN contact_phones p ON p.contact_id = c.id"
        " ORDER BY c.date_created, c.rid, p.position",
        params,
    )
    return contacts_from_rows(rows)


def _leads(db: sqlite3.Connection, rows: list[Any]) -> list[Lead]:
    """Lead rows with their contacts (one query for all of them)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    return leads_from_rows(rows, _contacts(db, f"lead_id IN ({_marks(ids)})", ids))


def _list_leads(
    db: sqlite3.Connection, org_id: str, skip: int, limit: int
) -> tuple[list[Lead], int]:
    total = fetch_one(db, "SELECT count(*) FROM leads WHERE organization_id = ?", (org_id,))
    rows = fetch_all(
        db,
        "SELECT * FROM leads WHERE organization_id = ? ORDER BY date_created DESC,"
        " rowid DESC LIMIT ? OFFSET ?",
        (org_id, limit, skip),
    )
    return _leads(db, rows), int(total[0]) if total else 0


class LeadQueries(SqliteDb):
    async def _leads(self, rows: list[Any]) -> list[Lead]:
        return await self._read(lambda db: _leads(db, rows))

    async def insert_lead(self, lead: Lead, answer: KeyAnswer | None = None) -> None:
        await self._run(lambda db: _insert_lead(db, lead, answer))

    async def get_lead(self, org_id: str, lead_id: str) -> Lead | None:
        leads = await self._read(
            lambda db: _leads(
                db,
                fetch_all(
                    db,
                    "SELECT * FROM leads WHERE organization_id = ? AND id = ?",
                    (org_id, lead_id),
                ),
            )
        )
        return leads[0] if leads else None

    async def list_leads(self, org_id: str, skip: int, limit: int) -> tuple[list[Lead], int]:
        return await self._read(lambda db: _list_leads(db, org_id, skip, limit))

    async def update_lead(self, lead: Lead) -> None:
        await self._write(
            "UPDATE leads SET name = ?, description = ?, date_updated = ?"
            " WHERE organization_id = ? AND id = ?",
            (lead.name, lead.description, lead.date_updated, lead.organization_id, lead.id),
        )

    async def delete_lead(self, org_id: str, lead_id: str) -> None:
        await self._run(lambda db: _delete_lead(db, org_id, lead_id))

    async def insert_contact(self, contact: Contact, answer: KeyAnswer | None = None) -> None:
        def insert(db: sqlite3.Connection) -> None:
            write_contact(db, contact)
            answer_key(db, answer)

        await self._run(insert)

    async def get_contact(self, org_id: str, contact_id: str) -> Contact | None:
        found = await self._read(
            lambda db: _contacts(db, "organization_id = ? AND id = ?", [org_id, contact_id])
        )
        return found[0] if found else None

    async def list_contacts(
        self, org_id: str, lead_id: str | None, skip: int, limit: int
    ) -> list[Contact]:
        where, params = "organization_id = ?", [org_id]
        if lead_id:
            where += " AND lead_id = ?"
            params.append(lead_id)
        return await self._read(
            lambda db: _contacts(db, where, [*params, limit, skip], "LIMIT ? OFFSET ?")
        )

    async def update_contact(self, contact: Contact) -> None:
        await self._run(lambda db: write_contact(db, contact))

    async def delete_contact(self, org_id: str, contact_id: str) -> None:
        await self._write(
            "DELETE FROM contacts WHERE organization_id = ? AND id = ?", (org_id, contact_id)
        )

    async def find_contact_by_phone(self, org_id: str, phone: str) -> Contact | None:
        found = await self._read(
            lambda db: _contacts(
                db,
                "id = (SELECT contact_id FROM contact_phones WHERE organization_id = ?"
                " AND phone = ? ORDER BY rowid LIMIT 1)",
                [org_id, phone],
            )
        )
        return found[0] if found else None
