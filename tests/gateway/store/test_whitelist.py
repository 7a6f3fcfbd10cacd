"""Whitelist requests in the store: one open request per number, decisions once, callbacks that
overtake the submission, and each number's flags."""

from __future__ import annotations

import dataclasses

from gateway.core.lifecycle import failed_locally
from gateway.store import Store
from telecom import Reason
from tests.gateway.builders import T0, T1, T9, create_org, make_number, make_request, make_sms

NUMBER = make_number(supports_sms_to_countries=("US",), carrier_sid="PN1")


async def _ready(store: Store) -> None:
    await create_org(store)
    await store.insert_phone_number(NUMBER)


async def test_one_open_request_per_number(store: Store) -> None:
    await _ready(store)
    assert await store.insert_whitelist_request(make_request(), stale_before=T0) is None
    assert await store.insert_whitelist_request(make_request("smswl_2"), T0) == "smswl_1"
    got = await store.get_whitelist_request("orga_a", "smswl_1")
    assert got == make_request()
    assert await store.get_whitelist_request("orga_b", "smswl_1") is None
    # decided, the number may ask again
    await store.record_whitelist_submitted("smswl_1", "WL1", T1)
    assert await store.record_whitelist_decision("WL1", "rejected", "no opt-in", {}, T9)
    assert await store.insert_whitelist_request(make_request("smswl_2"), T0) is None


async def test_a_reservation_cut_off_by_a_crash_does_not_block(store: Store) -> None:
    await _ready(store)
    await store.insert_whitelist_request(make_request(), T0)  # never got a carrier sid
    assert await store.insert_whitelist_request(make_request("smswl_2"), T1) == "smswl_1"
    assert await store.insert_whitelist_request(make_request("smswl_2"), T9) is None
    assert await store.get_whitelist_request("orga_a", "smswl_1") is None


async def test_the_first_decision_stands(store: Store) -> None:
    await _ready(store)
    await store.insert_whitelist_request(make_request(), T0)
    await store.record_whitelist_submitted("smswl_1", "WL1", T1)
    assert await store.record_whitelist_decision("WL1", "approved", None, {}, T9)
    assert await store.record_whitelist_decision("WL1", "rejected", "late", {}, T9)
    got = await store.get_whitelist_request("orga_a", "smswl_1")
    assert got is not None
    assert (got.status, got.reason, got.date_decided, got.carrier_sid) == (
        "approved",
        None,
        T9,
        "WL1",
    )


async def test_a_decision_that_overtakes_the_submission_answer(store: Store) -> None:
    await _ready(store)
    await store.insert_whitelist_request(make_request(), T0)
    payload = {"WhitelistRequestSid": "WL1", "Status": "rejected", "Reason": "No opt-in"}
    assert not await store.record_whitelist_decision("WL1", "rejected", "No opt-in", payload, T1)
    await store.record_whitelist_submitted("smswl_1", "WL1", T9)
    got = await store.get_whitelist_request("orga_a", "smswl_1")
    assert got is not None and (got.status, got.reason) == ("rejected", "No opt-in")


async def test_list_filters_and_pages_newest_first(store: Store) -> None:
    await _ready(store)
    await store.insert_phone_number(dataclasses.replace(NUMBER, id="phon_2", number="+14155550101"))
    await store.insert_whitelist_request(make_request("smswl_1", status="rejected"), T0)
    await store.insert_whitelist_request(make_request("smswl_2", date_created=T9), T0)
    await store.insert_whitelist_request(make_request("smswl_3", phone_number_id="phon_2"), T0)
    ids = [r.id for r in await store.list_whitelist_requests("orga_a", None, None, 0, 10)]
    assert ids == ["smswl_2", "smswl_3", "smswl_1"]
    assert [r.id for r in await store.list_whitelist_requests("orga_a", "phon_1", None, 0, 10)] == [
        "smswl_2",
        "smswl_1",
    ]
    assert [
        r.id for r in await store.list_whitelist_requests("orga_a", None, "rejected", 0, 10)
    ] == ["smswl_1"]
    assert [r.id for r in await store.list_whitelist_requests("orga_a", None, None, 1, 1)] == [
        "smswl_3"
    ]
    assert await store.list_whitelist_requests("orga_b", None, None, 0, 10) == []


async def test_flags_count_spam_and_show_approval(store: Store) -> None:
    await _ready(store)
    external = make_number(
        "phon_9",
        number="+16502530000",
        type="external",
        sms_enabled=False,
        supports_sms_to_countries=(),
        carrier_sid=None,
    )
    await store.insert_phone_number(external)
    for i, reason in enumerate(["spam", "spam", "landline", None]):
        await store.insert_sms(
            make_sms(
                f"acti_{i}", status="error" if reason else "sent", error_reason=reason, due_at=None
            )
        )
    await create_org(store, "orga_b")  # another organization's spam on the same digits
    await store.insert_sms(make_sms("acti_b", org="orga_b", error_reason="spam", due_at=None))
    assert await store.phone_number_flags("orga_a", [NUMBER, external]) == {
        "phon_1": (False, 2),
        "phon_9": (False, 0),
    }
    await store.insert_whitelist_request(make_request(), T0)
    await store.record_whitelist_submitted("smswl_1", "WL1", T1)
    await store.record_whitelist_decision("WL1", "approved", None, {}, T9)
    assert await store.phone_number_flags("orga_a", [NUMBER]) == {"phon_1": (True, 2)}
    assert await store.phone_number_flags("orga_a", []) == {}


async def test_releasing_a_number_forgets_its_requests(store: Store) -> None:
    await _ready(store)
    await store.insert_whitelist_request(make_request(), T0)
    await store.release_phone_number("orga_a", "phon_1", failed_locally(Reason.NUMBER_RELEASED), T1)
    assert await store.get_whitelist_request("orga_a", "smswl_1") is None
