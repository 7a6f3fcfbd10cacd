"""Idempotency keys in the store (SQLite, or PostgreSQL with SMSLAB_TEST_DB=postgresql): a
create's record and its answer commit together, reservations, takeovers, expiry and purge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.core.errors import KeyInUse
from gateway.core.idempotency import KeyAnswer, KeyClaim, StoredKey
from gateway.core.models import SmsQuery
from gateway.store import Store, open_store
from tests.databases import database_for, run_sql
from tests.gateway.builders import create_org, make_lead, make_sms

T0 = "2026-01-01T00:00:00.000000+00:00"
T1 = "2026-01-01T00:00:01.000000+00:00"
T2 = "2026-01-01T00:00:02.000000+00:00"
DAY_LATER = "2026-01-02T00:00:01.000000+00:00"
NEVER = "2000-01-01T00:00:00.000000+00:00"  # expired_before: nothing has expired


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(database_for(tmp_path, "keys"))
    await create_org(s)
    yield s
    await s.close()


def claim(owner: str, key: str = "k1") -> KeyClaim:
    return KeyClaim("orga_a", key, owner)


async def sms_ids(store: Store) -> list[str]:
    return [s.id for s in await store.list_sms(SmsQuery(organization_id="orga_a"))]


async def test_a_create_and_its_answer_commit_together(store: Store) -> None:
    assert await store.reserve_key(claim("a"), "fp", T0, T0, NEVER) is None
    await store.insert_sms(make_sms("acti_a"), KeyAnswer(claim("a"), 200, '{"id": "acti_a"}'))
    assert await store.reserve_key(claim("b"), "fp", T1, T1, NEVER) == StoredKey(
        "fp", 200, '{"id": "acti_a"}'
    )  # a repeat, even once the lease is over: the answer
    assert await sms_ids(store) == ["acti_a"]


async def test_a_create_whose_reservation_was_taken_over_creates_nothing(store: Store) -> None:
    # no carrier call, no lease: a repeat takes an unanswered reservation over at once (the
    # first may have crashed before its commit, which then held nothing)
    assert await store.reserve_key(claim("a"), "fp", T0, T0, NEVER) is None
    assert await store.reserve_key(claim("b"), "fp", T1, T1, NEVER) is None
    with pytest.raises(KeyInUse):  # the first one was only slow: it loses, all of it
        await store.insert_sms(make_sms("acti_a"), KeyAnswer(claim("a"), 200, "{}"))
    with pytest.raises(KeyInUse):
        await store.insert_lead(make_lead("lead_a"), KeyAnswer(claim("a"), 200, "{}"))
    await store.insert_sms(make_sms("acti_b"), KeyAnswer(claim("b"), 200, '"b"'))
    assert await sms_ids(store) == ["acti_b"]
    assert await store.get_lead("orga_a", "lead_a") is None


async def test_a_lease_holds_off_a_repeat_and_another_request_never_takes_over(
    store: Store,
) -> None:
    assert await store.reserve_key(claim("a"), "fp", T0, T2, NEVER) is None
    assert await store.reserve_key(claim("b"), "fp", T1, T1, NEVER) == StoredKey(
        "fp", None, None
    )  # in progress at the carrier: a 409
    assert await store.reserve_key(claim("c"), "other", T2, T2, NEVER) == StoredKey(
        "fp", None, None
    )  # another request under the key: a 422, even after the lease
    assert (
        await store.reserve_key(KeyClaim("orga_b", "k1", "z"), "other", T1, T1, NEVER) is None
    )  # another organization's key
    assert await store.reserve_key(claim("d"), "fp", T2, T2, NEVER) is None  # lease over
    await store.release_key(claim("d"))  # its create failed: the key is free again
    assert await store.reserve_key(claim("e"), "other", T2, T2, NEVER) is None


async def test_keys_expire_after_a_day_and_are_purged(store: Store, tmp_path: Path) -> None:
    for i in range(3):
        assert await store.reserve_key(claim("a", f"old{i}"), "fp", T0, T0, NEVER) is None
        await store.insert_sms(make_sms(f"acti_{i}"), KeyAnswer(claim("a", f"old{i}"), 200, "{}"))
    assert (
        await store.reserve_key(claim("b", "old0"), "new", DAY_LATER, DAY_LATER, T1) is None
    )  # older than a day: a new request
    assert await store.reserve_key(claim("c", "fresh"), "fp", DAY_LATER, DAY_LATER, T1) is None
    rows = run_sql(
        database_for(tmp_path, "keys"), "SELECT idem_key FROM idempotency_keys ORDER BY idem_key"
    )
    assert rows == [("fresh",), ("old0",)]  # the other expired keys went on the way
