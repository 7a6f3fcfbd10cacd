"""The priced country stored with each SMS (migration 011): written by the store from the
record itself, kept right when a draft changes, and filled for the rows that existed before."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.core.models import InboundSms
from gateway.core.pricing import priced_country
from gateway.store import migrate, open_store
from gateway.store.country_fill import countries_of
from tests.databases import database_for, run_sql
from tests.gateway.builders import DAY2, T0, create_org, make_lead, make_sms, mixed_usage

_ALL = "2026-11-01T00:00:00.000000+00:00", "2026-12-01T00:00:00.000000+00:00"


def _stored(location: str) -> dict[str, str | None]:
    return {row[0]: row[1] for row in run_sql(location, "SELECT id, country FROM sms")}


def test_the_priced_country_is_the_recipients_out_and_our_numbers_in() -> None:
    assert priced_country("outbound", "+14155550100", "+447400100001") == "GB"
    assert priced_country("inbound", "+447400100000", "+14155550199") == "GB"
    # a draft with no recipient yet is priced at our number, as its cost is
    assert priced_country("outbound", "+16135550100", None) == "CA"
    assert priced_country("outbound", None, None) is None
    assert priced_country("outbound", None, "+1999") is None  # not a valid number
    assert countries_of(["+16135550100", None, "", "+1999"]) == [("+16135550100", "CA")]


async def test_every_write_stores_the_country_the_message_was_priced_in(tmp_path: Path) -> None:
    location = database_for(tmp_path, "country")
    store = await open_store(location)
    try:
        await create_org(store)
        draft = make_sms("acti_draft", status="draft", remote_phone=None, due_at=None)
        await store.insert_sms(draft)
        await store.insert_sms(make_sms("acti_ca", remote_phone="+16135550100"))
        assert _stored(location) == {"acti_draft": "US", "acti_ca": "CA"}
        # the draft gets a recipient abroad: its country follows
        moved = dataclasses.replace(draft, remote_phone="+447400100001")
        assert await store.update_sms(moved, "draft", T0)
        assert _stored(location)["acti_draft"] == "GB"
        # an inbound text and the HELP answer made from it (same phones, other direction)
        inbound = make_sms(
            "acti_in",
            direction="inbound",
            status="inbox",
            due_at=None,
            local_phone="+447400100000",
            remote_phone="+16135550100",
            carrier_sid="SMin",
        )
        reply = dataclasses.replace(
            inbound, id="acti_help", direction="outbound", status="sent", carrier_sid=None
        )
        message = InboundSms("SMin", "+16135550100", "+447400100000", "HELP", 1, "GSM-7", T0)
        lead = make_lead("lead_new", name="+1 613-555-0100")
        await store.record_inbound(message, inbound, lead, None, reply)
        stored = _stored(location)
        assert (stored["acti_in"], stored["acti_help"]) == ("GB", "CA")
    finally:
        await store.close()


async def test_migration_011_fills_the_rows_written_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = database_for(tmp_path, "old", migrated=False)
    everything = migrate.migrations

    def up_to_010(dialect: str = "sqlite") -> list[migrate.Migration]:
        return [m for m in everything(dialect) if m.version < 11]

    monkeypatch.setattr(migrate, "migrations", up_to_010)
    await (await open_store(location)).close()
    columns = (
        "id",
        "organization_id",
        "direction",
        "status",
        "text",
        "local_phone",
        "remote_phone",
        "source",
        "date_created",
        "date_updated",
        "date_sent",
        "segments",
        "encoding",
        "cost",
        "carrier_sid",
    )
    rows = [
        *mixed_usage(),
        make_sms(
            "acti_bad",
            remote_phone="+1999",
            carrier_sid="SMbad",
            date_sent=DAY2,
            cost="1",
            status="sent",
            due_at=None,
        ),
        make_sms("acti_none", remote_phone=None, local_phone=None, status="draft"),
    ]
    for sms in rows:  # as a gateway before 011 wrote them: no country column
        run_sql(
            location,
            f"INSERT INTO sms ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(getattr(sms, c) for c in columns),
        )
    monkeypatch.setattr(migrate, "migrations", everything)

    store = await open_store(location)  # applies 011 and its fill
    try:
        assert _stored(location) == {
            s.id: priced_country(s.direction, s.local_phone, s.remote_phone) for s in rows
        }
        assert _stored(location)["acti_gb"] == "GB" and _stored(location)["acti_in2"] == "GB"
        counts = await store.usage_counts("orga_a", *_ALL, "country")
        by_country: dict[str | None, int] = {}
        for count in counts:
            by_country[count.key] = by_country.get(count.key, 0) + count.messages
        # what the report grouped by phone in Python before: inbound in our number's country
        assert by_country == {"US": 4, "CA": 1, "GB": 2, None: 1}
    finally:
        await store.close()
    versions = [r[0] for r in run_sql(location, "SELECT version FROM schema_migrations")]
    assert 11 in versions
