"""/api/v1/lead/ and /api/v1/contact/: Close-style inline contacts and E.164 phones."""

from __future__ import annotations

from tests.gateway.harness import Harness


async def test_lead_with_inline_contacts(harness: Harness) -> None:
    key = await harness.new_org()
    lead = await harness.api(
        key,
        "POST",
        "lead/",
        {
            "name": "Bluth",
            "description": "Banana stand",
            "contacts": [
                {
                    "name": "Michael",
                    "title": "CEO",
                    "phones": [
                        {"phone": "(415) 555-0100", "type": "office"},
                        {"phone": "+44 7400 100001"},
                    ],
                },
                {"name": "GOB"},
            ],
        },
    )
    michael, gob = lead["contacts"]
    assert [p["phone"] for p in michael["phones"]] == ["+14155550100", "+447400100001"]
    assert [p["country"] for p in michael["phones"]] == ["US", "GB"]
    assert michael["phones"][0]["phone_formatted"] == "+1 415-555-0100"
    assert gob["phones"] == [] and gob["lead_id"] == lead["id"]
    assert await harness.api(key, "GET", f"lead/{lead['id']}/") == lead


async def test_invalid_phone_names_it(harness: Harness) -> None:
    key = await harness.new_org()
    status, body = await harness.request(
        key,
        "POST",
        "/api/v1/lead/",
        json={"name": "X", "contacts": [{"name": "ok"}, {"phones": [{"phone": "555"}]}]},
    )
    assert status == 400
    assert body["errors"] == []
    assert "'555' is not a valid phone number" in body["field-errors"]["contacts.1.phones.0.phone"]
    assert (await harness.api(key, "GET", "lead/"))["total_results"] == 0


async def test_update_and_delete(harness: Harness) -> None:
    key = await harness.new_org()
    lead = await harness.lead_with(key, "+14155550100")
    renamed = await harness.api(key, "PUT", f"lead/{lead['id']}/", {"name": "Renamed"})
    assert renamed["name"] == "Renamed" and renamed["description"] is None
    contact_id = lead["contacts"][0]["id"]
    contact = await harness.api(
        key,
        "PUT",
        f"contact/{contact_id}/",
        {
            "title": "CFO",
            "phones": [
                {"phone": "+14155550100", "type": "mobile"},
                {"phone": "+14155550102", "type": "home"},
            ],
        },
    )
    assert contact["title"] == "CFO" and contact["name"] == "George"
    assert [p["type"] for p in contact["phones"]] == ["mobile", "home"]
    added = await harness.api(key, "POST", "contact/", {"lead_id": lead["id"], "name": "Lucille"})
    assert [
        c["name"] for c in (await harness.api(key, "GET", f"lead/{lead['id']}"))["contacts"]
    ] == ["George", "Lucille"]
    listed = await harness.api(key, "GET", f"contact/?lead_id={lead['id']}&_limit=1")
    assert len(listed["data"]) == 1 and listed["has_more"] is True
    assert await harness.api(key, "DELETE", f"contact/{added['id']}/") == {}
    assert await harness.api(key, "DELETE", f"lead/{lead['id']}/") == {}
    for path in (f"lead/{lead['id']}/", f"contact/{contact_id}/"):
        status, _ = await harness.request(key, "GET", f"/api/v1/{path}")
        assert status == 404


async def test_contact_without_lead_gets_its_own(harness: Harness) -> None:
    key = await harness.new_org()
    contact = await harness.api(
        key, "POST", "contact/", {"name": "Buster", "phones": [{"phone": "+14155550111"}]}
    )
    lead = await harness.api(key, "GET", f"lead/{contact['lead_id']}/")
    assert lead["name"] == "Buster" and lead["contacts"][0]["id"] == contact["id"]
    status, body = await harness.request(
        key, "POST", "/api/v1/contact/", json={"lead_id": "lead_nope"}
    )
    assert status == 400 and body["field-errors"] == {"lead_id": "Lead not found."}


async def test_lead_paging(harness: Harness) -> None:
    key = await harness.new_org()
    for i in range(3):
        await harness.api(key, "POST", "lead/", {"name": f"L{i}"})
    first = await harness.api(key, "GET", "lead/?_limit=2")
    second = await harness.api(key, "GET", "lead/?_limit=2&_skip=2")
    assert (first["has_more"], second["has_more"]) == (True, False)
    assert first["total_results"] == 3
    assert [x["name"] for x in first["data"] + second["data"]] == ["L2", "L1", "L0"]
    fields = await harness.api(key, "GET", "lead/?_fields=id,name&_limit=1")
    assert set(fields["data"][0]) == {"id", "name"}
