"""Opt-outs belong to the recipient: the per-organization suppression list against the real
simulator (and, with SMSLAB_TEST_DB=postgresql, PostgreSQL). Only the recipient's keywords and
the carrier's 21610 write it; contact edits and deletions cannot forget it; HELP gets the
carrier's reply, on the lead as well."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gateway.core.models import Suppression
from gateway.keys import STORE
from gateway.store import Store, migrations, open_store
from simulator.scenario import loads
from telecom.keywords import HELP_REPLY
from tests.databases import POSTGRESQL, database_for, run_sql
from tests.gateway.builders import create_org
from tests.gateway.harness import Harness, eventually

PHONE = "+14155550177"
T0 = "2026-01-01T00:00:00.000000+00:00"
T1 = "2026-01-01T00:00:01.000000+00:00"


async def _org_of(harness: Harness, key: str) -> str:
    return str((await harness.api(key, "GET", "lead/?_limit=1"))["data"][0]["organization_id"])


async def _blocked(harness: Harness, key: str, contact_id: str) -> bool:
    contact = await harness.api(key, "GET", f"contact/{contact_id}/")
    return bool(contact["phones"][0]["outbound_sms_blocked"])


async def _opted_out(harness: Harness, key: str, number: str, word: str = "STOP") -> dict[str, Any]:
    """A lead with PHONE whose recipient then texted `word` to `number`."""
    lead = await harness.lead_with(key, PHONE)
    await harness.handset_sends(PHONE, number, word)
    await eventually(lambda: _blocked(harness, key, lead["contacts"][0]["id"]))
    return lead


async def _sent_to(harness: Harness, phone: str) -> list[dict[str, Any]]:
    return [
        m for m in await harness.oracle() if m["direction"] == "outbound-api" and m["to"] == phone
    ]


async def _refused_locally(harness: Harness, key: str, lead: dict[str, Any], number: str) -> None:
    """A send to the lead ends error / opted_out and the carrier never hears of it."""
    sms = await harness.send(key, lead, number)
    done = await harness.settle(key, sms["id"], lambda s: s["status"] != "outbox")
    assert (done["status"], done["error_reason"], done["error_code"]) == (
        "error",
        "opted_out",
        None,
    )
    assert await _sent_to(harness, PHONE) == []


async def test_an_opt_out_survives_deleting_and_recreating_the_contact(harness: Harness) -> None:
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await _opted_out(harness, key, number)
    await harness.api(key, "DELETE", f"contact/{lead['contacts'][0]['id']}/")
    await harness.api(key, "DELETE", f"lead/{lead['id']}/")
    again = await harness.lead_with(key, PHONE, name="Bluth again")
    assert again["contacts"][0]["phones"][0]["outbound_sms_blocked"] is True
    contact = await harness.api(
        key, "POST", "contact/", {"lead_id": again["id"], "phones": [{"phone": PHONE}]}
    )
    assert contact["phones"][0]["outbound_sms_blocked"] is True
    await _refused_locally(harness, key, again, number)
    # another organization's list is its own
    other = await harness.new_org("Other")
    theirs = await harness.lead_with(other, PHONE)
    assert theirs["contacts"][0]["phones"][0]["outbound_sms_blocked"] is False


async def test_the_api_can_neither_clear_nor_set_it(harness: Harness) -> None:
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await _opted_out(harness, key, number)
    contact_id = lead["contacts"][0]["id"]
    answer = await harness.api(
        key,
        "PUT",
        f"contact/{contact_id}/",
        {"phones": [{"phone": PHONE, "type": "mobile", "outbound_sms_blocked": False}]},
    )
    assert answer["phones"][0]["outbound_sms_blocked"] is True  # read-only: ignored
    assert await _blocked(harness, key, contact_id)
    await _refused_locally(harness, key, lead, number)
    # nor can it put a phone on the list: only the recipient can
    free = await harness.api(
        key,
        "POST",
        "lead/",
        {
            "name": "Free",
            "contacts": [{"phones": [{"phone": "+14155550178", "outbound_sms_blocked": True}]}],
        },
    )
    assert free["contacts"][0]["phones"][0]["outbound_sms_blocked"] is False


async def test_an_opt_in_clears_it_and_is_recorded(harness: Harness) -> None:
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await _opted_out(harness, key, number, "stop all")
    store: Store = harness.app[STORE]
    org = await _org_of(harness, key)
    [entry] = await store.list_suppressions(org, PHONE)
    assert (entry.keyword, entry.local_phone) == ("STOP ALL", number)
    await harness.handset_sends(PHONE, number, "Unstop")

    async def cleared() -> bool:
        return not await _blocked(harness, key, lead["contacts"][0]["id"])

    await eventually(cleared)
    [record] = await store.list_suppression_clearings(org, PHONE)
    assert (record.cleared_by, record.why, record.suppression.keyword) == (
        "recipient",
        "UNSTOP",
        "STOP ALL",
    )
    sms = await harness.send(key, lead, number)
    await harness.settle(key, sms["id"], lambda s: s["delivery_status"] == "delivered")


async def test_the_carriers_21610_adds_the_phone(tmp_path: Path) -> None:
    scenario = loads(f'time_scale: 10\nhandsets:\n  - {{number: "{PHONE}", kind: opted_out}}\n')
    harness = await Harness.start(tmp_path, scenario)
    try:
        key = await harness.new_org()
        number = (await harness.rent(key))["number"]
        lead = await harness.lead_with(key, PHONE)
        first = await harness.send(key, lead, number)
        done = await harness.settle(key, first["id"], lambda s: s["status"] == "error")
        assert (done["error_reason"], done["error_code"]) == ("opted_out", 21610)
        assert await _blocked(harness, key, lead["contacts"][0]["id"])
        [entry] = await harness.app[STORE].list_suppressions(await _org_of(harness, key), None)
        assert (entry.phone, entry.keyword, entry.local_phone) == (PHONE, "21610", number)
        # the next one is not offered to the carrier at all
        second = await harness.send(key, lead, number)
        again = await harness.settle(key, second["id"], lambda s: s["status"] == "error")
        assert (again["error_reason"], again["error_code"]) == ("opted_out", None)
    finally:
        await harness.close()


@pytest.mark.parametrize("word", ["HELP", "info"])
async def test_help_gets_the_carriers_reply_and_both_show_on_the_lead(
    harness: Harness, word: str
) -> None:
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await harness.lead_with(key, PHONE)
    await harness.handset_sends(PHONE, number, word)
    replies = [m for m in await harness.oracle() if m["direction"] == "outbound-reply"]
    assert [(m["from"], m["to"], m["body"]) for m in replies] == [(number, PHONE, HELP_REPLY)]

    async def on_lead() -> list[dict[str, Any]]:
        found = await harness.api(key, "GET", f"activity/sms/?lead_id={lead['id']}")
        return list(found["data"]) if len(found["data"]) == 2 else []

    reply, inbound = await eventually(on_lead)  # newest first
    assert (inbound["direction"], inbound["status"], inbound["text"]) == ("inbound", "inbox", word)
    assert (reply["direction"], reply["status"], reply["text"]) == ("outbound", "sent", HELP_REPLY)
    assert (reply["local_phone"], reply["remote_phone"], reply["cost"]) == (number, PHONE, "0")
    assert not await _blocked(harness, key, lead["contacts"][0]["id"])
    # the webhook said what Advanced Opt-Out did
    payloads = run_sql(harness.db, "SELECT payload FROM carrier_events WHERE kind = 'inbound'")
    assert [json.loads(p)["OptOutType"] for (p,) in payloads] == ["HELP"]


async def test_no_help_reply_to_a_phone_that_opted_out(harness: Harness) -> None:
    key = await harness.new_org()
    number = (await harness.rent(key))["number"]
    lead = await _opted_out(harness, key, number)
    await harness.handset_sends(PHONE, number, "HELP")

    async def both_inbound() -> list[dict[str, Any]]:
        found = (await harness.api(key, "GET", f"activity/sms/?lead_id={lead['id']}"))["data"]
        return list(found) if len(found) == 2 else []

    assert {m["direction"] for m in await eventually(both_inbound)} == {"inbound"}
    assert [m for m in await harness.oracle() if m["direction"] == "outbound-reply"] == []


# -- the store itself, on either backend -----------------------------------------------------


async def test_the_list_keeps_the_first_opt_out_and_records_each_clearing(tmp_path: Path) -> None:
    store = await open_store(database_for(tmp_path, "store"))
    try:
        for org in ("orga_a", "orga_b"):
            await create_org(store, org)
        first = Suppression("orga_a", PHONE, "STOP", "+14155550100", T0)
        assert await store.suppress(first)
        assert not await store.suppress(Suppression("orga_a", PHONE, "END", None, T1))
        assert await store.list_suppressions("orga_a", None) == [first]
        assert await store.list_suppressions("orga_b", None) == []
        assert not await store.is_phone_blocked("orga_b", PHONE)
        assert await store.clear_suppression("orga_b", PHONE, "ops", "x", T1) is None
        assert await store.clear_suppression("orga_a", PHONE, "ann", "asked by phone", T1) == first
        assert not await store.is_phone_blocked("orga_a", PHONE)
        [record] = await store.list_suppression_clearings("orga_a", None)
        assert (record.suppression, record.cleared_by, record.why, record.date_cleared) == (
            first,
            "ann",
            "asked by phone",
            T1,
        )
        assert await store.list_suppression_clearings("orga_b", PHONE) == []
    finally:
        await store.close()


@pytest.mark.skipif(POSTGRESQL, reason="builds the pre-007 schema with SQLite by hand")
async def test_migration_007_moves_the_contacts_flags_to_the_list(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as db:
        for migration in migrations("sqlite"):
            if migration.version < 7:
                db.executescript(migration.sql)
        db.executescript(f"""
            INSERT INTO organizations VALUES ('orga_a', 'A', '{T0}');
            INSERT INTO leads VALUES ('lead_1', 'orga_a', 'L', NULL, '{T0}', '{T0}');
            INSERT INTO contacts VALUES ('cont_1', 'orga_a', 'lead_1', NULL, NULL, '{T0}', '{T0}');
            INSERT INTO contact_phones VALUES ('cont_1', 'orga_a', 0, '{PHONE}', 'mobile', 1),
                                              ('cont_1', 'orga_a', 1, '+14155550178', 'mobile', 0);
            CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                            applied_at TEXT NOT NULL);
        """)
        db.executemany(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [(m.version, m.name, T0) for m in migrations("sqlite") if m.version < 7],
        )
    store = await open_store(path)
    try:
        assert [s.phone for s in await store.list_suppressions("orga_a", None)] == [PHONE]
        contact = await store.get_contact("orga_a", "cont_1")
        assert contact is not None
        assert [p.outbound_sms_blocked for p in contact.phones] == [True, False]
    finally:
        await store.close()
